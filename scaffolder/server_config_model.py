"""The deploy parameters of a CloudBase Run service (`serverConfig`) as a pydantic model.

Field names are the API's, PascalCase. The model is strict about types (a quoted "0.5" is not a
number) and forbids unknown fields: the platform's tools drop a field they do not know without a
word, so `"Memory": 2` or `"cpu": 1` would silently deploy with the defaults.

Values that have a rule of their own (the Cpu/Mem pairs, instance counts, access type names,
the EnvParams encoding) are only type-checked here, so one mistake is reported once.

Importing this module imports pydantic (about 0.1 s): the checks import it only when a service has
a serverConfig.
"""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

ACCESS_TYPES = ("OA", "PUBLIC", "MINIAPP", "VPC")
OPEN_CLOSE = ("open", "close")
OPERATION_MODES = ("noScale", "condScale", "alwaysScale", "custom", "manualScale")
LOG_TYPES = ("none", "default", "custom")
POLICY_TYPES = ("cpu", "mem", "cpu/mem")


def _integral(value: Any) -> Any:
    """JSON has one number type: 2.0 is the integer 2 (JavaScript sends it as 2)."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


Integer = Annotated[int, BeforeValidator(_integral)]
PortNumber = Annotated[int, BeforeValidator(_integral), Field(ge=1, le=65535)]
NonNegative = Annotated[int, BeforeValidator(_integral), Field(ge=0)]
OpenClose = Literal["open", "close"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class PolicyDetail(_Strict):
    PolicyType: Literal["cpu", "mem", "cpu/mem"]
    PolicyThreshold: Annotated[float, Field(ge=1, le=100)]


class ServerConfig(_Strict):
    """serverConfig as `manageCloudRun deploy`, `tcb cloudrun deploy` and the tcbr API take it."""

    # resources and scaling (values checked by rules CBR401-CBR403)
    Cpu: float | None = None
    Mem: float | None = None
    MinNum: Integer | None = None
    MaxNum: Integer | None = None
    PolicyDetails: list[PolicyDetail] | None = None
    TimerScale: list[dict[str, Any]] | None = None
    OperationMode: Literal["noScale", "condScale", "alwaysScale", "custom", "manualScale"] | None = None
    # access (names checked by CBR404/CBR405)
    OpenAccessTypes: list[str] | None = None
    InternalAccess: OpenClose | None = None
    InternalDomain: str | None = None
    SessionAffinity: OpenClose | None = None
    PublicNetConf: dict[str, Any] | None = None
    VpcConf: dict[str, Any] | None = None
    # the container
    Port: PortNumber | None = None
    EnvParams: Any = None  # a JSON string: checked by CBR406
    InitialDelaySeconds: NonNegative | None = None
    Dockerfile: str | None = None
    BuildDir: str | None = None
    EntryPoint: list[str] | None = None
    Cmd: list[str] | None = None
    VolumesConf: list[dict[str, Any]] | None = None
    Tag: str | None = None
    # logs
    CustomLogs: str | None = None
    LogType: Literal["none", "default", "custom"] | None = None
    LogSetId: str | None = None
    LogTopicId: str | None = None
    LogParseType: str | None = None
    # what `queryCloudRun detail` returns besides: harmless in a copied config
    EnvId: str | None = None
    ServerName: str | None = None
    CreateTime: str | None = None
    HasDockerfile: bool | None = None


FIELDS: tuple[str, ...] = tuple(ServerConfig.model_fields)
_COMMON_FIELDS = ("Cpu", "Mem", "MinNum", "MaxNum", "OpenAccessTypes", "Port", "EnvParams", "VpcConf")

# Names people write for a field, beyond case and spelling slips (compared lower case, no _ or -).
_SYNONYMS = {
    "memory": "Mem", "memorygb": "Mem", "ram": "Mem", "cpus": "Cpu", "vcpu": "Cpu", "cores": "Cpu",
    "env": "EnvParams", "envs": "EnvParams", "environment": "EnvParams", "envvars": "EnvParams",
    "envvariables": "EnvParams", "environmentvariables": "EnvParams", "envparam": "EnvParams",
    "containerport": "Port", "targetport": "Port", "listenport": "Port",
    "min": "MinNum", "mininstances": "MinNum", "minreplicas": "MinNum", "minnumber": "MinNum",
    "max": "MaxNum", "maxinstances": "MaxNum", "maxreplicas": "MaxNum", "maxnumber": "MaxNum",
    "accesstypes": "OpenAccessTypes", "accesstype": "OpenAccessTypes", "openaccesstype": "OpenAccessTypes",
    "access": "OpenAccessTypes", "vpc": "VpcConf", "vpcconfig": "VpcConf", "vpcinfo": "VpcConf",
    "entrypoint": "EntryPoint", "command": "Cmd", "cmds": "Cmd", "dockerfilepath": "Dockerfile",
    "builddirectory": "BuildDir", "buildpath": "BuildDir", "policy": "PolicyDetails",
    "policies": "PolicyDetails", "scalingpolicy": "PolicyDetails", "initialdelay": "InitialDelaySeconds",
    "delayseconds": "InitialDelaySeconds", "tags": "Tag",
}


def suggest(name: str, candidates: tuple[str, ...] | list[str], synonyms: dict[str, str] | None = None) -> str | None:
    """The field (or value) `name` most likely meant: same letters in another case, a synonym, or the
    closest spelling (difflib)."""
    folded = name.lower().replace("_", "").replace("-", "").replace(" ", "")
    by_folded = {candidate.lower().replace("_", "").replace("-", ""): candidate for candidate in candidates}
    if folded in by_folded:
        return by_folded[folded]
    if synonyms and folded in synonyms and synonyms[folded] in candidates:
        return synonyms[folded]
    close = difflib.get_close_matches(folded, list(by_folded), n=1, cutoff=0.6)
    if close:
        return by_folded[close[0]]
    # "Type" for "PolicyType": a unique candidate that starts or ends with the name
    if len(folded) >= 3:
        containing = [full for key, full in by_folded.items() if key.endswith(folded) or key.startswith(folded)]
        if len(containing) == 1:
            return containing[0]
    return None


@dataclass(frozen=True)
class Issue:
    """One problem with serverConfig: `unknown` field or `invalid` value, at a path below serverConfig."""

    kind: str  # "unknown" | "invalid"
    path: tuple
    message: str
    fix: str | None = None  # what to do, when it is mechanical
    fix_safe: bool = False
    suggestion: str | None = None  # for an unknown field: the field it probably meant


def where(path: tuple) -> str:
    text = "serverConfig"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {json.dumps(value)}"
    if value is None:
        return "null"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {json.dumps(shown, ensure_ascii=False)}"
    if isinstance(value, (int, float)):
        return f"the number {json.dumps(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _as_number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _number_text(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


_EXPECTED = {
    "float_type": "a number",
    "int_type": "an integer",
    "string_type": "a string",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
}

_LIST_EXAMPLES = {
    "EntryPoint": '["python"]',
    "Cmd": '["python", "app.py"]',
    "OpenAccessTypes": '["PUBLIC"]',
    "PolicyDetails": '[{"PolicyType": "cpu", "PolicyThreshold": 60}]',
}


def _issue(error: dict) -> Issue:
    path = tuple(error["loc"])
    kind, value = error["type"], error.get("input")
    name = next((part for part in reversed(path) if isinstance(part, str)), "")
    if kind == "extra_forbidden":
        parent = path[:-1]
        allowed = FIELDS if not parent else tuple(PolicyDetail.model_fields)
        guess = suggest(str(path[-1]), allowed, _SYNONYMS if not parent else None)
        place = f"serverConfig field {path[-1]!r}" if not parent else f"field {path[-1]!r} in {where(parent)}"
        if guess:
            return Issue(
                "unknown", path,
                f"unknown {place}: did you mean {guess!r}? The deploy tools drop unknown fields "
                f"silently, so this setting would never apply",
                f"rename {path[-1]!r} to {guess!r}", fix_safe=str(path[-1]).lower() == guess.lower(),
                suggestion=guess,
            )
        known = ", ".join(_COMMON_FIELDS if not parent else allowed)
        return Issue(
            "unknown", path,
            f"unknown {place}: the deploy tools drop it silently; remove it or use a documented field "
            f"({known}{', ...' if not parent else ''})",
        )
    if kind == "missing":
        return Issue("invalid", path, f"{where(path[:-1])} lacks the required field {name!r}")
    if kind == "literal_error":
        options = _LITERALS.get(name, ())
        choices = ", ".join(repr(option) for option in options)
        message = f"{where(path)} must be one of {choices}, not {describe(value)}"
        if isinstance(value, str):
            guess = suggest(value, options)
            if guess:
                return Issue("invalid", path, f"{message}: did you mean {guess!r}?", f"use {guess!r}",
                             fix_safe=value.lower() == guess.lower())
        if isinstance(value, bool) and options == OPEN_CLOSE:
            wanted = "open" if value else "close"
            return Issue("invalid", path, f'{message}: write "{wanted}"', f'use "{wanted}"', fix_safe=True)
        return Issue("invalid", path, message)
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bounds = _BOUNDS.get(name)
        shown = describe(value)
        if bounds:
            return Issue("invalid", path, f"{where(path)} must be {bounds}, not {shown}")
        return Issue("invalid", path, f"{where(path)}: {error['msg'].lower()}, not {shown}")
    expected = _EXPECTED.get(kind)
    if expected is None:
        return Issue("invalid", path, f"{where(path)}: {error['msg']}")
    if name in _LIST_EXAMPLES and kind == "list_type":
        expected = f"a list such as {_LIST_EXAMPLES[name]}"
        if isinstance(value, str) and name in ("EntryPoint", "Cmd"):
            return Issue("invalid", path, f"{where(path)} must be a list of strings such as "
                                          f'{_LIST_EXAMPLES[name]}, not {describe(value)}',
                         "split the command into a list of arguments")
    message = f"{where(path)} must be {expected}, not {describe(value)}"
    if kind in ("float_type", "int_type") and isinstance(value, str):
        number = _as_number(value.strip())
        if number is not None and (kind == "float_type" or number.is_integer()):
            text = _number_text(number)
            return Issue("invalid", path, f"{message}: write {text} without quotes",
                         f"replace {json.dumps(value)} with {text}", fix_safe=True)
    if kind == "int_type" and isinstance(value, float):
        message = f"{where(path)} must be a whole number, not {json.dumps(value)}"
    return Issue("invalid", path, message)


_LITERALS = {
    "InternalAccess": OPEN_CLOSE,
    "SessionAffinity": OPEN_CLOSE,
    "OperationMode": OPERATION_MODES,
    "LogType": LOG_TYPES,
    "PolicyType": POLICY_TYPES,
}
_BOUNDS = {
    "Port": "a port number from 1 to 65535",
    "InitialDelaySeconds": "0 or more seconds",
    "PolicyThreshold": "a percentage from 1 to 100",
}


def _at(data: Any, path: tuple) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return {}
    return data if isinstance(data, dict) else {}


def _already_set(issue: Issue) -> Issue:
    """`"Memory": 2` next to `"Mem": 2`: renaming would clash; the stray field is to be removed."""
    name, guess = issue.path[-1], issue.suggestion
    place = f"serverConfig field {name!r}" if len(issue.path) == 1 else f"field {name!r} in {where(issue.path[:-1])}"
    return Issue("unknown", issue.path,
                 f"unknown {place}: it looks like {guess!r}, which is already set; the deploy tools drop "
                 f"{name!r} silently, so remove it (and check that {guess!r} has the value you meant)",
                 f"remove {name!r}", fix_safe=False)


def validate_server_config(data: dict) -> list[Issue]:
    """Every unknown field and wrongly typed value of a serverConfig object, one issue per field."""
    try:
        ServerConfig.model_validate(data)
    except ValidationError as error:
        issues: dict[tuple, Issue] = {}
        for detail in error.errors(include_url=False):
            issue = _issue(detail)
            if issue.suggestion and issue.suggestion in _at(data, issue.path[:-1]):
                issue = _already_set(issue)
            issues.setdefault(issue.path, issue)
        # `{"Type": "cpu"}`: the misspelt field explains the missing one; report it once.
        explained = {(*issue.path[:-1], issue.suggestion) for issue in issues.values() if issue.suggestion}
        return [issue for issue in issues.values()
                if not (issue.path in explained and issue.message.endswith(f"required field {issue.path[-1]!r}"))]
    return []
