import type { TcbEventFunction } from "@cloudbase/functions-typings";
import { greet } from "./greet";

export const main: TcbEventFunction<{ name?: string }> = async (event) => {
  return { message: greet(event.name ?? "world") };
};
