// Browser code: polls the API every few seconds.
setInterval(async () => {
  const response = await fetch("/notes");
  document.querySelector("#count").textContent = (await response.json()).length;
}, 5000);
