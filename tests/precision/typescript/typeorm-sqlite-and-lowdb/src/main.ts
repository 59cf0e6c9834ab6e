import express from "express";
import { AppDataSource } from "./data-source";
import { Note } from "./note";

const app = express();
app.use(express.json());
app.post("/notes", async (req, res) => {
  const note = await AppDataSource.getRepository(Note).save({ text: req.body.text });
  res.status(201).json(note);
});

AppDataSource.initialize().then(() => {
  app.listen(process.env.PORT || 8080);
});
