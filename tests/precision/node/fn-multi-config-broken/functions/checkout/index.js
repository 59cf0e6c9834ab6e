exports.main = async () => ({ page: "checkout" });
