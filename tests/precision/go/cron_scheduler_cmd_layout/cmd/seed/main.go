package main

import (
	"encoding/json"
	"log"
	"os"
)

// seed writes fixtures for local development; it is not part of the image.
func main() {
	data, _ := json.MarshalIndent(map[string]int{"users": 3}, "", "  ")
	if err := os.WriteFile("fixtures.json", data, 0o644); err != nil {
		log.Fatal(err)
	}
	log.Println("wrote fixtures.json")
}
