const greetings: string[] = [];

export async function handle(event: unknown): Promise<{ count: number }> {
  greetings.push(JSON.stringify(event));
  return { count: greetings.length };
}

if (require.main === module) {
  require("http").createServer((_req: unknown, res: { end(body: string): void }) => res.end("local")).listen(4000);
}
