import time
import uuid
from collections import defaultdict

from flask import Flask, jsonify, request, session
from flask_session import Session

from config import Config

app = Flask(__name__)
app.config.from_object(Config)
Session(app)

carts: dict[str, list[dict]] = defaultdict(list)
orders = []
request_log = []
PRODUCT_NAMES = {"sku-1": "mug", "sku-2": "shirt"}
_rate_limit_cache: dict[str, float] = {}


def cart_id() -> str:
    if "cart" not in session:
        session["cart"] = uuid.uuid4().hex
    return session["cart"]


@app.post("/cart/items")
def add_item():
    item = request.get_json()
    _rate_limit_cache[request.remote_addr] = time.time()
    carts[cart_id()].append({"sku": item["sku"], "qty": int(item.get("qty", 1))})
    return jsonify(carts[cart_id()]), 201


@app.post("/checkout")
def checkout():
    items = carts.pop(cart_id(), [])
    orders.append({"id": uuid.uuid4().hex, "items": items, "at": time.time()})
    return {"order": orders[-1]["id"]}, 201


@app.get("/cart")
def show_cart():
    request_log.append(request.path)
    names = [PRODUCT_NAMES.get(item["sku"], item["sku"]) for item in carts.get(cart_id(), [])]
    return jsonify(names)
