console.log("archiving", process.argv[2]);
