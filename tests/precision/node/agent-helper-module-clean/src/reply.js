"use strict";

async function* replyChunks({ msg, history = [] }) {
  const text = `You said: ${msg} (${history.length} earlier messages)`;
  for (let start = 0; start < text.length; start += 8) {
    yield text.slice(start, start + 8);
  }
}

async function streamReply({ msg, history }, sseSender) {
  try {
    for await (const content of replyChunks({ msg, history })) {
      sseSender.send({ data: { content, role: "assistant", type: "text" } });
    }
  } finally {
    sseSender.end();
  }
}

module.exports = { replyChunks, streamReply };
