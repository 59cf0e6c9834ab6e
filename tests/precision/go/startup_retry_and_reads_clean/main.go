package main

import (
	"database/sql"
	"encoding/json"
	"log"
	"net/http"
	"os"
	"time"

	_ "github.com/go-sql-driver/mysql"
)

type config struct {
	Greeting string `json:"greeting"`
}

func connect(dsn string) *sql.DB {
	var db *sql.DB
	var err error
	for {
		db, err = sql.Open("mysql", dsn)
		if err == nil && db.Ping() == nil {
			break
		}
		log.Printf("database not ready: %v", err)
		time.Sleep(2 * time.Second)
	}
	return db
}

func loadConfig() config {
	f, err := os.OpenFile("config.json", os.O_RDONLY, 0)
	if err != nil {
		return config{Greeting: "hello"}
	}
	defer f.Close()
	var cfg config
	_ = json.NewDecoder(f).Decode(&cfg)
	return cfg
}

func main() {
	cfg := loadConfig()
	db := connect(os.Getenv("DATABASE_DSN"))
	defer db.Close()

	go func() {
		// wait for the database once, then warm the connection pool and stop
		for i := 0; i < 5; i++ {
			if db.Ping() == nil {
				return
			}
			time.Sleep(time.Second)
		}
	}()

	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(cfg.Greeting))
	})
	http.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		timer := time.AfterFunc(3*time.Second, func() { log.Println("slow request") })
		defer timer.Stop()
		_, _ = w.Write([]byte("done"))
	})

	addr := "0.0.0.0:" + os.Getenv("PORT")
	log.Fatal(http.ListenAndServe(addr, nil))
}
