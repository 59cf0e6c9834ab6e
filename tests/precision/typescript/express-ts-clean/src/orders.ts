import { Router, type Request, type Response } from "express";
import { Pool } from "pg";
import { z } from "zod";

const pool = new Pool({ connectionString: process.env.DATABASE_URL });
const Order = z.object({ sku: z.string(), quantity: z.number().int().positive() });

export const ordersRouter = Router();

ordersRouter.post("/", async (req: Request, res: Response) => {
  const order = Order.parse(req.body);
  const { rows } = await pool.query<{ id: number }>(
    "INSERT INTO orders (sku, quantity) VALUES ($1, $2) RETURNING id",
    [order.sku, order.quantity],
  );
  res.status(201).json(rows[0]);
});
