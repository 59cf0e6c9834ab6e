package handlers

import "net/http"

// Orders lists orders.
func Orders(w http.ResponseWriter, r *http.Request) {
	_, _ = w.Write([]byte("[]"))
}
