"""Deploy configuration (CBR4xx) and access/secrets (CBR5xx): the service's `serverConfig` and
`cloudbaserc.json`, each finding at the line of the field it is about.

One mistake, one finding: a value that has the wrong type is reported by CBR411 only, and the rules
about its meaning (Cpu/Mem pairs, instance counts, access types, ports) skip it.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import math
import os
import re
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

from scaffolder.deploy_config import ServerConfigSource, line_column, server_config
from scaffolder.findings import Edit, Finding, Fix
from scaffolder.secrets import looks_like_secret, url_password
from scaffolder.server_config_shape import plainly_valid  # small; the pydantic model is imported only when needed

MEM_NOT_TWICE_CPU = "CBR401"
SIZE_NOT_ALLOWED = "CBR402"
INSTANCE_COUNT = "CBR403"
OBSOLETE_ACCESS_TYPE = "CBR404"
UNKNOWN_ACCESS_TYPE = "CBR405"
ENV_PARAMS_FORMAT = "CBR406"
FUNCTION_PORT = "CBR407"
DATABASE_WITHOUT_VPC = "CBR408"
SERVICE_NAME = "CBR409"
UNKNOWN_FIELD = "CBR410"
INVALID_VALUE = "CBR411"
BUILD_PATH_MISSING = "CBR412"
SECRET_IN_ENV_PARAMS = "CBR501"
SECRET_IN_CONFIG_FILE = "CBR502"

CODES = frozenset({
    MEM_NOT_TWICE_CPU, SIZE_NOT_ALLOWED, INSTANCE_COUNT, OBSOLETE_ACCESS_TYPE, UNKNOWN_ACCESS_TYPE,
    ENV_PARAMS_FORMAT, FUNCTION_PORT, DATABASE_WITHOUT_VPC, SERVICE_NAME, UNKNOWN_FIELD, INVALID_VALUE,
    BUILD_PATH_MISSING, SECRET_IN_ENV_PARAMS, SECRET_IN_CONFIG_FILE,
})

# Cpu (cores) / Mem (GB) sizes the platform offers.
SIZES = ((0.25, 0.5), (0.5, 1.0), (1.0, 2.0), (2.0, 4.0), (4.0, 8.0), (8.0, 16.0), (16.0, 32.0))
ACCESS_TYPES = ("OA", "PUBLIC", "MINIAPP", "VPC")
OBSOLETE_ACCESS_TYPES = {"WEB": "PUBLIC", "PRIVATE": "VPC"}
FUNCTION_PORT_NUMBER = 3000


def _type_issues(data: dict) -> list:
    if plainly_valid(data):  # the common case, without importing pydantic
        return []
    from scaffolder.server_config_model import validate_server_config

    return validate_server_config(data)


def check(service) -> Iterable[Finding]:
    source = server_config(service)
    if source is None:
        return []
    context = _Context(source)
    _service_name(context)
    _secrets_in_file(context)
    data = source.data
    if data:
        for issue in _type_issues(data):
            fix = Fix(issue.fix, safe=issue.fix_safe, edits=_issue_edits(context, issue)) if issue.fix else None
            context.add(UNKNOWN_FIELD if issue.kind == "unknown" else INVALID_VALUE, issue.message, issue.path, fix=fix)
        _resources(context)
        _instances(context)
        _access_types(context)
        env = _env_params(context)
        _function_port(context, service)
        _database_without_vpc(context, env)
        _secrets_in_env(context, env)
        _build_paths(context, service)
    return context.findings


class _Context:
    def __init__(self, source: ServerConfigSource):
        self.source = source
        self.data = source.data
        self.findings: list[Finding] = []

    @cached_property
    def path(self) -> str:  # only a finding needs it
        return os.path.abspath(self.source.path)

    def add(self, code: str, message: str, path: tuple = (), fix: Fix | None = None, at: tuple[int, int] | None = None):
        line, column = at or self.source.location_of(*path)
        self.findings.append(Finding(code, message, self.path, line, column, fix=fix))

    def short_name(self) -> str:
        return Path(self.path).name


# ---- helpers ---------------------------------------------------------------------------------
def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _integer(value) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number.is_integer() else None


def _same(a: float, b: float) -> bool:
    return abs(a - b) < 1e-9


def _text(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def _pairs() -> str:
    return ", ".join(f"{_text(cpu)}/{_text(mem)}" for cpu, mem in SIZES)


def _neighbours(value: float, index: int) -> str:
    """The allowed sizes around `value` (index 0: Cpu, 1: Mem), as "Cpu/Mem" pairs."""
    below = [size for size in SIZES if size[index] < value]
    above = [size for size in SIZES if size[index] > value]
    near = ([below[-1]] if below else []) + ([above[0]] if above else [])
    return " or ".join(f"{_text(cpu)}/{_text(mem)}" for cpu, mem in near)


# ---- CBR401, CBR402: Cpu and Mem -----------------------------------------------------------------
def _resources(context: _Context) -> None:
    data = context.data
    cpu = _number(data.get("Cpu")) if "Cpu" in data else None
    mem = _number(data.get("Mem")) if "Mem" in data else None
    cpu_ok = cpu is not None and any(_same(cpu, size[0]) for size in SIZES)
    mem_ok = mem is not None and any(_same(mem, size[1]) for size in SIZES)
    if cpu is not None and mem is not None:
        if cpu_ok:
            if not _same(mem, 2 * cpu):
                context.add(
                    MEM_NOT_TWICE_CPU,
                    f"Mem is {_text(mem)} but Cpu is {_text(cpu)}: Mem must be 2 × Cpu, so set Mem to "
                    f"{_text(2 * cpu)} (or change Cpu to {_text(mem / 2)} if Mem was meant)"
                    if mem_ok else
                    f"Mem is {_text(mem)} but Cpu is {_text(cpu)}: Mem must be 2 × Cpu, so set Mem to {_text(2 * cpu)}",
                    ("Mem",), fix=Fix(f"set Mem to {_text(2 * cpu)}", safe=False, edits=_set(context, Mem=2 * cpu)),
                )
        elif mem_ok:
            context.add(
                SIZE_NOT_ALLOWED,
                f"Cpu {_text(cpu)} is not an allowed size: with Mem {_text(mem)} use Cpu {_text(mem / 2)} "
                f"(allowed Cpu/Mem pairs: {_pairs()})",
                ("Cpu",), fix=Fix(f"set Cpu to {_text(mem / 2)}", safe=False, edits=_set(context, Cpu=mem / 2)),
            )
        else:
            context.add(
                SIZE_NOT_ALLOWED,
                f"Cpu {_text(cpu)} / Mem {_text(mem)} is not an allowed size: use {_neighbours(cpu, 0)} "
                f"(allowed Cpu/Mem pairs: {_pairs()})",
                ("Cpu",), fix=_nearest_size_fix(context, cpu, with_mem=True),
            )
    elif cpu is not None and not cpu_ok:
        context.add(
            SIZE_NOT_ALLOWED,
            f"Cpu {_text(cpu)} is not an allowed size: use {_neighbours(cpu, 0)} and set Mem to match "
            f"(allowed Cpu/Mem pairs: {_pairs()})",
            ("Cpu",), fix=_nearest_size_fix(context, cpu, with_mem=False),
        )
    elif mem is not None and not mem_ok and cpu is None and not _has_value(data, "Cpu"):
        context.add(
            SIZE_NOT_ALLOWED,
            f"Mem {_text(mem)} is not an allowed size: use {_neighbours(mem, 1)} "
            f"(allowed Cpu/Mem pairs: {_pairs()})",
            ("Mem",),
        )


def _has_value(data: dict, key: str) -> bool:
    return data.get(key) is not None


# ---- CBR403: MinNum / MaxNum ---------------------------------------------------------------------
def _instances(context: _Context) -> None:
    data = context.data
    low = _integer(data.get("MinNum"))
    high = _integer(data.get("MaxNum"))
    if low is not None and low < 0:
        context.add(INSTANCE_COUNT, f"MinNum is {low}: it must be 0 or more (0 lets the service scale to zero "
                                    f"when idle; 1 or more keeps instances warm)", ("MinNum",),
                    fix=Fix("set MinNum to 0", safe=False, edits=_set(context, MinNum=0)))
        low = None
    if high is not None and high < 1:
        context.add(INSTANCE_COUNT, f"MaxNum is {high}: it must be at least 1, or the service can never run an "
                                    f"instance", ("MaxNum",),
                    fix=Fix(f"set MaxNum to {max(1, low or 0)}", safe=False, edits=_set(context, MaxNum=max(1, low or 0))))
        high = None
    if low is not None and high is not None and high < low:
        context.add(INSTANCE_COUNT, f"MaxNum {high} is below MinNum {low}: raise MaxNum to at least {low} "
                                    f"or lower MinNum", ("MaxNum",),
                    fix=Fix(f"raise MaxNum to {low}", safe=False, edits=_set(context, MaxNum=low)))


# ---- CBR404, CBR405: OpenAccessTypes -------------------------------------------------------------
def _access_types(context: _Context) -> None:
    values = context.data.get("OpenAccessTypes")
    if not isinstance(values, list):
        return
    present = {value for value in values if isinstance(value, str)}
    for index, value in enumerate(values):
        if not isinstance(value, str) or value in ACCESS_TYPES:
            continue
        upper = value.strip().upper()
        at = context.source.value_location("OpenAccessTypes", index)
        if upper in OBSOLETE_ACCESS_TYPES:
            new = OBSOLETE_ACCESS_TYPES[upper]
            extra = " (or 'MINIAPP' for mini-program calls through callContainer)" if new == "VPC" else ""
            if new in present:
                fix = Fix(f"remove {value!r}: {new!r} is already listed", safe=True,
                          edits=(Edit("json-delete", (*context.source.config_path, "OpenAccessTypes", index)),))
            else:
                fix = Fix(f"replace {value!r} with {new!r}", safe=new == "PUBLIC",
                          edits=_set_at(context, ("OpenAccessTypes", index), new))
            context.add(
                OBSOLETE_ACCESS_TYPE,
                f"access type {value!r} is an old name the platform now rejects with \"400 invalid parameter "
                f"value\": use {new!r}{extra}",
                at=at, fix=fix,
            )
        elif upper in ACCESS_TYPES:
            context.add(UNKNOWN_ACCESS_TYPE, f"access type {value!r} must be written in capitals: {upper!r}",
                        at=at, fix=Fix(f"replace {value!r} with {upper!r}", safe=True,
                                       edits=_set_at(context, ("OpenAccessTypes", index), upper)))
        else:
            guess = difflib.get_close_matches(upper, ACCESS_TYPES, n=1, cutoff=0.5)
            hint = f": did you mean {guess[0]!r}?" if guess else ""
            context.add(
                UNKNOWN_ACCESS_TYPE,
                f"unknown access type {value!r}{hint} OpenAccessTypes takes OA (console/office network), "
                f"PUBLIC (public HTTPS domain), MINIAPP (mini-program callContainer) and VPC",
                at=at,
            )


# ---- CBR406: EnvParams -----------------------------------------------------------------------
class _Env:
    """EnvParams decoded, whatever form it was written in, with where each key is in the file."""

    def __init__(self, values: dict[str, str], locate):
        self.values = values
        self.locate = locate


def _env_params(context: _Context) -> _Env | None:
    data = context.data
    if "EnvParams" not in data or data["EnvParams"] is None:
        return None
    value = data["EnvParams"]
    example = '"{\\"KEY\\":\\"value\\"}"'
    if isinstance(value, dict):
        encoded = json.dumps({key: _env_text(item) for key, item in value.items()}, ensure_ascii=False, separators=(",", ":"))
        context.add(
            ENV_PARAMS_FORMAT,
            f"EnvParams is an object, but the API takes a JSON string such as {example}: serialise the "
            f"object into a string",
            ("EnvParams",), fix=Fix(f"replace the object with the string {json.dumps(encoded, ensure_ascii=False)}", safe=True,
                                    edits=_set(context, EnvParams=encoded)),
        )
        values = {str(key): _env_text(item) for key, item in value.items()}
        return _Env(values, lambda key: context.source.location_of("EnvParams", key))
    if not isinstance(value, str):
        context.add(ENV_PARAMS_FORMAT, f"EnvParams must be a JSON string such as {example}, not "
                                       f"{_describe(value)}", ("EnvParams",))
        return None
    if not value.strip():
        return None
    try:
        decoded = json.loads(value)
    except ValueError as error:
        context.add(ENV_PARAMS_FORMAT, f"EnvParams is not valid JSON ({error.msg} at character {error.pos + 1} "
                                       f"of the string): it must be a JSON object encoded as a string, such as "
                                       f"{example}", ("EnvParams",))
        return None
    if not isinstance(decoded, dict):
        context.add(ENV_PARAMS_FORMAT, f"EnvParams must encode a JSON object of strings such as {example}, "
                                       f"not {_describe(decoded)}", ("EnvParams",))
        return None
    locate = _string_key_locator(context, decoded)
    wrong = [key for key, item in decoded.items() if not isinstance(item, str)]
    if wrong:
        key = wrong[0]
        fixed = json.dumps({k: _env_text(v) for k, v in decoded.items()}, ensure_ascii=False, separators=(",", ":"))
        context.add(
            ENV_PARAMS_FORMAT,
            f"EnvParams values must be strings: {key} is {_describe(decoded[key])}"
            + (f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else "")
            + f"; quote it, e.g. {json.dumps(key)}: {json.dumps(_env_text(decoded[key]))}",
            at=locate(key), fix=Fix(f"replace EnvParams with {json.dumps(fixed, ensure_ascii=False)}", safe=True,
                                    edits=_set(context, EnvParams=fixed)),
        )
    return _Env({str(key): _env_text(item) for key, item in decoded.items()}, locate)


def _env_text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _describe(value) -> str:
    from_types = {bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "an object",
                  str: "a string", type(None): "null"}
    return from_types.get(type(value), type(value).__name__)


def _string_key_locator(context: _Context, decoded: dict):
    """Where `"KEY"` is written inside the EnvParams string literal (as `\\"KEY\\"`)."""
    source = context.source
    full = (*source.config_path, "EnvParams")
    if full not in source.positions:
        return lambda key: source.location_of("EnvParams")
    start = source.positions[full][1]
    end = start + 1
    # the end of the string token: the next unescaped quote
    while end < len(source.text) and source.text[end] != '"':
        end += 2 if source.text[end] == "\\" else 1
    token = source.text[start:end]

    def locate(key: str) -> tuple[int, int]:
        needle = json.dumps(json.dumps(key))[1:-1]  # "KEY" as written inside a JSON string: \"KEY\"
        offset = token.find(needle)
        return line_column(source.text, start + offset) if offset >= 0 else source.location_of("EnvParams")

    return locate


# ---- CBR407: function mode listens on 3000 ------------------------------------------------------
def _function_port(context: _Context, service) -> None:
    port = _integer(context.data.get("Port"))
    if port is None or not 1 <= port <= 65535 or port == FUNCTION_PORT_NUMBER or not service.is_function_like:
        return
    context.add(
        FUNCTION_PORT,
        f"Port is {port}, but a {service.mode}-mode service always listens on {FUNCTION_PORT_NUMBER} (the "
        f"functions framework's fixed port): set Port to {FUNCTION_PORT_NUMBER} or remove it",
        ("Port",), fix=Fix(f"set Port to {FUNCTION_PORT_NUMBER}", safe=True, edits=_set(context, Port=FUNCTION_PORT_NUMBER)),
    )


# ---- CBR408: a database in EnvParams and no VPC ---------------------------------------------------
DATABASE_KEY = re.compile(
    r"^(DATABASE_URL|DB_HOST|DB_PORT|DB_USER|DB_PASSWORD|DB_NAME|MYSQL_|POSTGRES_|PGHOST|PGPORT|PGUSER|"
    r"PGPASSWORD|PGDATABASE|PG_|REDIS_|MONGO_|MONGODB_|SQLALCHEMY_DATABASE_URI|SPRING_DATASOURCE_)",
    re.I,
)
DATABASE_URL = re.compile(r"(mysql|mariadb|postgres|postgresql|mongodb(\+srv)?|redis|rediss)://", re.I)
_URL_HOSTS = re.compile(r"://(?:[^@/?#\s]*@)?(?P<hosts>[^/?#\s]+)")
_HOST_KEY = re.compile(r"(HOST|HOSTNAME|ADDR|ADDRESS|SERVER)$", re.I)
_OFF = ("", "0", "false", "no", "off", "none", "disabled")  # REDIS_ENABLED=false names no database
_PRIVATE_SUFFIXES = (".local", ".internal", ".lan", ".localdomain", ".svc", ".cluster.local", ".intranet")


def _vpc_configured(data: dict) -> bool:
    vpc = data.get("VpcConf")
    return isinstance(vpc, dict) and any(value not in (None, "", [], {}) for value in vpc.values())


def _hosts(key: str, value: str) -> list[str]:
    hosts: list[str] = []
    for match in _URL_HOSTS.finditer(value):
        if DATABASE_URL.search(value[: match.start() + 3]):
            hosts.extend(match.group("hosts").split(","))
    if not hosts and _HOST_KEY.search(key) and value.strip():
        hosts = value.split(",")
    cleaned = []
    for host in hosts:
        host = host.strip()
        if host.startswith("["):  # [ipv6]:port
            host = host[1:].split("]", 1)[0]
        elif host.count(":") == 1:
            host = host.split(":", 1)[0]
        if host:
            cleaned.append(host)
    return cleaned


def _public_host(host: str) -> bool:
    """A host the service can reach over the internet without a VPC (a public IP or DNS name)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        name = host.lower().rstrip(".")
        if name == "localhost" or "." not in name or not re.fullmatch(r"[a-z0-9.-]+", name):
            return False
        return not name.endswith(_PRIVATE_SUFFIXES) and re.search(r"\.[a-z]{2,}$", name) is not None
    return address.is_global


