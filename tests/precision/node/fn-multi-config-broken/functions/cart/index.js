exports.main = async (event) => ({ items: Array.isArray(event.items) ? event.items : [] });
