"use strict";

const { listOrders, createOrder } = require("./lib/orders");

function route(context) {
  return new URL(context.httpContext.url, "http://localhost").pathname;
}

exports.main = async (event, context) => {
  const path = route(context);
  if (context.httpContext.httpMethod === "POST" && path === "/orders") {
    return createOrder(event);
  }
  if (path === "/orders") {
    return listOrders();
  }
  return { statusCode: 404, body: { error: "not found", path } };
};
