"""hadolint through the engine: real binary, JSON mapped to findings, settings and config applied."""

from __future__ import annotations

import os
import stat

import pytest

from scaffolder.checks import hadolint
from scaffolder.engine import CheckError
from scaffolder.findings import Severity

APP = 'import os\n\nPORT = int(os.environ.get("PORT", "8080"))\n'
DOCKERFILE = """\
FROM python:3.12-slim
WORKDIR /app
RUN apt-get update && apt-get install -y curl
COPY . .
CMD ["python", "app.py"]
"""


def service(dockerfile: str = DOCKERFILE, **files: str) -> dict[str, str]:
    return {"Dockerfile": dockerfile, "app.py": APP, ".dockerignore": ".git\n.env\n", **files}


def by_code(findings):
    return {finding.code: finding for finding in findings}


@pytest.fixture(autouse=True)
def _no_override(monkeypatch):
    monkeypatch.delenv(hadolint.BINARY_VARIABLE, raising=False)
    for key in [key for key in os.environ if key.startswith("HADOLINT_")]:
        monkeypatch.delenv(key)


def test_binary_is_found_next_to_the_interpreter():
    assert hadolint.hadolint_binary().is_file()


def test_findings_are_mapped(lint_files):
    findings = by_code(lint_files(service(), hadolint=True))
    assert {"DL3008", "DL3009", "DL3015"} <= set(findings)
    pin = findings["DL3008"]
    assert (pin.path, pin.line, pin.column) == ("Dockerfile", 3, 1)
    assert pin.source == "hadolint" and pin.severity == Severity.WARNING
    assert "apt-get install <package>=<version>" in pin.message
    assert findings["DL3015"].severity == Severity.INFO
    assert all(finding.source == "hadolint" for code, finding in findings.items() if code.startswith("DL"))


def test_hadolint_off_by_setting(lint_files):
    assert lint_files(service(), hadolint=False) == []


def test_ignore_setting_removes_a_hadolint_code(lint_files):
    codes = {finding.code for finding in lint_files(service(), hadolint=True, ignore=["DL3008"])}
    assert "DL3008" not in codes and "DL3015" in codes


def test_select_prefix_keeps_only_those_codes(lint_files):
    codes = {finding.code for finding in lint_files(service(), hadolint=True, select=["DL3008"])}
    assert codes == {"DL3008"}


def test_severity_override(lint_files):
    findings = by_code(lint_files(service(), hadolint=True, severity={"DL3008": Severity.ERROR}))
    assert findings["DL3008"].severity == Severity.ERROR


def test_inline_scaffolder_suppression(lint_files):
    dockerfile = DOCKERFILE.replace("RUN apt-get", "# scaffolder: ignore[DL3008]\nRUN apt-get")
    codes = {finding.code for finding in lint_files(service(dockerfile), hadolint=True)}
    assert "DL3008" not in codes and "DL3015" in codes and "CBR002" not in codes


def test_hadolint_own_pragma(lint_files):
    dockerfile = DOCKERFILE.replace("RUN apt-get", "# hadolint ignore=DL3008\nRUN apt-get")
    codes = {finding.code for finding in lint_files(service(dockerfile), hadolint=True)}
    assert "DL3008" not in codes and "DL3015" in codes


def test_project_config_is_applied(lint_files):
    config = "ignored:\n  - DL3015\noverride:\n  error:\n    - DL3009\nformat: tty\nno-fail: false\n"
    findings = by_code(lint_files(service(**{".hadolint.yaml": config}), hadolint=True))
    assert "DL3015" not in findings and "DL3008" in findings  # output keys (format: tty) are dropped
    assert findings["DL3009"].severity == Severity.ERROR


def test_environment_cannot_change_the_output(lint_files, monkeypatch):
    monkeypatch.setenv("HADOLINT_FORMAT", "tty")
    monkeypatch.setenv("HADOLINT_IGNORE", "DL3008")
    assert "DL3008" in by_code(lint_files(service(), hadolint=True))


@pytest.mark.parametrize(("config", "message"), [
    ("ignored: [DL3008\n", "not valid YAML"),
    ("ignore: [DL3008]\n", "did you mean 'ignored'"),
    ("ignored: DL3008\n", "list of rule codes"),
    ("override:\n  fatal: [DL3008]\n", "override"),
    ("- DL3008\n", "mapping"),
])
def test_bad_project_config_stops_the_run(lint_files, config, message):
    with pytest.raises(CheckError, match=message):
        lint_files(service(**{".hadolint.yaml": config}), hadolint=True)


def test_parse_error_is_reported_once(lint_files):
    findings = lint_files(service("FROM python:3.12-slim\nENV ONLY_A_NAME\n"), hadolint=True)
    assert [(f.code, f.line) for f in findings] == [("CBR001", 2)]


