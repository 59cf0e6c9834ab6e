#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh machine (Python 3.11, Node.js 20), then runs it.
# Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian toolchains the template tests boot projects with (Go; a JDK for the Java template).
missing=()
command -v go >/dev/null 2>&1 || missing+=(golang-go)
command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "warning: ${missing[*]} missing and not root; those template tests will be skipped" >&2
  fi
fi

python3 -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
# A regular (not editable) install: the tests run against what users get from `pip install .`.
python -m pip install -q ".[test]"
# `pytest` (not `python -m pytest`) so that the installed package, not the checkout, is imported.
pytest "$@"
