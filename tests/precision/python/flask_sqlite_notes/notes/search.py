import sqlite3

from sqlalchemy import create_engine


def rank(notes: list[dict], words: list[str]) -> list[dict]:
    # An in-memory index built per request: nothing is kept.
    index = sqlite3.connect(":memory:")
    index.execute("CREATE VIRTUAL TABLE t USING fts5(id, body)")
    index.executemany("INSERT INTO t VALUES (?, ?)", [(n["id"], n["body"]) for n in notes])
    rows = index.execute("SELECT id FROM t WHERE t MATCH ? ORDER BY rank", (" ".join(words),)).fetchall()
    index.close()
    order = {row[0]: position for position, row in enumerate(rows)}
    return sorted((n for n in notes if n["id"] in order), key=lambda n: order[n["id"]])


def scratch_engine():
    return create_engine("sqlite:////tmp/scratch.db")
