const fs = require("fs");
fs.mkdirSync("seed-output", { recursive: true });
fs.writeFileSync("seed-output/items.json", "[]");