def _database_without_vpc(context: _Context, env: _Env | None) -> None:
    if env is None or _vpc_configured(context.data):
        return
    keys = [key for key, value in env.values.items()
            if (DATABASE_KEY.match(key) and value.strip().lower() not in _OFF) or DATABASE_URL.search(value)]
    if not keys:
        return
    hosts = [host for key in keys for host in _hosts(key, env.values[key])]
    if hosts and all(_public_host(host) for host in hosts):
        return  # e.g. a managed database on a public endpoint: no VPC needed
    local = [host for host in hosts if host.lower() in ("localhost", "127.0.0.1", "::1", "0.0.0.0")]
    named = ", ".join(keys[:3]) + (", ..." if len(keys) > 3 else "")
    if local:
        reason = (f"{local[0]} is the container itself, where no database runs on CloudBase Run; point it at "
                  f"the database's private address and add VpcConf")
    else:
        private = [host for host in hosts if not _public_host(host)]
        where = f" ({private[0]} is a private address)" if private else ""
        reason = (f"a database on a private network{where} is unreachable without VPC access; add "
                  f'VpcConf {{"VpcId": "vpc-...", "SubnetId": "subnet-..."}} of the database\'s VPC, '
                  f"unless the service already has one in the console")
    context.add(DATABASE_WITHOUT_VPC, f"EnvParams configure a database ({named}) but serverConfig has no VpcConf: "
                                      f"{reason}", at=env.locate(keys[0]))


