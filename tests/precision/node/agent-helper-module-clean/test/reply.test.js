const test = require("node:test");
const assert = require("node:assert/strict");
const { streamReply } = require("../src/reply");

test("ends the stream", async () => {
  const sent = [];
  let ended = 0;
  await streamReply({ msg: "hi", history: [] }, { send: (e) => sent.push(e), end: () => { ended += 1; } });
  assert.equal(ended, 1);
  // a fake id in a test is not checked
  assert.ok("ibot-Fake-id");
});
