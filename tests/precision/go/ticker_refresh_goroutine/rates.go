package main

import (
	"context"
	"strconv"
	"time"
)

func refreshRates(ctx context.Context) {
	ticker := time.NewTicker(5 * time.Minute)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			fetchRates()
		}
	}
}

func fetchRates() {
	mu.Lock()
	defer mu.Unlock()
	rates["USD"] = 7.1
}

func formatRate(rate float64) string {
	return strconv.FormatFloat(rate, 'f', 4, 64)
}
