"""The issue's acceptance case: the two Dockerfile examples of the source documents, each with an
app that reads PORT and a cloudbaserc.json of Cpu 0.5 / Mem 1, lint with no error (hadolint on);
with Mem 2, a CBR4xx finding names cloudbaserc.json and the Mem line."""

from __future__ import annotations

import json

import pytest

from conftest import lint_tree
from scaffolder.findings import Severity

NODE_SEED = {
    "Dockerfile": 'FROM node:18-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\n'
                  'ENV NODE_ENV=production\nEXPOSE 3000\nCMD ["node","server.js"]\n',
    "package.json": '{"name": "seed-node", "version": "1.0.0", "main": "server.js"}\n',
    "server.js": 'const http = require("http");\nconst port = Number(process.env.PORT || 3000);\n'
                 'http.createServer((req, res) => res.end("ok")).listen(port, "0.0.0.0");\n',
}
PYTHON_SEED = {
    "Dockerfile": 'FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt ./\n'
                  'RUN pip install -r requirements.txt --no-cache-dir\nCOPY . .\nENV PORT=3000\nEXPOSE 3000\n'
                  'CMD ["python","app.py"]\n',
    "requirements.txt": "flask==3.0.3\n",
    "app.py": 'import os\n\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get("/")\ndef index():\n'
              '    return "ok"\n\n\nif __name__ == "__main__":\n'
              '    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "3000")))\n',
}
DOCKERIGNORE = ".git\n.env\nnode_modules\n"


def cloudbaserc(mem) -> str:
    config = {"Cpu": 0.5, "Mem": mem, "MinNum": 0, "MaxNum": 5, "OpenAccessTypes": ["PUBLIC"], "Port": 3000}
    return json.dumps({"envId": "env-1a2b", "cloudrun": {"name": "seed-svc", "serverConfig": config}}, indent=2) + "\n"


@pytest.mark.parametrize("seed", [NODE_SEED, PYTHON_SEED], ids=["node", "python"])
def test_seed_examples_lint_without_error_and_catch_a_bad_mem(tmp_path, seed):
    files = {**seed, ".dockerignore": DOCKERIGNORE, "cloudbaserc.json": cloudbaserc(1)}
    findings = lint_tree(tmp_path, files, hadolint=True)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    assert errors == [], errors

    (tmp_path / "cloudbaserc.json").write_text(cloudbaserc(2))
    findings = lint_tree(tmp_path, hadolint=True)
    config = [f for f in findings if f.code.startswith("CBR4")]
    assert config, findings
    mem_line = cloudbaserc(2).splitlines().index('      "Mem": 2,') + 1
    assert any(f.path == "cloudbaserc.json" and f.line == mem_line for f in config), config
