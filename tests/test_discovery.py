"""How a folder becomes services: markers, modes, nested services, files given directly."""

from __future__ import annotations

import os

import pytest

from conftest import write_tree
from scaffolder.project import discover_services

FUNCTION_PACKAGE = '{"dependencies": {"@cloudbase/functions-framework": "1.18.0"}}'
AGENT_PACKAGE = '{"dependencies": {"@cloudbase/aiagent-framework": "1.0.0", "@cloudbase/functions-framework": "1.18.0"}}'


def test_markers_modes_and_ownership_of_files(tmp_path):
    write_tree(tmp_path, {
        "package.json": '{"name": "monorepo", "private": true}',
        "services/api/Dockerfile": "FROM python:3.11-slim\n",
        "services/api/app.py": "",
        "services/api/worker/cloudbaserc.json": "{}",
        "services/api/worker/main.go": "package main\n",
        "services/fn/package.json": FUNCTION_PACKAGE,
        "services/fn/index.js": "",
        "services/fn/node_modules/dep/index.js": "",
        "services/bot/package.json": AGENT_PACKAGE,
        "docs/readme.md": "",
    })
    services = {service.root.relative_to(tmp_path).as_posix(): service for service in discover_services([tmp_path])}
    assert sorted(services) == ["services/api", "services/api/worker", "services/bot", "services/fn"]
    api = services["services/api"]
    assert api.mode == "container" and api.languages == {"python"}
    assert sorted(p.name for p in api.files) == ["Dockerfile", "app.py"]  # the worker is its own service
    assert services["services/api/worker"].languages == {"go"}
    assert services["services/fn"].mode == "function"
    assert all("node_modules" not in p.parts for p in services["services/fn"].files)
    assert services["services/bot"].mode == "agent"


def test_a_folder_without_markers_is_one_service(tmp_path):
    write_tree(tmp_path, {"app.py": "", "lib/util.py": ""})
    (service,) = discover_services([tmp_path])
    assert service.root == tmp_path.resolve() and len(service.files) == 2


def test_a_file_stands_for_the_service_that_holds_it(tmp_path):
    write_tree(tmp_path, {"svc/Dockerfile": "FROM x\n", "svc/src/app.py": "", "other/Dockerfile": "FROM y\n"})
    (service,) = discover_services([tmp_path / "svc" / "src" / "app.py", tmp_path / "svc" / "Dockerfile"])
    assert service.root == (tmp_path / "svc").resolve()


def test_broken_package_json_is_not_a_service_marker_but_is_kept(tmp_path):
    write_tree(tmp_path, {"package.json": "{ broken", "index.js": ""})
    (service,) = discover_services([tmp_path])
    assert service.mode == "container" and service.package_json is not None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_read_text_refuses_what_is_not_a_small_regular_file(tmp_path, monkeypatch):
    from scaffolder import project
    from scaffolder.project import Service, UnparsableFile

    os.mkfifo(tmp_path / "queue.py")  # opening it for reading would block without O_NONBLOCK
    (tmp_path / "big.py").write_text("x = 1\n" * 100, encoding="utf-8")
    (tmp_path / "app.py").write_bytes(b"\xef\xbb\xbfimport os\n")
    service = Service(root=tmp_path, files=sorted(tmp_path.iterdir()))
    monkeypatch.setattr(project, "MAX_TEXT_BYTES", 100)
    with pytest.raises(UnparsableFile, match="not a regular file"):
        service.read_text(tmp_path / "queue.py")
    with pytest.raises(UnparsableFile, match="too large"):
        service.read_text(tmp_path / "big.py")
    with pytest.raises(UnparsableFile, match="cannot read file"):
        service.read_text(tmp_path / "missing.py")
    assert service.read_text(tmp_path / "app.py") == "import os\n"


