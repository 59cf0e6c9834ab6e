"use strict";

const tcb = require("@cloudbase/node-sdk");

const app = tcb.init({ env: tcb.SYMBOL_CURRENT_ENV });
const orders = () => app.database().collection("orders");

async function listOrders() {
  const { data } = await orders().limit(50).get();
  return { orders: data };
}

async function createOrder(event) {
  const { id } = await orders().add({ item: String(event.item || ""), createdAt: new Date() });
  return { id };
}

module.exports = { listOrders, createOrder };
