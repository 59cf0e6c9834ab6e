"""The result cache through the real command: what makes a service be checked again, where the
cache lives, and that a broken or unwritable cache never changes the answer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import write_tree

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "broken-service"


def scaffolder(*args, cwd: Path, env: dict | None = None):
    environment = {key: value for key, value in os.environ.items() if key != "SCAFFOLDER_CACHE_DIR"}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "scaffolder", "lint", "-v", "--no-hadolint", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, env=environment)


def counts(result) -> tuple[int, int]:
    """(checked, from the cache) from the --verbose line."""
    line = next(line for line in result.stderr.splitlines() if "from the cache" in line)
    checked = int(line.split(" checked")[0].rsplit(" ", 1)[-1])
    cached = int(line.split(" from the cache")[0].rsplit(" ", 1)[-1])
    return checked, cached


@pytest.fixture
def monorepo(tmp_path):
    for name in ("alpha", "beta", "gamma"):
        shutil.copytree(EXAMPLE, tmp_path / "services" / name)
    return tmp_path


def test_second_run_reuses_every_service_and_reports_the_same(monorepo):
    first = scaffolder("services", "--format", "json", cwd=monorepo)
    second = scaffolder("services", "--format", "json", cwd=monorepo)
    assert counts(first) == (3, 0)
    assert counts(second) == (0, 3)
    assert first.returncode == second.returncode == 1
    assert second.stdout == first.stdout and json.loads(second.stdout)


def test_one_changed_file_rechecks_only_its_service(monorepo):
    scaffolder("services", cwd=monorepo)
    app = monorepo / "services" / "beta" / "app.py"
    app.write_text(app.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
    assert counts(scaffolder("services", cwd=monorepo)) == (1, 2)


def test_a_fixed_problem_disappears_from_the_cached_report(monorepo):
    scaffolder("services/alpha", "--format", "json", cwd=monorepo)
    config = monorepo / "services" / "alpha" / "cloudbaserc.json"
    before = json.loads(scaffolder("services/alpha", "--format", "json", cwd=monorepo).stdout)
    data = json.loads(config.read_text(encoding="utf-8"))
    data["cloudrun"]["serverConfig"]["Mem"] = data["cloudrun"]["serverConfig"]["Cpu"] * 2
    config.write_text(json.dumps(data), encoding="utf-8")
    after = json.loads(scaffolder("services/alpha", "--format", "json", cwd=monorepo).stdout)
    assert "CBR401" in {f["code"] for f in before["findings"]}
    assert "CBR401" not in {f["code"] for f in after["findings"]}


def test_changed_settings_recheck_everything(monorepo):
    scaffolder("services", cwd=monorepo)
    (monorepo / ".scaffolder.toml").write_text('ignore = ["CBR301"]\n', encoding="utf-8")
    assert counts(scaffolder("services", cwd=monorepo)) == (3, 0)
    assert counts(scaffolder("services", "--select", "CBR4", cwd=monorepo)) == (3, 0)


def test_no_cache_neither_reads_nor_writes(monorepo):
    result = scaffolder("services", "--no-cache", cwd=monorepo)
    assert counts(result) == (3, 0)
    assert not (monorepo / ".scaffolder_cache").exists()


def test_cache_folder_marks_itself_and_stays_out_of_git(monorepo):
    subprocess.run(["git", "init", "-q"], cwd=monorepo, check=True)
    scaffolder("services", cwd=monorepo)
    folder = monorepo / ".scaffolder_cache"
    assert (folder / "CACHEDIR.TAG").read_text(encoding="utf-8").startswith("Signature: 8a477f597d28d172789f06886806bc55")
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=monorepo,
                            capture_output=True, text=True, check=True).stdout
    assert ".scaffolder_cache" not in status and "services/" in status


def test_cache_dir_option_and_variable(monorepo, tmp_path_factory):
    chosen = tmp_path_factory.mktemp("chosen")
    scaffolder("services", "--cache-dir", str(chosen), cwd=monorepo)
    assert counts(scaffolder("services", "--cache-dir", str(chosen), cwd=monorepo)) == (0, 3)
    assert counts(scaffolder("services", cwd=monorepo, env={"SCAFFOLDER_CACHE_DIR": str(chosen)})) == (0, 3)
    assert not (monorepo / ".scaffolder_cache").exists()


def test_corrupt_entries_are_misses(monorepo):
    first = scaffolder("services", "--format", "json", cwd=monorepo)
    for entry in (monorepo / ".scaffolder_cache").rglob("*.json"):
        entry.write_text('{"key": "' if "0" in entry.name else "\x00garbage", encoding="utf-8")
    again = scaffolder("services", "--format", "json", cwd=monorepo)
    assert counts(again) == (3, 0)
    assert again.stdout == first.stdout and "Traceback" not in again.stderr


def test_unwritable_cache_location_still_lints(monorepo):
    blocker = monorepo / "not-a-folder"
    blocker.write_text("a file where the cache's parent folder would go", encoding="utf-8")
    result = scaffolder("services", "--cache-dir", str(blocker / "cache"), cwd=monorepo)
    assert result.returncode == 1 and counts(result) == (3, 0) and "Traceback" not in result.stderr


@pytest.mark.parametrize("where", [".", "services", "not-a-folder"])
def test_cache_never_writes_into_a_folder_it_does_not_own(monorepo, where):
    (monorepo / "not-a-folder").write_text("a file", encoding="utf-8")
    result = scaffolder("services", "--cache-dir", where, cwd=monorepo)
    assert result.returncode == 2 and "is not a scaffolder cache" in result.stderr
    assert not (monorepo / ".gitignore").exists() and not (monorepo / "services" / "CACHEDIR.TAG").exists()


def test_odd_files_in_a_service(monorepo):
    """File names that are not UTF-8, a FIFO and a large file neither crash, block nor get read."""
    service = monorepo / "services" / "alpha"
    (service / "caf\udce9.txt".encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")).write_text("x")
    os.mkfifo(service / "queue.py")
    with open(service / "model.bin", "wb") as stream:
        stream.truncate(64 * 2**20)  # sparse: 64 MiB of size, nothing on disk
    first = scaffolder("services/alpha", "--format", "json", cwd=monorepo)
    assert first.returncode == 1 and "Traceback" not in first.stderr
    assert '"path": "services/alpha/queue.py"' in first.stdout  # CBR001: not a regular file
    assert counts(scaffolder("services/alpha", cwd=monorepo)) == (0, 1)
    os.utime(service / "model.bin", ns=(1, 1))  # a large file is keyed by its size and time
    assert counts(scaffolder("services/alpha", cwd=monorepo)) == (1, 0)


def test_concurrent_runs_agree(monorepo):
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: scaffolder("services", "--format", "json", cwd=monorepo), range(4)))
    assert {result.returncode for result in results} == {1}
    assert len({result.stdout for result in results}) == 1
    assert counts(scaffolder("services", cwd=monorepo)) == (0, 3)


def test_hadolint_config_above_the_service_is_part_of_the_key(tmp_path):
    write_tree(tmp_path, {"svc/Dockerfile": "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y curl\n"
                                            'CMD ["python", "app.py"]\n',
                          "svc/app.py": "print('hi')\n", "svc/.dockerignore": ".git\n"})
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)

    def lint():
        result = subprocess.run([sys.executable, "-m", "scaffolder", "lint", "-v", "--format", "json", "svc"],
                                cwd=tmp_path, capture_output=True, text=True, timeout=120)
        return {f["code"] for f in json.loads(result.stdout)["findings"]}, counts(result)

    codes, _ = lint()
    assert "DL3008" in codes
    (tmp_path / ".hadolint.yaml").write_text("ignored: [DL3008]\n", encoding="utf-8")
    codes, (checked, _) = lint()
    assert "DL3008" not in codes and checked == 1


def test_files_outside_the_service_that_decide_its_findings_are_part_of_the_key(tmp_path):
    """serverConfig may build a Dockerfile above the service (BuildDir ".."); an edit there counts."""
    write_tree(tmp_path / "mono", {
        "Dockerfile.prod": 'FROM python:3.12-slim\nCOPY . .\nCMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]\n',
        ".dockerignore": ".git\n",
        "deploy/cloudbaserc.json": '{"envId": "e", "cloudrun": {"name": "api", "serverConfig": {"Cpu": 0.5, "Mem": 1, '
                                   '"Port": 8000, "BuildDir": "..", "Dockerfile": "Dockerfile.prod"}}}\n',
    })
    first = scaffolder("deploy", "--format", "json", cwd=tmp_path / "mono")
    dockerfile = tmp_path / "mono" / "Dockerfile.prod"
    dockerfile.write_text(dockerfile.read_text(encoding="utf-8").replace("0.0.0.0:8000", "127.0.0.1:8000"),
                          encoding="utf-8")
    second = scaffolder("deploy", "--format", "json", cwd=tmp_path / "mono")
    assert counts(second) == (1, 0)
    assert "CBR105" in second.stdout and "CBR105" not in first.stdout
