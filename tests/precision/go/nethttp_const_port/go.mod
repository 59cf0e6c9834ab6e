module example.com/nethttp-const-port

go 1.22
