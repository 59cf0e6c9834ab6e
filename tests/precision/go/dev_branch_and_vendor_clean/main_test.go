package main

import (
	"net/http"
	"testing"
)

func TestServer(t *testing.T) {
	go http.ListenAndServe("127.0.0.1:18080", nil)
}
