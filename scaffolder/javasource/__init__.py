"""Evidence from Java services, read with tree-sitter (source) and PyYAML (configuration); no code
is run or compiled.

    files.py        which .java and application.* files are the service's (not tests, not build output)
    javafile.py     one parsed file: imports, and the calls, `new`s and annotations the rules look at
    scopes.py       what a name is bound to: locals, parameters, fields (annotated fields are injected)
    values.py       what an expression holds: literal values, a literal prefix, a file-system path
    context.py      where code runs: at startup (main, @PostConstruct, runners...) or only in dev
    config.py       application.properties / application.yml entries, with their lines
    overrides.py    what the deployment sets instead (SERVER_PORT, -Dserver.port) and its port
    listen.py       CBR201/CBR202 in code: HttpServer, ServerSocket, Javalin, Vert.x, Undertow...
    settings.py     CBR201/CBR202/CBR302 in application.* and Spring Boot's default port 8080
    state.py        CBR301/CBR302 in code: file writes, SQLite and H2 file databases
    memory.py       CBR304: collection fields that POST/PUT/PATCH/DELETE handlers add to
    background.py   CBR311/CBR312: threads with loops, timers, executors and schedulers at startup
    processes.py    CBR313: child processes started at startup or detached on purpose
"""
