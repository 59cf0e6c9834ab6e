"""The wheel carries the catalog and the templates, so an installed scaffolder works offline."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_carries_rules_and_templates(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(ROOT)], check=True, timeout=300)
    (wheel,) = tmp_path.glob("scaffolder-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    rule_files = sorted(path.name for path in (ROOT / "rules").glob("CBR*.md"))
    assert rule_files and all(f"scaffolder/_data/rules/{name}" in names for name in rule_files)
    for mode in ("function", "container", "agent"):
        assert f"scaffolder/_data/templates/{mode}/copier.yml" in names, mode
    assert "scaffolder/cli.py" in names
