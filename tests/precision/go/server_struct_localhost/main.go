package main

import (
	"log"
	"net/http"
	"time"

	"example.com/server-struct-localhost/internal/handlers"
)

func newServer() *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/orders", handlers.Orders)
	return &http.Server{Addr: "localhost:9000", Handler: mux}
}

func main() {
	srv := &http.Server{
		Addr:         "localhost:8080",
		Handler:      http.HandlerFunc(handlers.Orders),
		ReadTimeout:  10 * time.Second,
		WriteTimeout: 10 * time.Second,
	}
	log.Printf("listening on %s", srv.Addr)
	log.Fatal(srv.ListenAndServe())
}
