import sqlite3

with sqlite3.connect("notes/notes.db") as connection:
    connection.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
