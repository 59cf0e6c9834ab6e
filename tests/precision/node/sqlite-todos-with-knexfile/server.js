const express = require("express");
const db = require("./db");

const app = express();
app.use(express.json());

app.get("/todos", (req, res) => res.json(db.prepare("SELECT * FROM todos").all()));
app.post("/todos", (req, res) => {
  const info = db.prepare("INSERT INTO todos (title) VALUES (?)").run(req.body.title);
  res.status(201).json({ id: info.lastInsertRowid });
});

app.listen(process.env.PORT ?? 8080);
