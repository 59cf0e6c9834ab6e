const { main } = require("../index");

test("unknown paths are 404", async () => {
  const response = await main({}, { httpContext: { url: "/nope", httpMethod: "GET" } });
  expect(response.statusCode).toBe(404);
});
