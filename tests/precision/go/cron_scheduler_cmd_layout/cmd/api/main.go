package main

import (
	"log"
	"net/http"
	"os"

	"github.com/robfig/cron/v3"

	"example.com/cron-scheduler-cmd-layout/internal/jobs"
)

func main() {
	c := cron.New()
	if _, err := c.AddFunc("@every 10m", jobs.SendReminders); err != nil {
		log.Fatal(err)
	}
	c.Start()
	defer c.Stop()

	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	log.Fatal(http.ListenAndServe(":"+os.Getenv("PORT"), mux))
}
