const express = require("express");
const todos = require("./routes/todos");

const PORT = 8080;

const app = express();
app.use(express.json());
app.use("/todos", todos);

app.listen(PORT, () => {
  console.log(`todo-api listening on http://localhost:${PORT}`);
});
