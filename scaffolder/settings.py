"""The tool's own settings: [tool.scaffolder] in pyproject.toml, or .scaffolder.toml.

    [tool.scaffolder]
    select = ["ALL"]                 # code prefixes: "CBR4", "CBR401", "DL", "DL3008", "SC"
    ignore = ["DL3008"]
    fail-on = "warning"              # error | warning | info: the lowest severity that fails the run
    hadolint = true                  # run hadolint on Dockerfiles
    [tool.scaffolder.per-file-ignores]
    "legacy/**" = ["CBR3"]
    [tool.scaffolder.severity]
    CBR301 = "error"
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

from scaffolder.catalog import HADOLINT_CODE_PATTERN, Catalog
from scaffolder.findings import Severity

SETTINGS_FILES = (".scaffolder.toml", "pyproject.toml")
KNOWN_KEYS = {"select", "ignore", "fail-on", "hadolint", "per-file-ignores", "severity"}


class SettingsError(Exception):
    """A bad settings file or an unknown rule code; the message says what and where."""


@dataclass
class Settings:
    select: list[str] = field(default_factory=lambda: ["ALL"])
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    severity: dict[str, Severity] = field(default_factory=dict)
    fail_on: Severity = Severity.WARNING
    hadolint: bool = True
    source: Path | None = None  # the file the settings came from, for messages and glob roots

    def enabled(self, code: str, catalog: Catalog) -> bool:
        code = catalog.aliases().get(code, code)
        return _matches_any(code, self.select, catalog) and not _matches_any(code, self.ignore, catalog)

    def ignored_in_file(self, code: str, relative_path: str, catalog: Catalog) -> bool:
        code = catalog.aliases().get(code, code)
        name = relative_path.rsplit("/", 1)[-1]
        for pattern, codes in self.per_file_ignores.items():
            if fnmatch.fnmatch(relative_path, pattern) or ("/" not in pattern and fnmatch.fnmatch(name, pattern)):
                if _matches_any(code, codes, catalog):
                    return True
        return False

    def severity_for(self, code: str, default: Severity) -> Severity:
        return self.severity.get(code, default)

    def validate_codes(self, catalog: Catalog, where: str) -> None:
        selectors = [*self.select, *self.ignore, *self.severity]
        for codes in self.per_file_ignores.values():
            selectors.extend(codes)
        for selector in selectors:
            if not is_known_selector(selector, catalog):
                raise SettingsError(f"{where}: unknown rule code or prefix {selector!r}")


def _matches_any(code: str, selectors: list[str], catalog: Catalog) -> bool:
    for selector in selectors:
        selector = catalog.aliases().get(selector, selector)
        if selector == "ALL" or code.startswith(selector):
            return True
    return False


def is_known_selector(selector: str, catalog: Catalog) -> bool:
    if selector == "ALL" or catalog.get(selector) is not None:
        return True
    if HADOLINT_CODE_PATTERN.match(selector) or selector in ("DL", "SC"):
        return True
    if len(selector) >= 2 and (selector.startswith("DL") or selector.startswith("SC")) and selector[2:].isdigit():
        return True
    return len(selector) >= 3 and any(code.startswith(selector) for code in catalog.rules)


def _toml():
    """The TOML reader, imported only when there is a settings file (it costs a run 13 ms)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    return tomllib


def find_settings_file(start: Path) -> Path | None:
    """The nearest .scaffolder.toml, or pyproject.toml with [tool.scaffolder], from `start` upwards."""
    start = start.resolve()
    for directory in (start, *start.parents):
        for name in SETTINGS_FILES:
            candidate = directory / name
            if candidate.is_file():
                if name == "pyproject.toml" and not _has_tool_table(candidate):
                    continue
                return candidate
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        return "[tool.scaffolder" in path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def load_settings(path: Path | None, catalog: Catalog) -> Settings:
    if path is None:
        return Settings()
    tomllib = _toml()
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SettingsError(f"{path}: cannot read settings: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{path}: settings file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: invalid TOML: {error}") from None
    table = document.get("tool", {}).get("scaffolder", {}) if path.name == "pyproject.toml" else document
    where = f"{path} [tool.scaffolder]" if path.name == "pyproject.toml" else str(path)
    settings = _settings_from_table(table, where)
    settings.source = path
    settings.validate_codes(catalog, where)
    return settings


def _settings_from_table(table: dict, where: str) -> Settings:
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        import difflib

        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key.replace("_", "-"), sorted(KNOWN_KEYS), n=1)
            hints.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise SettingsError(f"{where}: unknown setting {', '.join(hints)}")
    settings = Settings()
    if "select" in table:
        settings.select = _code_list(table["select"], "select", where)
    if "ignore" in table:
        settings.ignore = _code_list(table["ignore"], "ignore", where)
    if "hadolint" in table:
        if not isinstance(table["hadolint"], bool):
            raise SettingsError(f"{where}: 'hadolint' must be true or false")
        settings.hadolint = table["hadolint"]
    if "fail-on" in table:
        settings.fail_on = _severity(table["fail-on"], "fail-on", where)
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise SettingsError(f"{where}: 'per-file-ignores' must be a table of glob = [codes]")
    settings.per_file_ignores = {
        str(glob): _code_list(codes, f"per-file-ignores.{glob!r}", where) for glob, codes in per_file.items()
    }
    severities = table.get("severity", {})
    if not isinstance(severities, dict):
        raise SettingsError(f"{where}: 'severity' must be a table of CODE = \"error\" | \"warning\" | \"info\"")
    settings.severity = {str(code): _severity(value, f"severity.{code}", where) for code, value in severities.items()}
    return settings


def _code_list(value, key: str, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise SettingsError(f"{where}: '{key}' must be a list of rule codes")
    return [item.strip().upper() for item in value]


def _severity(value, key: str, where: str) -> Severity:
    try:
        return Severity.parse(str(value))
    except ValueError as error:
        raise SettingsError(f"{where}: '{key}': {error}") from None
