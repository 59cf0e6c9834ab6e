package com.example.todo;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/todos")
public class TodoController {

    private final Map<Long, Todo> todos = new ConcurrentHashMap<>();
    private final Map<Long, String> renderCache = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    @GetMapping
    public Collection<Todo> all() {
        return todos.values();
    }

    @GetMapping("/{id}/html")
    public String html(@PathVariable long id) {
        return renderCache.computeIfAbsent(id, key -> "<li>" + todos.get(key).title() + "</li>");
    }

    @PostMapping
    public ResponseEntity<Todo> create(@RequestBody Todo body) {
        Todo todo = new Todo(ids.incrementAndGet(), body.title());
        todos.put(todo.id(), todo);
        renderCache.remove(todo.id());
        return ResponseEntity.status(201).body(todo);
    }

    @DeleteMapping("/{id}")
    public void delete(@PathVariable long id) {
        todos.remove(id);
        renderCache.remove(id);
    }

    public record Todo(long id, String title) {
    }
}
