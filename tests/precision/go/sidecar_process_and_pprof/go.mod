module example.com/sidecar-process-and-pprof

go 1.22
