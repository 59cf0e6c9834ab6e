import express from "express";
import multer from "multer";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

const upload = multer({ storage: multer.memoryStorage() });
const UPLOAD_DIR = path.join(process.cwd(), "uploads");

const app = express();

app.post("/files", upload.single("file"), async (req, res) => {
  if (!req.file) {
    res.status(400).end();
    return;
  }
  await mkdir(UPLOAD_DIR, { recursive: true });
  await writeFile(path.join(UPLOAD_DIR, req.file.originalname), req.file.buffer);
  res.status(201).end();
});

const port = Number(process.env.PORT ?? 8080);
app.listen(port, "127.0.0.1", () => console.log(`listening on 127.0.0.1:${port}`));
