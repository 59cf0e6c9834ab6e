const { spawn, execFile } = require("child_process");
const express = require("express");
const cron = require("node-cron");
const { buildDigest, sendDigest } = require("./digest");

const app = express();
app.use(express.json());

cron.schedule("0 7 * * *", async () => {
  await sendDigest(await buildDigest());
});

setInterval(() => console.log("heartbeat", new Date().toISOString()), 30_000);

setTimeout(() => console.log("warm-up finished"), 2_000);

app.post("/digest/preview", async (req, res) => {
  const keepAlive = setInterval(() => res.write(" "), 10_000);
  const digest = await buildDigest(req.body);
  clearInterval(keepAlive);
  res.end(JSON.stringify(digest));
});

app.post("/archive", (req, res) => {
  const child = spawn("node", ["archive.js", req.body.month], { detached: true, stdio: "ignore" });
  child.unref();
  res.status(202).end();
});

app.post("/pdf", (req, res) => {
  execFile("wkhtmltopdf", ["-", "/tmp/digest.pdf"], (error) => {
    if (error) return res.status(500).end();
    res.sendFile("/tmp/digest.pdf");
  });
});

app.listen(Number(process.env.PORT) || 8080);
