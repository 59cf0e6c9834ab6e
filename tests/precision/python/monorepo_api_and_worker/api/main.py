import os

import pymysql
from flask import Flask, g, request

app = Flask(__name__)


def db():
    if "db" not in g:
        g.db = pymysql.connect(host=os.environ["DB_HOST"], user=os.environ.get("DB_USER", "loyalty"),
                               password=os.environ.get("DB_PASSWORD", ""), database=os.environ["DB_NAME"])
    return g.db


@app.post("/points")
def add_points():
    body = request.get_json()
    with db().cursor() as cursor:
        cursor.execute("INSERT INTO points (member, amount) VALUES (%s, %s)", (body["member"], body["amount"]))
    db().commit()
    return {"ok": True}, 201
