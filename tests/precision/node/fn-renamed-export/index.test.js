const { handleReport } = require("./index");

test("sums", async () => {
  expect(await handleReport({ rows: [{ amount: 2 }] })).toEqual({ count: 1, total: 2 });
});
