import { spawn } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";

async function migrate(): Promise<void> {
  const child = spawn("node", ["dist/migrate.js"], { stdio: "inherit" });
  const [code] = await once(child, "exit");
  if (code !== 0) throw new Error(`migration failed: ${code}`);
}

async function handleBatch(): Promise<number> {
  return 0;
}

async function connectWithRetry(): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await handleBatch();
      return;
    } catch {
      await sleep(attempt * 1000);
    }
  }
}

async function pollForever(): Promise<never> {
  while (true) {
    const handled = await handleBatch();
    if (handled === 0) {
      await sleep(5_000);
    }
  }
}

async function main(): Promise<void> {
  await migrate();
  await connectWithRetry();
  await pollForever();
}

void main();
