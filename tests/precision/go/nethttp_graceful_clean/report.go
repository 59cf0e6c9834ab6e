package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
)

// reportHandler renders a CSV into a scratch file and streams it back.
func reportHandler(w http.ResponseWriter, r *http.Request) {
	dir, err := os.MkdirTemp("", "report-")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer os.RemoveAll(dir)

	path := filepath.Join(dir, "report.csv")
	if err := os.WriteFile(path, []byte("id,total\n1,42\n"), 0o600); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "text/csv")
	fmt.Fprintf(w, "%s\n", filepath.Base(path))
}
