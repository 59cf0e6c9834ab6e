package main

import (
	"log"
	"net/http"
	"os"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("hi")) })

	if os.Getenv("APP_ENV") == "development" {
		// local development: loopback only, fixed port
		log.Fatal(http.ListenAndServe("localhost:8080", mux))
	}
	log.Fatal(http.ListenAndServe(":"+os.Getenv("PORT"), mux))
}
