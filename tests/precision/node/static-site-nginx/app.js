let seconds = 0;
setInterval(() => {
  seconds += 1;
  console.log("on the page for", seconds, "seconds");
}, 1000);
