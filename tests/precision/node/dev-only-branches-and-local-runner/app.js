const express = require("express");
const fs = require("fs");

const app = express();
app.get("/items", (req, res) => res.json([]));

if (process.env.DEBUG_DUMP) {
  fs.writeFileSync("debug-routes.json", JSON.stringify(app._router.stack.length));
}

module.exports = app;

if (require.main === module) {
  app.listen(3000, "localhost", () => console.log("local run on http://localhost:3000"));
}
