"use strict";

const { summarise } = require("./summary");

// Renamed from main during a refactor.
async function handleReport(event) {
  return summarise(Array.isArray(event.rows) ? event.rows : []);
}

module.exports = {
  handleReport,
};
