"""Generate CloudBase Run projects from the Copier templates in `templates/`.

The library behind `scaffolder templates` and `scaffolder new`: list the templates, check a
destination and the answers, and call Copier's `run_copy`. Generation never writes outside the
destination, never overwrites without being asked, and leaves nothing behind when it fails: the
project is rendered into a hidden folder next to the destination and moved into place only once
Copier has finished.

Copier is imported inside the functions that need it so that `scaffolder --help` stays fast.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import yaml

from scaffolder.resources import templates_dir

# The strictest service-name rule of the platform's tools (see CLOUDBASE_FACTS.md, "Names").
SERVICE_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{1,37}[a-z0-9]$")
SERVICE_NAME_RESERVED_PREFIXES = ("lcap", "lowcode")

_TRUE_WORDS = {"y", "yes", "t", "true", "on", "1"}
_FALSE_WORDS = {"n", "no", "f", "false", "off", "0"}


class GenerateError(Exception):
    """A problem the user can fix: unknown template, bad destination, invalid answer."""


@dataclass(frozen=True)
class Question:
    name: str
    type: str
    help: str
    default: Any
    choices: tuple[Any, ...] | None
    computed: bool  # `when: false`: derived from other answers, never asked nor settable


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    mode: str
    language: str
    description: str
    path: Path
    questions: tuple[Question, ...] = field(repr=False)

    def question(self, name: str) -> Question | None:
        return next((question for question in self.questions if question.name == name), None)

    @property
    def askable(self) -> tuple[Question, ...]:
        return tuple(question for question in self.questions if not question.computed)


@dataclass(frozen=True)
class GenerateResult:
    template: TemplateInfo
    path: Path
    answers: dict[str, Any]
    files: tuple[str, ...]


# ---------------------------------------------------------------------------------- templates


def _load_template(path: Path) -> TemplateInfo:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's: ~5x faster, same documents
    config = yaml.load((path / "copier.yml").read_text(encoding="utf-8"), Loader=loader) or {}
    meta = config.get("_scaffolder") or {}
    questions = []
    for name, spec in config.items():
        if name.startswith("_"):
            continue
        if not isinstance(spec, dict):
            spec = {"default": spec}
        choices = spec.get("choices")
        if isinstance(choices, dict):
            choices = tuple(choices.values())
        elif choices is not None:
            choices = tuple(choices)
        questions.append(
            Question(
                name=name,
                type=str(spec.get("type", "str")),
                help=str(spec.get("help", "")),
                default=spec.get("default"),
                choices=choices,
                computed=spec.get("when") is False,
            )
        )
    return TemplateInfo(
        name=path.name,
        mode=str(meta.get("mode", path.name)),
        language=str(meta.get("language", "")),
        description=str(meta.get("description", "")),
        path=path,
        questions=tuple(questions),
    )


def list_templates(root: Path | None = None) -> list[TemplateInfo]:
    """Every folder of `templates/` that holds a `copier.yml`, sorted by name."""
    root = root or templates_dir()
    if not root.is_dir():
        return []
    return [
        _load_template(child)
        for child in sorted(root.iterdir())
        if child.is_dir() and (child / "copier.yml").is_file()
    ]


def get_template(name: str, root: Path | None = None) -> TemplateInfo:
    templates = {template.name: template for template in list_templates(root)}
    if name not in templates:
        known = ", ".join(sorted(templates)) or "none found"
        raise GenerateError(f"unknown template {name!r} (available: {known}); see `scaffolder templates`")
    return templates[name]


# ---------------------------------------------------------------------------------- answers


def parse_data(pairs: Iterable[str]) -> dict[str, str]:
    """`["key=value", ...]` from `--data` into a dict; the value may contain `=`."""
    data: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise GenerateError(f"--data expects KEY=VALUE, got {pair!r}")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise GenerateError(f"--data {pair!r}: {key!r} is not a question name")
        data[key] = value
    return data


def check_data(template: TemplateInfo, data: Mapping[str, Any]) -> None:
    """Refuse unknown or computed questions and values of the wrong type, naming the question.

    Copier checks choices and the templates' validators itself; this catches what it would
    report without naming the question (a non-number for an int) or accept silently (a
    computed value or a typo in a question name).
    """
    for key, value in data.items():
        question = template.question(key)
        if question is None:
            known = ", ".join(question.name for question in template.askable)
            raise GenerateError(f"template {template.name!r} has no question {key!r} (questions: {known})")
        if question.computed:
            raise GenerateError(
                f"question {key!r} of template {template.name!r} is computed from other answers and cannot be set"
            )
        if not isinstance(value, str):
            continue
        text = value.strip()
        if question.type == "int":
            try:
                int(text)
            except ValueError:
                raise GenerateError(f"invalid value for question {key!r}: expected a whole number, got {value!r}") from None
        elif question.type == "float":
            try:
                float(text)
            except ValueError:
                raise GenerateError(f"invalid value for question {key!r}: expected a number, got {value!r}") from None
        elif question.type == "bool" and text.lower() not in _TRUE_WORDS | _FALSE_WORDS:
            raise GenerateError(f"invalid value for question {key!r}: expected yes or no, got {value!r}")


def is_valid_service_name(name: str) -> bool:
    return bool(SERVICE_NAME_RE.match(name)) and not name.startswith(SERVICE_NAME_RESERVED_PREFIXES)


def derive_service_name(folder_name: str) -> str | None:
    """A valid service name from a folder name (`My_Service` -> `my-service`), or None."""
    name = re.sub(r"[^a-z0-9]+", "-", folder_name.lower())
    name = re.sub(r"^[^a-z]+", "", name)[:39].strip("-")
    return name if is_valid_service_name(name) else None


# ---------------------------------------------------------------------------------- destination


def check_destination(dest: str | os.PathLike[str], overwrite: bool = False) -> Path:
    """The destination as an absolute path, or GenerateError when it must not be used."""
    raw = PurePath(os.fspath(dest))
    if not str(raw) or str(dest).strip() == "":
        raise GenerateError("the destination folder is empty")
    if ".." in raw.parts:
        raise GenerateError(
            f"refusing destination {os.fspath(dest)!r}: it contains '..'; give a path without '..' parts"
        )
    path = Path(os.path.abspath(os.fspath(dest)))
    if path.exists() or path.is_symlink():
        if not path.is_dir():
            raise GenerateError(f"destination {os.fspath(dest)!r} exists and is not a folder")
        if any(path.iterdir()) and not overwrite:
            raise GenerateError(
                f"destination {os.fspath(dest)!r} already exists and is not empty; "
                "choose another folder or pass --overwrite to write the template's files into it"
            )
    return path


def _nearest_existing_dir(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.is_dir():
            return candidate
    raise GenerateError(f"no existing folder above {path}")


def _check_overwrite_conflicts(staging: Path, dest: Path) -> None:
    """Refuse before copying anything when a file would replace a folder or the reverse."""
    for source in staging.rglob("*"):
        target = dest / source.relative_to(staging)
        if target.is_symlink() or not target.exists():
            continue
        if source.is_dir() != target.is_dir():
            kind = "a folder" if target.is_dir() else "a file"
            raise GenerateError(f"cannot overwrite {target}: it is {kind} and the template writes the other kind there")


# ---------------------------------------------------------------------------------- generation


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError, OSError):  # replaced, closed or detached stdin
        return False


def _copier_without_git():
    """Copier's git support (cloning a template repository, reading its version, keeping a git
    index's executable bits for the files it writes) never applies here: the templates are folders
    shipped in the package, rendered into a new staging folder. Copier works the same when it finds
    no git on the PATH it runs commands with, and then skips its dozen git processes (~0.1 s). The
    PATH is os.devnull, a file: plumbum takes an empty PATH for the current folder, which may hold
    an executable named git."""
    from plumbum import local  # Copier's own subprocess library, already imported by it

    return local.env(PATH=os.devnull)


def _copier_message(error: BaseException) -> str:
    return str(error).strip() or type(error).__name__


def generate(
    template_name: str,
    dest: str | os.PathLike[str],
    data: Mapping[str, Any] | None = None,
    *,
    defaults: bool = False,
    overwrite: bool = False,
    interactive: bool | None = None,
    templates_root: Path | None = None,
) -> GenerateResult:
    """Render `template_name` into `dest`.

    `data` answers questions up front (strings are cast by the question's type). Without
    `defaults`, unanswered questions are asked on the terminal when `interactive` (default:
    stdin is a terminal); otherwise their defaults are used, so that CI never waits for input.
    When `service_name` is neither given nor computed, it is derived from the folder name.
    """
    template = get_template(template_name, templates_root)
    data = dict(data or {})
    check_data(template, data)
    path = check_destination(dest, overwrite)
    if interactive is None:
        interactive = _stdin_is_terminal()
    use_defaults = defaults or not interactive

    user_defaults: dict[str, Any] = {}
    service_question = template.question("service_name")
    if service_question and not service_question.computed and "service_name" not in data:
        derived = derive_service_name(path.name)
        if derived:
            # Non-interactive: a real answer (validated by Copier). Interactive: the prompt's default.
            (data if use_defaults else user_defaults)["service_name"] = derived

    from copier import run_copy  # lazy: Copier is slow to import
    from copier.errors import CopierError

    parent = _nearest_existing_dir(path.parent)
    staging = parent / f".{path.name}.scaffolder-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        try:
            with _copier_without_git():
                worker = run_copy(
                    str(template.path),
                    staging,
                    data=data,
                    user_defaults=user_defaults,
                    defaults=use_defaults,
                    overwrite=False,
                    unsafe=False,
                    quiet=True,
                    cleanup_on_error=False,
                )
        except (CopierError, ValueError, TypeError) as error:
            raise GenerateError(f"template {template.name!r}: {_copier_message(error)}") from error
        files = tuple(sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if not p.is_dir()))
        combined = dict(worker.answers.combined)
        answers = {q.name: combined[q.name] for q in template.questions if q.name in combined}
        if path.exists():
            _check_overwrite_conflicts(staging, path)
            shutil.copytree(staging, path, symlinks=True, dirs_exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return GenerateResult(template=template, path=path, answers=answers, files=files)


def next_steps(result: GenerateResult, shown_path: str | None = None) -> list[str]:
    """Shell commands to run after `scaffolder new`, one per line."""
    answers = result.answers
    where = shown_path or str(result.path)
    cd = f"cd {where}" if " " not in where else f'cd "{where}"'
    mode = result.template.mode
    if mode == "container":
        name, port = answers.get("service_name", "my-service"), answers.get("port", 8080)
        return [
            cd,
            f"docker build -t {name} .",
            f"docker run --rm -p {port}:{port} {name}    # then: curl http://127.0.0.1:{port}/healthz",
            "scaffolder lint .",
        ]
    if mode == "agent":
        return [
            cd,
            "npm test                # the reply logic, with a fake SSE sender",
            "npm install             # @cloudbase/aiagent-framework comes from CloudBase's npm mirror",
            "npm run dev             # http://127.0.0.1:3000",
            "scaffolder lint .",
        ]
    return [cd, "npm install", "npm run dev             # http://127.0.0.1:3000", "scaffolder lint ."]


def template_rows(templates: Sequence[TemplateInfo]) -> list[dict[str, str]]:
    return [
        {"name": t.name, "mode": t.mode, "language": t.language, "description": t.description}
        for t in templates
    ]
