"use strict";

const express = require("express");
const helmet = require("helmet");
const morgan = require("morgan");
const notes = require("./routes/notes");
const { renderReport } = require("./lib/report");

const app = express();
app.use(helmet());
app.use(morgan("combined"));
app.use(express.json());
app.use(express.static("public"));
app.use("/notes", notes);
app.post("/reports", async (req, res, next) => {
  try {
    res.type("html").send(await renderReport(req.body));
  } catch (error) {
    next(error);
  }
});
app.get("/healthz", (req, res) => res.json({ status: "ok" }));

const port = Number.parseInt(process.env.PORT || "8080", 10);
const server = app.listen(port, "0.0.0.0", () => console.log(`listening on ${port}`));

process.on("SIGTERM", () => server.close(() => process.exit(0)));