# ---- CBR409: the service name --------------------------------------------------------------------
_INFRA_NAME = re.compile(r"^[a-z][a-z0-9-]{0,38}$")
_CLI_NAME = re.compile(r"^[A-Za-z][\w-]{0,43}[A-Za-z0-9]$", re.A)
_MCP_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_-]{2,44}$")


def name_problems(name: str) -> list[str]:
    """Why an official tool would refuse `name` as a CloudBase Run service name (empty: none would)."""
    problems: list[str] = []
    if not _MCP_NAME.match(name):
        if re.fullmatch(r"[a-zA-Z][a-zA-Z0-9_-]*", name):
            problems.append(f"the MCP server (manageCloudRun) needs 3 to 45 characters, not {len(name)}")
        else:
            problems.append("the MCP server (manageCloudRun) accepts only letters, digits, '_' and '-', "
                            "starting with a letter, 3 to 45 characters")
    if not _CLI_NAME.match(name):
        if name[-1:] in ("-", "_"):
            problems.append(f"the CLI (tcb) refuses a name ending with {name[-1]!r}")
        else:
            problems.append("the CLI (tcb) accepts only letters, digits, '_' and '-', starting with a letter "
                            "and ending with a letter or digit, at most 45 characters")
    if name.lower().startswith(("lcap", "lowcode")):
        prefix = "lcap" if name.lower().startswith("lcap") else "lowcode"
        problems.append(f"the CLI (tcb) refuses names starting with {prefix!r} (reserved for low-code apps)")
    if not _INFRA_NAME.match(name):
        if len(name) > 39 and re.fullmatch(r"[a-z][a-z0-9-]*", name):
            problems.append("infrastructure tools accept at most 39 characters")
        else:
            problems.append("infrastructure tools accept only lowercase "
                            "letters, digits and '-', starting with a letter, at most 39 characters")
    return problems


