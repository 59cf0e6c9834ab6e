"""Every report format, from one real lint of a broken service."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conftest import write_tree
from scaffolder.catalog import default_catalog
from scaffolder.engine import LintOptions, lint
from scaffolder.reporters import ReportContext, render
from scaffolder.settings import Settings

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
BROKEN = {
    "cloudbaserc.json": '{"envId": "env-1", "cloudrun": {"name": "api",}}\n',
    "app.py": "import os\n\nport = int(os.environ.get('PORT', '8080'))  # scaffolder: ignore[CBR9999]\n",
}


@pytest.fixture
def report(tmp_path):
    write_tree(tmp_path, BROKEN)
    catalog = default_catalog()
    result = lint([tmp_path], LintOptions(Settings(hadolint=False), catalog, report_root=tmp_path))
    assert {f.code for f in result.findings} >= {"CBR001", "CBR003"}
    context = ReportContext(catalog=catalog, root=tmp_path, fail_on="warning")
    return lambda name: render(name, result, context)


def test_sarif_is_valid_and_has_what_code_scanning_needs(report):
    document = json.loads(report("sarif"))
    jsonschema.validate(document, SCHEMA)
    run = document["runs"][0]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert "CBR001" in rule_ids
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["shortDescription"]["text"] and rule["help"]["text"]
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert location["region"]["startLine"] >= 1
        assert result["partialFingerprints"]["primaryLocationLineHash"]
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
    parse_error = next(r for r in run["results"] if r["ruleId"] == "CBR001")
    assert parse_error["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "cloudbaserc.json"
    assert parse_error["level"] == "error"


def test_json_lists_findings_with_locations(report):
    document = json.loads(report("json"))
    assert document["summary"]["findings"] == len(document["findings"])
    unknown = next(f for f in document["findings"] if f["code"] == "CBR003")
    assert (unknown["path"], unknown["line"], unknown["severity"]) == ("app.py", 3, "warning")


def test_github_annotations_escape_and_locate(report):
    lines = report("github").splitlines()
    assert any(line.startswith("::error file=cloudbaserc.json,line=1,") for line in lines)
    assert any(line.startswith("::warning file=app.py,line=3,") and "CBR003" in line for line in lines)


def test_text_shows_location_code_frame_and_summary(report):
    text = report("text")
    assert "app.py:3:" in text and "CBR003" in text
    assert "> 3 | port = int(" in text
    assert "Found " in text and "Failing at: warning and above." in text


def test_junit_has_a_failing_case_per_rule_and_file(report):
    from xml.etree import ElementTree

    root = ElementTree.fromstring(report("junit"))
    cases = root.findall("./testsuite/testcase")
    assert {(case.get("classname"), case.get("name")) for case in cases} >= {("cloudbaserc.json", "CBR001"), ("app.py", "CBR003")}
    assert all(case.find("failure") is not None for case in cases)
    assert root.get("failures") == str(len(cases))


def test_gitlab_code_quality_issues(report):
    issues = json.loads(report("gitlab"))
    assert {issue["check_name"] for issue in issues} >= {"CBR001", "CBR003"}
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    parse_error = next(issue for issue in issues if issue["check_name"] == "CBR001")
    assert parse_error["severity"] == "critical" and parse_error["location"]["path"] == "cloudbaserc.json"
