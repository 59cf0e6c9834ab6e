package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"

	"github.com/go-chi/chi/v5"
)

type todo struct {
	ID    int    `json:"id"`
	Title string `json:"title"`
}

var (
	mu        sync.Mutex
	nextID    = 1
	todos     = map[int]todo{}
	listCache []byte
)

func listTodos(w http.ResponseWriter, r *http.Request) {
	mu.Lock()
	defer mu.Unlock()
	if listCache == nil {
		listCache, _ = json.Marshal(todos)
	}
	_, _ = w.Write(listCache)
}

func createTodo(w http.ResponseWriter, r *http.Request) {
	var t todo
	if err := json.NewDecoder(r.Body).Decode(&t); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	mu.Lock()
	defer mu.Unlock()
	t.ID = nextID
	nextID++
	todos[t.ID] = t
	listCache = nil
	w.WriteHeader(http.StatusCreated)
}

func deleteTodo(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(chi.URLParam(r, "id"))
	mu.Lock()
	defer mu.Unlock()
	delete(todos, id)
	listCache = nil
}
