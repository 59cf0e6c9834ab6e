const dayjs = require("dayjs");

exports.main = async () => ({ now: dayjs().toISOString() });
