from datetime import datetime

from flask import jsonify, request

from counter import app, db


class Counter(db.Model):
    __tablename__ = "counters"
    id = db.Column(db.Integer, primary_key=True)
    count = db.Column(db.Integer, default=1)
    updated_at = db.Column(db.TIMESTAMP, default=datetime.now)


@app.route("/api/count", methods=["GET"])
def get_count():
    counter = db.session.get(Counter, 1)
    return jsonify({"code": 0, "data": counter.count if counter else 0})


@app.route("/api/count", methods=["POST"])
def update_count():
    action = request.get_json().get("action")
    counter = db.session.get(Counter, 1) or Counter(id=1, count=0)
    counter.count = counter.count + 1 if action == "inc" else 0
    db.session.add(counter)
    db.session.commit()
    return jsonify({"code": 0, "data": counter.count})
