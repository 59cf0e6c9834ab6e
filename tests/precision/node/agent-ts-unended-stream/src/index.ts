import { BotRunner } from "@cloudbase/aiagent-framework";
import type { TcbEventFunction } from "@cloudbase/functions-typings";
import { PlannerBot } from "./bot";

export const main: TcbEventFunction<unknown> = (event, context) =>
  BotRunner.run(event, context, new PlannerBot(context));
