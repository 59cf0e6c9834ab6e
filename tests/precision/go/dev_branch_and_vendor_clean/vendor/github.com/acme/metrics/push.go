package metrics

import (
	"net/http"
	"time"
)

func Start() {
	go func() {
		for range time.Tick(time.Minute) {
			_, _ = http.Get("http://localhost:9091/push")
		}
	}()
	_ = http.ListenAndServe(":9100", nil)
}
