var express = require("express");
var path = require("path");
var cookieParser = require("cookie-parser");
var usersRouter = require("./routes/users");

var app = express();
app.use(express.json());
app.use(cookieParser());
app.use(express.static(path.join(__dirname, "public")));
app.use("/users", usersRouter);

module.exports = app;
