"use strict";

const { BotRunner } = require("@cloudbase/aiagent-framework");
const { FaqBot } = require("./bot");

exports.main = (event, context) => BotRunner.run(event, context, new FaqBot(context));
