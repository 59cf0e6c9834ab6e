const fastify = require("fastify")({ logger: true });
const fastifyCookie = require("@fastify/cookie");
const fastifySession = require("@fastify/session");

fastify.register(fastifyCookie);
fastify.register(fastifySession, {
  secret: process.env.SESSION_SECRET,
  cookie: { secure: true },
});

fastify.get("/me", async (request) => ({ user: request.session.user ?? null }));

const start = async () => {
  try {
    await fastify.listen({ port: Number(process.env.PORT) || 8080 });
  } catch (error) {
    fastify.log.error(error);
    process.exit(1);
  }
};
start();
