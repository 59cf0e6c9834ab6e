import Fastify, { type FastifyInstance } from "fastify";
import fastifyRedis from "@fastify/redis";

async function routes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: { key: string; value: string } }>("/kv", async (request, reply) => {
    await app.redis.set(request.body.key, request.body.value);
    return reply.code(201).send();
  });
  app.get<{ Params: { key: string } }>("/kv/:key", async (request) => app.redis.get(request.params.key));
}

export async function build(): Promise<FastifyInstance> {
  const app = Fastify({ logger: true });
  await app.register(fastifyRedis, { url: process.env.REDIS_URL });
  await app.register(routes);
  return app;
}

async function main(): Promise<void> {
  const app = await build();
  const { PORT = "8080", HOST = "0.0.0.0" } = process.env;
  await app.listen({ port: Number(PORT), host: HOST });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