def suggested_name(name: str) -> str:
    candidate = re.sub(r"[^a-z0-9-]+", "-", name.lower().replace("_", "-"))
    candidate = re.sub(r"-{2,}", "-", candidate).strip("-")
    candidate = re.sub(r"^[^a-z]+", "", candidate)
    for prefix in ("lcap", "lowcode"):
        if candidate.startswith(prefix):
            candidate = "svc-" + candidate
    candidate = candidate[:39].rstrip("-") or "my-service"
    while len(candidate) < 3:
        candidate += "-svc"
    return candidate


def _service_name(context: _Context) -> None:
    document = context.source.document
    cloudrun = document.get("cloudrun") if isinstance(document, dict) else None
    if not isinstance(cloudrun, dict) or "name" not in cloudrun:
        return
    name = cloudrun["name"]
    if not isinstance(name, str):
        context.add(SERVICE_NAME, f"cloudrun.name must be a string, not {_describe(name)}",
                    at=context.source.document_location("cloudrun", "name"))
        return
    problems = name_problems(name)
    if not problems:
        return
    at = context.source.document_location("cloudrun", "name")
    better = suggested_name(name)
    context.add(
        SERVICE_NAME,
        f"service name {name!r} would be refused: {'; '.join(problems)}. A name such as {better!r} works "
        f"with every tool",
        at=at, fix=Fix(f"rename the service to {better!r}", safe=False,
                       edits=(_json_set(document, ("cloudrun", "name"), better),)),
    )


