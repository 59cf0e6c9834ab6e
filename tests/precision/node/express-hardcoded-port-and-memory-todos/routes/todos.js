const { Router } = require("express");

const router = Router();
const todos = [];
let nextId = 1;

router.get("/", (req, res) => res.json(todos));

router.post("/", (req, res) => {
  const todo = { id: nextId++, title: req.body.title, done: false };
  todos.push(todo);
  res.status(201).json(todo);
});

router.delete("/:id", (req, res) => {
  const index = todos.findIndex((todo) => todo.id === Number(req.params.id));
  if (index >= 0) todos.splice(index, 1);
  res.status(204).end();
});

module.exports = router;
