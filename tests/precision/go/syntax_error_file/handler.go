package main

import "net/http"

func handler(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		w.WriteHeader(http.StatusCreated)
	}
	go func() {
		w.Write([]byte("half a statement"
	}()
}
