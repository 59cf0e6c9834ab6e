const express = require("express");
const db = require("../lib/db");

const router = express.Router();

router.get("/", async (req, res) => res.json(await db.query("SELECT * FROM notes")));
router.post("/", async (req, res) => {
  const [result] = await db.query("INSERT INTO notes (text) VALUES (?)", [req.body.text]);
  res.status(201).json({ id: result.insertId });
});

module.exports = router;
