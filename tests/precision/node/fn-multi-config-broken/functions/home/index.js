exports.main = async () => ({ page: "home" });