# ---- CBR501: secrets in EnvParams ----------------------------------------------------------------
def _secrets_in_env(context: _Context, env: _Env | None) -> None:
    if env is None:
        return
    for key, value in env.values.items():
        if looks_like_secret(key, value):
            what = "a connection URL with its password" if url_password(value) else "a secret-looking value"
            context.add(
                SECRET_IN_ENV_PARAMS,
                f"EnvParams commit {what} in {key}: anyone who can read the repository can use it; remove it "
                f"from {context.short_name()}, rotate it, and set {key} in the CloudBase console (service "
                f"settings, environment variables) or pass it from your CI's secret store at deploy time",
                at=env.locate(key),
            )


# ---- CBR502: credentials elsewhere in the config file ---------------------------------------------
_CLOUD_CREDENTIAL_KEY = re.compile(r"^(tencent_?cloud_?)?(secret_?id|secret_?key|session_?token)$", re.I)


def _strings(document, skip: tuple) -> list[tuple[tuple, str, str]]:
    """(path, key, value) of every string in the document, in document order, leaving out the subtree
    at `skip`; `key` is the name of the nearest object member holding it ("" at the top)."""
    found = []
    pending = [((), "", document)]  # a stack: children are pushed in reverse to come out in order
    while pending:
        path, key, value = pending.pop()
        if path == skip:
            continue
        if isinstance(value, str):
            found.append((path, key, value))
        elif isinstance(value, dict):
            pending.extend(((*path, name), name, item) for name, item in reversed(value.items()))
        elif isinstance(value, list):
            pending.extend(((*path, index), key, value[index]) for index in reversed(range(len(value))))
    return found