def test_discovered_files_are_paths_only_when_asked_for(tmp_path):
    """Discovery keeps path strings; what a check sees is the same as a Service built from Paths."""
    from scaffolder.project import Service

    write_tree(tmp_path, {"svc/Dockerfile": "FROM x\n", "svc/src/app.py": "import os\n", "svc/README.md": "",
                          "svc/nested/Dockerfile": "FROM y\n", "svc/nested/main.py": ""})
    discovered = {service.root.name: service for service in discover_services([tmp_path])}["svc"]
    by_paths = Service(discovered.root, files=list(discovered.files))
    for service in (discovered, by_paths):
        assert service.file_count == 3 and sorted(service.file_names) == ["Dockerfile", "README.md", "app.py"]
        assert service.has("Dockerfile") and service.has("src/app.py") and not service.has("app.py")
        assert not service.has("nested/Dockerfile") and not service.has("main.py")
        service.read_text(service.root / "src" / "app.py")
        service.read_text(service.root / "nested" / "main.py")  # read by a check, but another service's
        assert service.read_files() == [service.root / "src" / "app.py"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_package_json_does_not_block_discovery(tmp_path):
    os.mkfifo(tmp_path / "package.json")
    (tmp_path / "index.js").write_text("", encoding="utf-8")
    (service,) = discover_services([tmp_path])
    assert service.mode == "container"


def test_read_text_reads_a_file_whole(tmp_path):
    from scaffolder.project import Service

    text = "".join(f"line {number}\n" for number in range(100_000))  # larger than one read buffer
    (tmp_path / "app.py").write_text(text, encoding="utf-8")
    (tmp_path / "empty.py").write_text("", encoding="utf-8")
    service = Service(tmp_path, files=sorted(tmp_path.iterdir()))
    assert service.read_text(tmp_path / "app.py") == text
    assert service.read_text(tmp_path / "empty.py") == ""


def test_read_text_within_leaves_a_file_over_the_check_limit_unread(tmp_path, monkeypatch):
    from scaffolder import project
    from scaffolder.project import Service, UnparsableFile

    (tmp_path / "big.go").write_text("x" * 50, encoding="utf-8")
    (tmp_path / "small.go").write_bytes(b"\xef\xbb\xbfpackage a\n")
    (tmp_path / "bad.go").write_bytes(b"\xff\n")
    service = Service(tmp_path, files=sorted(tmp_path.iterdir()))
    reads = []
    real_read = os.read
    monkeypatch.setattr(project.os, "read", lambda descriptor, size: reads.append(size) or real_read(descriptor, size))
    assert service.read_text_within(tmp_path / "big.go", 49) is None and reads == []
    assert service.read_text_within(tmp_path / "big.go", 49) is None and service.size_of(tmp_path / "big.go") == 50
    assert service.read_text_within(tmp_path / "big.go", 50) == "x" * 50  # a wider limit reads it
    assert service.read_text_within(tmp_path / "big.go", 49) is None  # and a narrower one still refuses it
    assert service.read_text_within(tmp_path / "small.go", 13) == "package a\n"  # the size counts the BOM
    assert service.size_of(tmp_path / "small.go") == 13
    for _ in range(2):  # the error again, not a KeyError, when asked twice
        with pytest.raises(UnparsableFile, match="not UTF-8"):
            service.read_text_within(tmp_path / "bad.go", 100)
    with pytest.raises(UnparsableFile, match="cannot read file"):
        service.read_text_within(tmp_path / "missing.go", 100)
    assert service.read_files() == [tmp_path / "big.go", tmp_path / "small.go"]


def test_has_takes_names_relative_to_the_root_even_at_the_top_of_the_file_system():
    from pathlib import Path

    from scaffolder.project import Service

    service = Service(Path("/"), file_paths=["/Dockerfile", "/src/app.py"])
    assert service.has("Dockerfile") and service.has("src/app.py")
    assert not service.has("/Dockerfile") and not service.has("app.py")


def test_read_text_reads_on_when_the_file_system_returns_less(tmp_path, monkeypatch):
    from scaffolder import project
    from scaffolder.project import Service

    text = "line\n" * 1000
    (tmp_path / "app.py").write_text(text, encoding="utf-8")
    real_read = os.read
    monkeypatch.setattr(project.os, "read", lambda descriptor, size: real_read(descriptor, min(size, 7)))
    assert Service(tmp_path, files=[tmp_path / "app.py"]).read_text(tmp_path / "app.py") == text


@pytest.mark.parametrize("name", ["app.js", "a.d.ts", ".eslintrc", "www", "a.", "x.tar.gz", "server_linux.go", "..a"])
def test_name_helpers_agree_with_pathlib(name):
    from pathlib import PurePosixPath

    from scaffolder.project import stem_of, suffix_of

    assert suffix_of(name) == PurePosixPath(name).suffix and stem_of(name) == PurePosixPath(name).stem


def test_relative_paths_are_posix_strings_and_names_outside_the_root(tmp_path):
    from pathlib import Path

    from scaffolder.project import Service

    service = Service(tmp_path, files=[])
    assert service.relative(tmp_path / "src" / "app.py") == "src/app.py"
    assert service.relative(tmp_path.parent / "other" / "main.go") == "main.go"
    assert Service(Path("/"), file_paths=[]).relative(Path("/etc/app.js")) == "etc/app.js"


def test_files_with_suffix_agrees_with_pathlib_before_and_after_the_paths_are_made(tmp_path):
    from pathlib import Path

    from scaffolder.project import Service

    names = ["app.py", ".py", "a.py.bak", "lib/x.py", "main.go", "Dockerfile", "a.", "pkg/.go"]
    paths = [str(tmp_path / name) for name in names]
    expected = [Path(path) for path in paths if Path(path).suffix in (".py", ".go")]
    service = Service(tmp_path, file_paths=paths)
    assert service.files_with_suffix(".py", ".go") == expected
    assert service.files and service.files_with_suffix(".py", ".go") == expected
    assert service.package_json is None and service.dockerfile == tmp_path / "Dockerfile"
    assert service.dockerfile is service.dockerfile  # made once


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_dangling_source_symlink_is_reported_the_same_in_every_language(tmp_path):
    """A source file that cannot be opened (a dangling symlink, a symlink loop) gets CBR001 "cannot
    read file" in every language, as the Python and Java checks always did; the Go and JS checks
    skipped it silently while they stat'ed each file before reading it."""
    from conftest import lint_tree

    write_tree(tmp_path, {"Dockerfile": "FROM node:20\nCMD [\"node\", \"index.js\"]\n",
                          "index.js": "const http = require('http');\n"})
    for name in ("broken.js", "broken.go", "broken.py", "Broken.java"):
        os.symlink(tmp_path / f"missing-{name}", tmp_path / name)
    os.symlink(tmp_path / "loop.ts", tmp_path / "loop.ts")
    unreadable = sorted(finding.path for finding in lint_tree(tmp_path)
                        if finding.code == "CBR001" and "cannot read file" in finding.message)
    assert unreadable == ["Broken.java", "broken.go", "broken.js", "broken.py", "loop.ts"]
