import express from "express";
import { renderToString } from "react-dom/server";
import { App } from "./components/App";

const app = express();

app.get("/", (_req, res) => {
  const html = renderToString(<App title="Hello" />);
  res.send(`<!doctype html><div id="root">${html}</div><script src="/client.js"></script>`);
});

const port = Number(process.env.PORT) || 8080;
app.listen(port, () => console.log(`ssr on ${port}`));
