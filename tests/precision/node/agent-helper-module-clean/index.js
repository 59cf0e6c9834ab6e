"use strict";

// BotId ibot-helper-demo: POST /v1/aibot/bots/ibot-helper-demo/send-message
const { BotCore, BotRunner } = require("@cloudbase/aiagent-framework");
const { streamReply } = require("./src/reply");

const ROUTE = "/v1/aibot/bots/:botId/send-message";

class HelperBot extends BotCore {
  async sendMessage({ msg, history }) {
    await streamReply({ msg, history }, this.sseSender);
  }
}

exports.route = ROUTE;
exports.main = (event, context) => BotRunner.run(event, context, new HelperBot(context));
