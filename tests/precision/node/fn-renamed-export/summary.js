"use strict";

function summarise(rows) {
  const total = rows.reduce((sum, row) => sum + Number(row.amount || 0), 0);
  return { count: rows.length, total };
}

module.exports = { summarise };
