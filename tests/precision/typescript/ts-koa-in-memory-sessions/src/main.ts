import Koa from "koa";
import Router from "@koa/router";
import { accounts } from "./accounts";

const app = new Koa();
const router = new Router();
router.use("/accounts", accounts.routes());
app.use(router.routes());

const port = process.env.PORT ? Number(process.env.PORT) : 8080;
app.listen(port);
