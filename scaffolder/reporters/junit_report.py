"""JUnit XML for CI systems that show test reports: one test case per rule and file, failing
with each finding of that rule in that file."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree

from scaffolder.findings import LintResult


def render(result: LintResult, context) -> str:
    by_case: dict[tuple[str, str], list] = defaultdict(list)
    for finding in result.findings:
        by_case[(finding.path, finding.code)].append(finding)
    suite = ElementTree.Element("testsuite", name="scaffolder", tests=str(max(len(by_case), 1)),
                                failures=str(len(by_case)), errors="0")
    if not by_case:
        ElementTree.SubElement(suite, "testcase", classname="scaffolder", name="no findings")
    for (path, code), findings in sorted(by_case.items()):
        case = ElementTree.SubElement(suite, "testcase", classname=path, name=code, file=path,
                                      line=str(findings[0].line))
        for finding in findings:
            failure = ElementTree.SubElement(case, "failure", type=code,
                                             message=f"{path}:{finding.line}:{finding.column}: {finding.message}")
            failure.text = f"{code} [{finding.severity.value if finding.severity else 'warning'}] {finding.message}"
    root = ElementTree.Element("testsuites", name="scaffolder", tests=suite.get("tests"),
                               failures=suite.get("failures"))
    root.append(suite)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"
