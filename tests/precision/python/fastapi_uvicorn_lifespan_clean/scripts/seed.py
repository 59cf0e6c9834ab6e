"""Fill a local SQLite database with fake leads: python scripts/seed.py."""

import json
import random
import sqlite3

connection = sqlite3.connect("dev.db")
connection.execute("CREATE TABLE IF NOT EXISTS leads (id INTEGER PRIMARY KEY, name TEXT, budget INTEGER)")
for number in range(100):
    connection.execute("INSERT INTO leads (name, budget) VALUES (?, ?)", (f"lead {number}", random.randint(1, 100)))
connection.commit()
with open("fixtures.json", "w") as handle:
    json.dump({"leads": 100}, handle)
