"use strict";

// Runs with Node's built-in test runner (`npm test`), without @cloudbase/aiagent-framework.

const test = require("node:test");
const assert = require("node:assert/strict");

const { streamReply } = require("../src/reply");

function fakeSseSender({ failOnSend = false } = {}) {
  return {
    events: [],
    endCalls: 0,
    send(event) {
      if (this.endCalls > 0) {
        throw new Error("send() after end()");
      }
      if (failOnSend) {
        throw new Error("client went away");
      }
      this.events.push(event);
      return true;
    },
    end() {
      this.endCalls += 1;
    },
  };
}

test("streams the reply as assistant text events and ends the stream once", async () => {
  const sender = fakeSseSender();
  await streamReply({ msg: "hello, agent", history: [] }, sender);

  assert.ok(sender.events.length > 1, "the reply is streamed in several events");
  for (const event of sender.events) {
    assert.equal(event.data.role, "assistant");
    assert.equal(event.data.type, "text");
    assert.equal(typeof event.data.content, "string");
  }
  const text = sender.events.map((event) => event.data.content).join("");
  assert.equal(text, "You said: hello, agent");
  assert.equal(sender.endCalls, 1);
});

test("mentions the conversation history", async () => {
  const sender = fakeSseSender();
  const history = [
    { role: "user", content: "hi" },
    { role: "assistant", content: "hello" },
  ];
  await streamReply({ msg: "again", history }, sender);
  const text = sender.events.map((event) => event.data.content).join("");
  assert.equal(text, "You said: again (after 2 earlier messages)");
  assert.equal(sender.endCalls, 1);
});

test("ends the stream even when sending fails", async () => {
  const sender = fakeSseSender({ failOnSend: true });
  await assert.rejects(streamReply({ msg: "hello", history: [] }, sender), /client went away/);
  assert.equal(sender.endCalls, 1);
});
