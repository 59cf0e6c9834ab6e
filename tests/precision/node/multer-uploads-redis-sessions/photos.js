const express = require("express");
const multer = require("multer");
const os = require("os");
const path = require("path");
const sharp = require("sharp");

const upload = multer({ dest: "uploads/" });
const thumbnails = multer({ dest: os.tmpdir() });

const router = express.Router();

router.post("/", upload.single("photo"), (req, res) => {
  res.status(201).json({ id: req.file.filename });
});

router.post("/thumbnail", thumbnails.single("photo"), async (req, res) => {
  const out = path.join(os.tmpdir(), `${req.file.filename}.webp`);
  await sharp(req.file.path).resize(128).toFile(out);
  res.sendFile(out);
});

module.exports = router;
