"""Evidence from JavaScript and TypeScript source, read with tree-sitter (no code is run).

    files.py        which files of a service are checked at all (tests, tooling, bundles, browser code)
    entrypoints.py  which files the service's start command runs with node (Dockerfile, package.json)
    module.py       one parsed file: the candidate calls, imports, what names are bound to, literals
    paths.py        literal file-system paths: is a path local and persistent, or temporary
    context.py      where code runs: at startup, in a request handler, only locally or in development
    listen.py       CBR201, CBR202, CBR606: the port and host a server listens on
    state.py        CBR301-CBR304: data kept on the instance (files, SQLite/lowdb/NeDB, sessions, globals)
    background.py   CBR311-CBR313: timers, schedulers and child processes started outside requests

The rules follow the Python ones (scaffolder/pysource/): a value is reported only when it is known
(a literal, or a name bound only to a literal); anything read from the environment, a parameter,
an import or a configuration object is unknown and never reported.
"""