def test_no_dockerfile_no_hadolint(lint_files):
    assert lint_files({"app.py": APP}, hadolint=True) == []


def test_missing_binary_is_an_error(lint_files, monkeypatch, tmp_path):
    monkeypatch.setenv(hadolint.BINARY_VARIABLE, str(tmp_path / "no-such-hadolint"))
    with pytest.raises(CheckError, match="SCAFFOLDER_HADOLINT"):
        lint_files(service(), hadolint=True)


def _script(tmp_path, body: str):
    path = tmp_path / "fake-hadolint"
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.mark.skipif(os.name == "nt", reason="shell script stand-in")
@pytest.mark.parametrize(("body", "message"), [
    ("echo 'hadolint: boom' >&2\nexit 1\n", "boom"),
    ("echo 'not json'\n", "cannot read"),
    ('echo \'{"code": "DL3008"}\'\n', "cannot read"),
    ("exit 3\n", "exit status 3"),
])
def test_broken_binary_is_an_error(lint_files, monkeypatch, tmp_path, body, message):
    tree = tmp_path / "tree"
    tree.mkdir()
    monkeypatch.setenv(hadolint.BINARY_VARIABLE, str(_script(tmp_path, body)))
    from conftest import lint_tree

    with pytest.raises(CheckError, match=message):
        lint_tree(tree, service(), hadolint=True)


def test_not_executable_binary_is_an_error(lint_files, monkeypatch, tmp_path):
    fake = tmp_path / "hadolint-data"
    fake.write_text("not a program", encoding="utf-8")
    monkeypatch.setenv(hadolint.BINARY_VARIABLE, str(fake))
    tree = tmp_path / "tree"
    tree.mkdir()
    from conftest import lint_tree

    with pytest.raises(CheckError, match="could not be started"):
        lint_tree(tree, service(), hadolint=True)


def test_unreadable_dockerfile_is_cbr001(tmp_path):
    from conftest import lint_tree

    (tmp_path / "Dockerfile").write_bytes(b"FROM python:3.12-slim\nLABEL x=\xff\xfe\n")
    findings = lint_tree(tmp_path, hadolint=True)
    assert [(f.code, f.path) for f in findings] == [("CBR001", "Dockerfile")]
    assert "UTF-8" in findings[0].message


def _temporary_configs() -> set[str]:
    import glob
    import tempfile

    return set(glob.glob(f"{tempfile.gettempdir()}/scaffolder-hadolint-*"))


@pytest.mark.parametrize("jobs", [1, 2])
def test_many_services_in_chunks_each_with_its_own_config(tmp_path, monkeypatch, jobs):
    """Dockerfiles are linted several to a process, grouped by the .hadolint.yaml that applies."""
    from conftest import write_tree
    from scaffolder.catalog import default_catalog
    from scaffolder.engine import LintOptions, lint
    from scaffolder.settings import Settings

    monkeypatch.setattr(hadolint, "CHUNK_SIZE", 2)
    (tmp_path / ".git").mkdir()
    for index in range(5):
        write_tree(tmp_path / "plain" / f"svc{index}", service())
    for index in range(3):
        write_tree(tmp_path / "team" / f"svc{index}", service())
    (tmp_path / "team" / ".hadolint.yaml").write_text("ignored: [DL3008]\n", encoding="utf-8")
    before = _temporary_configs()
    options = LintOptions(settings=Settings(hadolint=True), catalog=default_catalog(), report_root=tmp_path,
                          jobs=jobs)
    found = lint([tmp_path], options).findings
    by_service: dict[str, set[str]] = {}
    for finding in found:
        if finding.source == "hadolint":
            by_service.setdefault(finding.path.rsplit("/", 1)[0], set()).add(finding.code)
    assert sorted(by_service) == [f"plain/svc{i}" for i in range(5)] + [f"team/svc{i}" for i in range(3)]
    assert all("DL3008" in by_service[f"plain/svc{i}"] for i in range(5))
    assert all("DL3008" not in by_service[f"team/svc{i}"] and "DL3015" in by_service[f"team/svc{i}"]
               for i in range(3))
    assert _temporary_configs() == before


@pytest.mark.skipif(os.name == "nt", reason="shell script stand-in")
def test_failure_in_one_chunk_stops_the_run_and_leaves_nothing_behind(tmp_path, monkeypatch):
    from conftest import lint_tree

    failing = _script(tmp_path, "sleep 0.2\necho 'hadolint: boom' >&2\nexit 1\n")
    monkeypatch.setenv(hadolint.BINARY_VARIABLE, str(failing))
    monkeypatch.setattr(hadolint, "CHUNK_SIZE", 1)
    tree = tmp_path / "tree"
    for index in range(4):
        (tree / f"svc{index}").mkdir(parents=True)
    before = _temporary_configs()
    with pytest.raises(CheckError, match="boom"):
        lint_tree(tree, {f"svc{index}/{name}": text for index in range(4) for name, text in service().items()},
                  hadolint=True)
    assert _temporary_configs() == before


