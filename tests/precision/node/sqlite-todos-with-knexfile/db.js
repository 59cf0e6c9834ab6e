const path = require("path");
const Database = require("better-sqlite3");

const file = path.join(__dirname, "data", "todos.db");
const db = new Database(file);
db.pragma("journal_mode = WAL");
db.exec("CREATE TABLE IF NOT EXISTS todos (id INTEGER PRIMARY KEY, title TEXT NOT NULL)");

module.exports = db;
