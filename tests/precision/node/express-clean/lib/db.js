const mysql = require("mysql2/promise");

module.exports = mysql.createPool({
  uri: process.env.DATABASE_URL,
  connectionLimit: 5,
});
