const Koa = require("koa");
const Router = require("@koa/router");
const bodyParser = require("koa-bodyparser");
const session = require("koa-session");

const app = new Koa();
app.keys = [process.env.SESSION_KEY];
const router = new Router();

router.get("/", (ctx) => {
  ctx.body = { views: (ctx.session.views = (ctx.session.views || 0) + 1) };
});

app.use(session(app));
app.use(bodyParser());
app.use(router.routes()).use(router.allowedMethods());

const port = process.env.PORT || 8080;
const host = "127.0.0.1";
app.listen(port, host, () => console.log(`koa on ${host}:${port}`));