def _secrets_in_file(context: _Context) -> None:
    source = context.source
    skip = (*source.config_path, "EnvParams")  # CBR501's ground
    for path, key, value in _strings(source.document, skip):
        credential_key = bool(_CLOUD_CREDENTIAL_KEY.match(key)) and looks_like_secret("SECRET", value)
        if not (credential_key or looks_like_secret(key, value)):
            continue
        dotted = ".".join(str(part) for part in path)
        if credential_key or value.strip().startswith("AKID"):
            message = (f"{context.short_name()} holds a Tencent Cloud API credential ({dotted}): anyone who can "
                       f"read the repository can manage your cloud account; delete it, rotate the key, and log "
                       f"in with `tcb login` (in CI: `tcb login --apiKeyId ... --apiKey ...` from the CI's secret store)")
        else:
            message = (f"{context.short_name()} commits a secret-looking value at {dotted}: remove it, rotate it, "
                       f"and provide it from the console or your CI's secret store instead")
        context.add(SECRET_IN_CONFIG_FILE, message, at=source.document_location(*path))


# ---- CBR412: Dockerfile / BuildDir that do not exist ------------------------------------------------
def _relative_path(value) -> bool:
    return isinstance(value, str) and bool(value.strip()) and not os.path.isabs(value)


def _build_paths(context: _Context, service) -> None:
    data = context.data
    build_dir, dockerfile = data.get("BuildDir"), data.get("Dockerfile")
    if not _relative_path(build_dir) and not _relative_path(dockerfile):
        return  # neither names a path to look for
    root = Path(service.root)
    base = root
    if _relative_path(build_dir):
        base = root / build_dir
        if not base.is_dir():
            context.add(BUILD_PATH_MISSING, f"BuildDir {build_dir!r} is not a folder of the service "
                                            f"({root.name}/{build_dir}): the build would fail; fix the path",
                        ("BuildDir",))
            return
    if not _relative_path(dockerfile):
        return
    if base == root and os.path.normpath(dockerfile) == "Dockerfile":
        return  # the default: a missing Dockerfile is the Dockerfile rules' business
    if (base / dockerfile).is_file() or (root / dockerfile).is_file():
        return
    context.add(BUILD_PATH_MISSING, f"Dockerfile {dockerfile!r} does not exist in the service"
                                    + (f" or in BuildDir {build_dir!r}" if base != root else "")
                                    + ": the platform could not build the image; fix the path or add the file",
                ("Dockerfile",))


