const express = require("express");
const session = require("express-session");
const RedisStore = require("connect-redis").default;
const { createClient } = require("redis");
const photos = require("./photos");

const redisClient = createClient({ url: process.env.REDIS_URL });
redisClient.connect().catch(console.error);

const app = express();
app.use(
  session({
    store: new RedisStore({ client: redisClient, prefix: "photo:" }),
    secret: process.env.SESSION_SECRET,
    resave: false,
    saveUninitialized: false,
  }),
);
app.use("/photos", photos);
app.listen(Number(process.env.PORT) || 8080);
