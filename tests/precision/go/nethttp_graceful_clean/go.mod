module example.com/nethttp-graceful-clean

go 1.22
