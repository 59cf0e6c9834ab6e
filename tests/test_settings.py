"""Settings files: where they are found, what they accept, and the clear errors for what they don't."""

from __future__ import annotations

import pytest

from scaffolder.catalog import default_catalog
from scaffolder.findings import Severity
from scaffolder.settings import SettingsError, find_settings_file, load_settings

CATALOG = default_catalog()


def test_pyproject_table_is_read(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[project]\nname = "x"\n\n[tool.scaffolder]\nselect = ["CBR0", "DL"]\nignore = ["DL3008"]\n'
        'fail-on = "error"\nhadolint = false\n[tool.scaffolder.per-file-ignores]\n"legacy/*.py" = ["CBR002"]\n'
        '[tool.scaffolder.severity]\nCBR002 = "error"\n'
    )
    settings = load_settings(find_settings_file(tmp_path), CATALOG)
    assert settings.select == ["CBR0", "DL"] and settings.ignore == ["DL3008"]
    assert settings.fail_on is Severity.ERROR and settings.hadolint is False
    assert settings.enabled("CBR001", CATALOG) and settings.enabled("DL3006", CATALOG)
    assert not settings.enabled("DL3008", CATALOG)
    assert settings.ignored_in_file("CBR002", "legacy/app.py", CATALOG)
    assert not settings.ignored_in_file("CBR002", "app.py", CATALOG)
    assert settings.severity_for("CBR002", Severity.WARNING) is Severity.ERROR


def test_nearest_file_wins_and_plain_pyproject_is_skipped(tmp_path):
    (tmp_path / ".scaffolder.toml").write_text('ignore = ["CBR002"]\n')
    nested = tmp_path / "svc"
    nested.mkdir()
    (nested / "pyproject.toml").write_text('[project]\nname = "svc"\n')
    assert find_settings_file(nested) == tmp_path / ".scaffolder.toml"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('selct = ["CBR0"]\n', "did you mean 'select'"),
        ('select = ["CBR999"]\n', "unknown rule code or prefix 'CBR999'"),
        ('fail-on = "fatal"\n', "unknown severity 'fatal'"),
        ('select = "CBR0"\nhadolint = "yes"\n', "'hadolint' must be true or false"),
        ("select = [\n", "invalid TOML"),
        ('[severity]\nCBR001 = "loud"\n', "severity.CBR001"),
    ],
)
def test_bad_settings_say_what_and_where(tmp_path, content, expected):
    path = tmp_path / ".scaffolder.toml"
    path.write_text(content)
    with pytest.raises(SettingsError) as error:
        load_settings(path, CATALOG)
    assert expected in str(error.value)
    assert str(path) in str(error.value)


def test_hadolint_prefixes_are_known_selectors(tmp_path):
    path = tmp_path / ".scaffolder.toml"
    path.write_text('ignore = ["DL3008", "SC2086", "DL30"]\n')
    settings = load_settings(path, CATALOG)
    assert not settings.enabled("DL3009", CATALOG)
    assert settings.enabled("DL4000", CATALOG)
