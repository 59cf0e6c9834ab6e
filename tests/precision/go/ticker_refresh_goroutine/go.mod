module example.com/ticker-refresh-goroutine

go 1.22
