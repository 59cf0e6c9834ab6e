package main

import (
	"encoding/json"
	"log"
	"net/http"
)

const listenAddr = ":8080"

type greeting struct {
	Message string `json:"message"`
}

func hello(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(greeting{Message: "hello"})
}

func main() {
	http.HandleFunc("/", hello)
	log.Printf("listening on %s", listenAddr)
	log.Fatal(http.ListenAndServe(listenAddr, nil))
}
