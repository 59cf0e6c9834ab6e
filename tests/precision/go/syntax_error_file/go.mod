module example.com/syntax-error-file

go 1.22
