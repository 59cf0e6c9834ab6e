import os

import asyncpg
from sanic import Sanic
from sanic.response import json

app = Sanic("ledger")
WORKERS = int(os.environ.get("WEB_CONCURRENCY", "1"))


@app.listener("before_server_start")
async def connect(app, loop):
    app.ctx.pool = await asyncpg.create_pool(dsn=os.environ["DATABASE_DSN"], min_size=1, max_size=5)


@app.listener("after_server_stop")
async def disconnect(app, loop):
    await app.ctx.pool.close()


@app.get("/accounts/<account_id:int>")
async def balance(request, account_id: int):
    async with app.ctx.pool.acquire() as connection:
        row = await connection.fetchrow("SELECT balance FROM accounts WHERE id = $1", account_id)
    return json({"id": account_id, "balance": str(row["balance"]) if row else None})


@app.post("/transfers")
async def transfer(request):
    body = request.json
    async with app.ctx.pool.acquire() as connection, connection.transaction():
        await connection.execute("UPDATE accounts SET balance = balance - $1 WHERE id = $2", body["amount"], body["from"])
        await connection.execute("UPDATE accounts SET balance = balance + $1 WHERE id = $2", body["amount"], body["to"])
    return json({"ok": True}, status=201)


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000, workers=WORKERS, access_log=False)
