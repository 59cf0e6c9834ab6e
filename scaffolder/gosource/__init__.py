"""Evidence from Go source, read with tree-sitter (no code is run, nothing is compiled).

    files.py        which .go files of a service are service code (tests, vendor, generated, tools)
    gofile.py       one parsed file: its package, imports and the calls the rules look at
    package.py      the files of one Go package (a folder), parsed on demand, and what they declare
    values.py       what an expression holds: literal values, a literal prefix, a file-system path
    context.py      where code runs: at startup (main, init and what they call), or only in dev
    listen.py       CBR201/CBR202: the address a server listens on
    state.py        CBR301/CBR302: files and SQLite databases on the instance's disk
    sessions.py     CBR303: session stores in memory or in files
    memory.py       CBR304: package-level maps and slices that POST/PUT/PATCH/DELETE handlers add to
    background.py   CBR311/CBR312: periodic goroutines, timers and cron schedulers started at startup
    processes.py    CBR313: child processes started at startup or detached on purpose
"""
