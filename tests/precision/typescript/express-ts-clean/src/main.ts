import express, { type Request, type Response } from "express";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { ordersRouter } from "./orders";

const app = express();
app.use(express.json());
app.use("/orders", ordersRouter);

app.get("/", async (_req: Request, res: Response) => {
  const page = await readFile(path.join(__dirname, "..", "static", "index.html"), "utf8");
  res.type("html").send(page);
});

const port: number = Number(process.env.PORT) || 8080;
app.listen(port, () => {
  console.log(`ts-shop listening on ${port}`);
});
