"""`scaffolder lint --fix`: the edits that fix findings, one module per kind of file.

    eligibility.py   which findings a fixer can handle (cheap: the text report uses it)
    text_edits.py    a text edit at a span, and applying several back to front
    json_config.py   cloudbaserc.json / serverConfig edits at the right span, formatting and key order kept
    dockerfile.py    Dockerfile start commands (exec-form $PORT, loopback binds) and checked replacements
    files.py         reading a file to fix, creating or appending to one (.dockerignore), writing atomically
    python.py        Python with libcst (PORT and 0.0.0.0), imported only when a Python fix runs
    plan.py          every fix of one file in one pass, re-parsed before anything is written
    session.py       lint -> fix rounds until nothing more is fixable, for real or in a mirror for --diff

A fixer finds what to change from the finding's code and location in the current text and checks that
what is there is what the rule described; where that cannot be recovered, the check spells the change out
in `Fix.edits` (findings.Edit).
"""
