import { BotCore, IBot, SendMessageInput } from "@cloudbase/aiagent-framework";
import { relay } from "./relay.js";

// Questions about the weather go to the weather agent.
export const WEATHER_BOT = "ibot-Weather-v2";

export class PlannerBot extends BotCore implements IBot {
  async sendMessage({ msg }: SendMessageInput): Promise<void> {
    const sender = this.sseSender;
    await relay(msg, sender);
  }
}
