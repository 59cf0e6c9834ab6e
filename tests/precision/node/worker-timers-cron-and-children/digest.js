async function buildDigest(options = {}) {
  return { items: [], options };
}

async function sendDigest(digest) {
  console.log("sending", digest.items.length);
}

module.exports = { buildDigest, sendDigest };
