import OpenAI from "openai";

interface Sender {
  send(event: { data: Record<string, unknown> }): void;
  end(): void;
}

const client = new OpenAI({ apiKey: process.env.LLM_API_KEY, baseURL: process.env.LLM_BASE_URL });

export async function relay(msg: string, sender: Sender): Promise<void> {
  const stream = await client.chat.completions.create({
    model: process.env.LLM_MODEL ?? "deepseek-v3",
    stream: true,
    messages: [{ role: "user", content: msg }],
  });
  for await (const chunk of stream) {
    sender.send({ data: { content: chunk.choices[0]?.delta?.content ?? "", role: "assistant", type: "text" } });
  }
}
