module example.com/dev-branch-and-vendor-clean

go 1.22