# ---- the edits `--fix` makes (scaffolder/fixes/json_config.py applies them in place) -------------
def _value_at(document, path: tuple):
    for part in path:
        document = document[part]
    return document


def _json_value(value) -> str:
    if isinstance(value, float) and not isinstance(value, bool):
        return _text(value)
    return json.dumps(value, ensure_ascii=False)


def _json_set(document, path: tuple, value) -> Edit:
    """Set the value at `path` (from the top of the file), if it is still the one seen now."""
    return Edit("json-set", path, _json_value(value), json.dumps(_value_at(document, path), ensure_ascii=False))


def _set_at(context: _Context, path: tuple, value) -> tuple[Edit, ...]:
    return (_json_set(context.source.document, (*context.source.config_path, *path), value),)


def _set(context: _Context, **values) -> tuple[Edit, ...]:
    return tuple(edit for key, value in values.items() for edit in _set_at(context, (key,), value))


def _nearest_size_fix(context: _Context, cpu: float, with_mem: bool) -> Fix:
    """The allowed size nearest to Cpu (the larger one on a tie: no less than was asked for)."""
    best_cpu, best_mem = min(SIZES, key=lambda size: (abs(size[0] - cpu), -size[0]))
    if with_mem:
        return Fix(f"set Cpu to {_text(best_cpu)} and Mem to {_text(best_mem)}", safe=False,
                   edits=_set(context, Cpu=best_cpu, Mem=best_mem))
    return Fix(f"set Cpu to {_text(best_cpu)}", safe=False, edits=_set(context, Cpu=best_cpu))


def _issue_edits(context: _Context, issue) -> tuple[Edit, ...]:
    """The edit behind a CBR410/CBR411 issue's fix text, when it is mechanical."""
    import ast
    import shlex

    path = (*context.source.config_path, *issue.path)
    if issue.kind == "unknown":
        if issue.fix.startswith("remove "):
            return (Edit("json-delete", path),)
        return (Edit("json-rename", path, issue.suggestion),) if issue.suggestion else ()
    try:
        value = _value_at(context.source.document, path)
        if issue.fix.startswith("use "):
            new = ast.literal_eval(issue.fix[4:])
        elif issue.fix.startswith("replace ") and isinstance(value, str):
            new = float(value.strip())
        elif issue.fix.startswith("split ") and isinstance(value, str):
            new = shlex.split(value)
        else:
            return ()
    except (KeyError, IndexError, TypeError, ValueError, SyntaxError):
        return ()
    return (_json_set(context.source.document, path, new),)
