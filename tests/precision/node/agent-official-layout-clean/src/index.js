const { BotRunner } = require("@cloudbase/aiagent-framework");
const { MyBot } = require("./bot");

/**
 * @type {import('@cloudbase/functions-typings').TcbEventFunction<unknown>}
 */
exports.main = function (event, context) {
  return BotRunner.run(event, context, new MyBot(context));
};
