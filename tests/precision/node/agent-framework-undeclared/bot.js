"use strict";

const { BotCore } = require("@cloudbase/aiagent-framework");

const ANSWERS = {
  hours: "We are open 9:00-18:00.",
  refund: "Refunds take 3-5 working days.",
};

/**
 * @typedef {import('@cloudbase/aiagent-framework').IBot} IBot
 * @implements {IBot}
 */
class FaqBot extends BotCore {
  async sendMessage({ msg }) {
    const key = Object.keys(ANSWERS).find((word) => String(msg).includes(word));
    this.sseSender.send({ data: { content: key ? ANSWERS[key] : "Sorry, I do not know.", role: "assistant", type: "text" } });
    this.sseSender.end();
  }
}

module.exports = { FaqBot };
