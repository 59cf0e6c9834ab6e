import express from "express";
import { ordersRouter } from "./orders";

const app = express().use("/orders", ordersRouter);
const server = app.listen(4000);
afterAll(() => server.close());