def _wrapper(tmp_path, refuse: str | None):
    """A stand-in for another hadolint build: it records each command line, stops the way GHC's
    runtime does when `refuse` is given and the command holds +RTS, and otherwise runs the real
    hadolint with the same arguments."""
    real = hadolint.hadolint_binary()
    log = tmp_path / "commands.log"
    refusal = (f'case " $* " in *" +RTS "*) echo "hadolint: {refuse}" >&2; exit 1;; esac\n' if refuse else "")
    return _script(tmp_path, f'echo "$*" >> "{log}"\n{refusal}exec "{real}" "$@"\n'), log


def _lint_three_services(tmp_path, jobs: int = 1):
    from conftest import write_tree
    from scaffolder.catalog import default_catalog
    from scaffolder.engine import LintOptions, lint
    from scaffolder.settings import Settings

    tree = tmp_path / "tree"
    write_tree(tree, {f"svc{index}/{name}": text for index in range(3) for name, text in service().items()})
    options = LintOptions(settings=Settings(hadolint=True), catalog=default_catalog(), report_root=tree, jobs=jobs)
    return lint([tree], options).findings


@pytest.mark.skipif(os.name == "nt", reason="shell script stand-in")
def test_hadolint_runs_with_one_capability(tmp_path, monkeypatch):
    wrapper, log = _wrapper(tmp_path, refuse=None)
    monkeypatch.setenv(hadolint.BINARY_VARIABLE, str(wrapper))
    found = _lint_three_services(tmp_path)
    assert {f.path.split("/")[0] for f in found if f.code == "DL3008"} == {"svc0", "svc1", "svc2"}
    assert [line.split()[:4] for line in log.read_text().splitlines()] == [["+RTS", "-N1", "-A12m", "-RTS"]]


@pytest.mark.skipif(os.name == "nt", reason="shell script stand-in")
@pytest.mark.parametrize("refusal", [
    "Most RTS options are disabled. Link with -rtsopts to enable them.",
    "the flag -N1 requires the program to be built with -threaded",
])
@pytest.mark.parametrize("jobs", [1, 2])
def test_build_without_rts_options_runs_again_without_them(tmp_path, monkeypatch, refusal, jobs):
    monkeypatch.setattr(hadolint, "CHUNK_SIZE", 1)
    wrapper, log = _wrapper(tmp_path, refuse=refusal)
    monkeypatch.setenv(hadolint.BINARY_VARIABLE, str(wrapper))
    found = _lint_three_services(tmp_path, jobs)
    assert {f.path.split("/")[0] for f in found if f.code == "DL3008"} == {"svc0", "svc1", "svc2"}
    commands = log.read_text().splitlines()
    plain = [line for line in commands if "+RTS" not in line]
    assert len(plain) == 3 and len(commands) - len(plain) <= jobs  # refused at most once per running process


@pytest.mark.skipif(os.name == "nt", reason="shell script stand-in")
def test_a_hung_hadolint_stops_the_run_at_the_deadline(tmp_path, monkeypatch):
    import time

    from conftest import lint_tree

    monkeypatch.setenv(hadolint.BINARY_VARIABLE, str(_script(tmp_path, "exec sleep 30\n")))
    monkeypatch.setattr(hadolint, "TIMEOUT_SECONDS", 0.5)
    before = _temporary_configs()
    started = time.monotonic()
    with pytest.raises(CheckError, match="did not finish within 0.5 s"):
        lint_tree(tmp_path / "tree", service(), hadolint=True)
    assert time.monotonic() - started < 10
    assert _temporary_configs() == before


@pytest.mark.parametrize("count", [1, 15, 64, 130, 500, 1000])
@pytest.mark.parametrize("jobs", [1, 2, 4])
def test_chunks_shrink_towards_the_end_so_processes_finish_together(count, jobs):
    sizes = hadolint.chunk_sizes(count, jobs)
    assert sum(sizes) == count and max(sizes) <= hadolint.CHUNK_SIZE
    assert sizes == sorted(sizes, reverse=True)
    if jobs == 1:
        assert len(sizes) == -(-count // hadolint.CHUNK_SIZE)  # nothing runs beside the last one anyway
    elif count >= 2 * jobs * hadolint.CHUNK_SIZE:  # much to do: full chunks first, small ones last
        assert sizes[0] == hadolint.CHUNK_SIZE and sizes[-1] <= hadolint.MIN_CHUNK_SIZE
