var express = require("express");
var router = express.Router();

var recentVisitors = [];

router.get("/", function (req, res) {
  recentVisitors.push(req.ip);
  res.json({ visitors: recentVisitors.length });
});

module.exports = router;
