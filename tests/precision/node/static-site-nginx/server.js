// Talks to the API server; runs in the browser despite its name.
const API = "http://localhost:3000";
function poll() {
  fetch(API + "/status").finally(() => setTimeout(poll, 5000));
}
poll();
