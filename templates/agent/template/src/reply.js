"use strict";

// The agent's reply logic, kept free of @cloudbase/aiagent-framework so that it runs (and is
// tested, see test/reply.test.js) without the framework. `sseSender` is the bot's
// this.sseSender: send() pushes one SSE event to the client, end() closes the stream.
//
// Replace replyChunks() with a call to your model and yield its text as it streams in. Read
// keys from environment variables (see .env.template), never from the code.

async function* replyChunks({ msg, history = [] }) {
  const earlier = history.length > 0 ? ` (after ${history.length} earlier messages)` : "";
  const text = `You said: ${msg}${earlier}`;
  // Split by code points so that a character is never cut in half.
  const characters = Array.from(text);
  for (let start = 0; start < characters.length; start += 8) {
    yield characters.slice(start, start + 8).join("");
  }
}

async function streamReply({ msg, history }, sseSender) {
  try {
    for await (const content of replyChunks({ msg, history })) {
      sseSender.send({ data: { content, role: "assistant", type: "text" } });
    }
  } finally {
    // Always close the stream, even when the reply fails half-way: an unended SSE response
    // keeps the client waiting and the connection open.
    sseSender.end();
  }
}

module.exports = { replyChunks, streamReply };
