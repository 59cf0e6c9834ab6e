package main

import (
	"context"
	"log"
	"net/http"
	"os"
	"sync"
	"time"
)

var (
	mu    sync.RWMutex
	rates = map[string]float64{}
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	go refreshRates(ctx)
	go func() {
		for {
			log.Printf("heartbeat")
			time.Sleep(30 * time.Second)
		}
	}()

	http.HandleFunc("/rates", func(w http.ResponseWriter, r *http.Request) {
		mu.RLock()
		defer mu.RUnlock()
		for code, rate := range rates {
			_, _ = w.Write([]byte(code + " " + formatRate(rate) + "\n"))
		}
	})
	http.HandleFunc("/warm", func(w http.ResponseWriter, r *http.Request) {
		// One refresh in the background of this request; it ends on its own.
		go fetchRates()
		w.WriteHeader(http.StatusAccepted)
	})
	log.Fatal(http.ListenAndServe(":"+os.Getenv("PORT"), nil))
}
