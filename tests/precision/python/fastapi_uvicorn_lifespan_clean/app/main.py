import asyncio
import os
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, HTTPException
from sqlalchemy import text

from app.db import Session, engine

SCORING_URL = os.environ.get("SCORING_URL", "http://scoring.internal")


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.http = httpx.AsyncClient(timeout=5)
    yield
    await app.state.http.aclose()
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.get("/healthz")
async def healthz():
    async with Session() as session:
        await session.execute(text("SELECT 1"))
    return {"ok": True}


@app.post("/leads/{lead_id}/score")
async def score(lead_id: int):
    async with Session() as session:
        lead = (await session.execute(text("SELECT * FROM leads WHERE id = :id"), {"id": lead_id})).mappings().first()
    if lead is None:
        raise HTTPException(404)
    responses = await asyncio.gather(
        app.state.http.post(f"{SCORING_URL}/v1/score", json=dict(lead)),
        app.state.http.post(f"{SCORING_URL}/v1/fraud", json=dict(lead)),
    )
    return {"score": responses[0].json()["score"], "fraud": responses[1].json()["fraud"]}


if __name__ == "__main__":
    import uvicorn

    uvicorn.run("app.main:app", reload=True)
