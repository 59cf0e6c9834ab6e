import Router from "@koa/router";

export const accounts = new Router();

const balances: Record<string, number> = {};
const auditLog: string[] = [];

accounts.get("/:id", (ctx) => {
  auditLog.push(`read ${ctx.params.id}`);
  ctx.body = { balance: balances[ctx.params.id] ?? 0 };
});

accounts.put("/:id", (ctx) => {
  const { amount } = ctx.request.body as { amount: number };
  balances[ctx.params.id] = amount;
  ctx.status = 204;
});
