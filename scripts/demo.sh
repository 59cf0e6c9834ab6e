#!/usr/bin/env bash
# The main job, end to end: install scaffolder, generate a project from every template, lint each
# (they lint clean), then lint a broken service to show real findings.
# Usage: bash scripts/demo.sh [OUTPUT_DIR]   (default: a new temporary folder)
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q .

out="${1:-$(mktemp -d)}"
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ]; then
  echo "error: $out is not empty; give a new or empty folder (or none, for a temporary one)" >&2
  exit 2
fi
mkdir -p "$out"
echo "== scaffolder $(scaffolder --version | cut -d' ' -f2); projects go to $out"
scaffolder templates

generate() {  # generate NAME TEMPLATE [copier answers...]
  local name=$1 template=$2; shift 2
  local data=()
  for answer in "$@"; do data+=(--data "$answer"); done
  echo; echo "== scaffolder new $template $name ${data[*]:-} --defaults"
  scaffolder new "$template" "$out/$name" --defaults "${data[@]}"
  echo "== scaffolder lint $out/$name"
  scaffolder lint "$out/$name"
}

generate hello-fn function
generate hello-py container language=python
generate hello-node container language=node
generate hello-go container language=go
generate hello-java container language=java
generate hello-agent agent agent_name=helper bot_tag=demo

echo; echo "== scaffolder lint examples/broken-service (a broken service: findings expected, exit code 1)"
if scaffolder lint examples/broken-service; then
  echo "error: the broken example linted clean" >&2
  exit 1
fi
echo; echo "Done: every generated project linted clean; the broken example shows real findings."
