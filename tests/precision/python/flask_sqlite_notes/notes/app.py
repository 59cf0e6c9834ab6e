from flask import Flask, request

from notes.db import close_db, get_db
from notes.search import rank


def create_app() -> Flask:
    app = Flask(__name__)
    app.teardown_appcontext(close_db)

    @app.post("/notes")
    def add_note():
        db = get_db()
        cursor = db.execute("INSERT INTO notes (body) VALUES (?)", (request.json["body"],))
        db.commit()
        return {"id": cursor.lastrowid}, 201

    @app.get("/notes/search")
    def search():
        notes = [dict(row) for row in get_db().execute("SELECT id, body FROM notes")]
        return {"notes": rank(notes, request.args.get("q", "").split())}

    return app
