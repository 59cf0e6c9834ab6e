package main

import (
	"log"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
)

type Todo struct {
	ID    uint   `gorm:"primaryKey" json:"id"`
	Title string `json:"title"`
	Done  bool   `json:"done"`
}

func openDatabase() *gorm.DB {
	db, err := gorm.Open(sqlite.Open("todo.db"), &gorm.Config{})
	if err != nil {
		log.Fatal(err)
	}
	if err := db.AutoMigrate(&Todo{}); err != nil {
		log.Fatal(err)
	}
	return db
}

// cacheDatabase is shared scratch state: an in-memory database is fine.
func cacheDatabase() *gorm.DB {
	db, _ := gorm.Open(sqlite.Open("file::memory:?cache=shared"), &gorm.Config{})
	return db
}
