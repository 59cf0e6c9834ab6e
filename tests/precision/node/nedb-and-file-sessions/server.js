const express = require("express");
const session = require("express-session");
const FileStore = require("session-file-store")(session);
const Datastore = require("@seald-io/nedb");

const entries = new Datastore({ filename: "data/entries.db", autoload: true });
const rateLimits = new Datastore({ inMemoryOnly: true });

const app = express();
app.use(express.urlencoded({ extended: false }));
app.use(session({ store: new FileStore({ path: "./sessions" }), secret: process.env.SESSION_SECRET, resave: false }));

app.post("/entries", async (req, res) => {
  await entries.insertAsync({ text: req.body.text, at: Date.now() });
  res.redirect("/");
});

app.listen(Number(process.env.PORT) || 8080);
