"use strict";

// A second function in the same service. cloudbase-functions.json routes every path that
// starts with /hello here; everything else goes to the main function in ../../index.js.
// Code shared by several functions can live in a common folder and be required normally.

exports.main = async (event, context) => {
  const url = new URL(context.httpContext.url, "http://localhost");
  const name = url.searchParams.get("name") || "world";
  return { message: `Hello, ${name}!` };
};
