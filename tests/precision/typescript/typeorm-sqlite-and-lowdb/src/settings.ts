import { JSONFilePreset } from "lowdb/node";

type Settings = { theme: string };

export async function openSettings() {
  return JSONFilePreset<Settings>("settings.json", { theme: "light" });
}
