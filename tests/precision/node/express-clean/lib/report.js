const fs = require("fs/promises");
const os = require("os");
const path = require("path");

const TEMPLATE = path.join(__dirname, "..", "templates", "report.html");

async function renderReport(data) {
  const template = await fs.readFile(TEMPLATE, "utf8");
  const scratch = path.join(os.tmpdir(), `report-${process.pid}.json`);
  await fs.writeFile(scratch, JSON.stringify(data));
  return template.replace("{{data}}", JSON.stringify(data));
}

module.exports = { renderReport };
