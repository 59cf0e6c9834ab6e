import { serve } from "@hono/node-server";
import { Hono } from "hono";

type Link = { slug: string; url: string };

const links = new Map<string, Link>();
const app = new Hono();

app.get("/:slug", (c) => {
  const link = links.get(c.req.param("slug"));
  return link ? c.redirect(link.url) : c.notFound();
});

app.post("/links", async (c) => {
  const link = await c.req.json<Link>();
  links.set(link.slug, link);
  return c.json(link, 201);
});

serve({ fetch: app.fetch }, (info) => console.log(`listening on ${info.port}`));
