const app = require("./app");

const port = Number(process.env.PORT) || 8080;
app.listen(port, () => console.log(`inventory on ${port}`));

if (process.env.NODE_ENV !== "production") {
  const cron = require("node-cron");
  cron.schedule("* * * * *", () => console.log(process.memoryUsage()));
  setInterval(() => console.log("dev heartbeat"), 5_000);
}
