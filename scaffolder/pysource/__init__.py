"""Evidence from Python source, read with the stdlib `ast` (fast; no code is run).

    module.py       one parsed module: scopes, what each name is bound to, imports, literal values
    context.py      where a piece of code runs: at startup, in a request handler, in dead code
    paths.py        literal file-system paths: is a path local and persistent, or temporary
    entrypoints.py  how the service is started (Dockerfile, Procfile, shell scripts)
    startup.py      functions other modules call at startup (an app factory called by wsgi.py)
    argv.py         a script's port and host given on its command line (`python run.py 0.0.0.0 80`)
    files.py        which .py files of a service are checked at all (tests, migrations, tooling)
    triggers.py     how a rule states the words a file must contain before it can fire
    gate.py         a cheap test of a file's text: can any rule fire in it? (no tree otherwise)
    listen.py       CBR2xx: the port and host a server listens on
    state.py        CBR30x: data kept on the instance (files, SQLite, sessions, module globals)
    background.py   CBR31x: threads, schedulers and child processes started outside requests
"""
