module example.com/server-struct-localhost

go 1.22
