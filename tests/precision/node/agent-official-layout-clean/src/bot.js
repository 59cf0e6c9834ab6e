const { BotCore } = require("@cloudbase/aiagent-framework");

const ANSWER = "Hello, I am an agent that only knows this sentence.";

class MyBot extends BotCore {
  async sendMessage() {
    return new Promise((resolve) => {
      const characters = ANSWER.split("");
      const next = () => {
        const character = characters.shift();
        if (typeof character === "string") {
          this.sseSender.send({ data: { content: character } });
          setTimeout(next, 50);
        } else {
          this.sseSender.end();
          resolve();
        }
      };
      next();
    });
  }
}

module.exports = { MyBot };
