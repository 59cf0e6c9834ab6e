import express from "express";
import { handle } from "./handler";

const app = express();
app.use(express.json());
app.post("/", async (req, res) => res.json(await handle(req.body)));
app.listen(Number(process.env.PORT) || 3000);

export const main = async (event: unknown) => handle(event);
