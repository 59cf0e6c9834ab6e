"use strict";

const Hapi = require("@hapi/hapi");
const { Pool } = require("pg");

const pool = new Pool({ connectionString: process.env.DATABASE_URL });

const init = async () => {
  const server = Hapi.server({
    port: process.env.PORT || 8080,
    host: "0.0.0.0",
  });

  server.route([
    { method: "GET", path: "/orders", handler: async () => (await pool.query("SELECT * FROM orders")).rows },
    {
      method: "POST",
      path: "/orders",
      handler: async (request, h) => {
        const { rows } = await pool.query("INSERT INTO orders (item) VALUES ($1) RETURNING id", [request.payload.item]);
        return h.response(rows[0]).code(201);
      },
    },
  ]);

  await server.start();
  console.log("Server running on %s", server.info.uri);
};

process.on("unhandledRejection", (error) => {
  console.error(error);
  process.exit(1);
});

init();
