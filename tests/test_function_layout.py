"""Function-mode layout (CBR601-CBR604) beyond the catalog's examples: both ways, with locations."""

from __future__ import annotations

import json

import pytest

from scaffolder.nodeproject.exports import module_exports
from scaffolder.treesitter import parse

FRAMEWORK = "@cloudbase/functions-framework"
MAIN = "exports.main = async (event, context) => ({ ok: true });\n"


def package(scripts=None, dependencies=None, **extra) -> str:
    data = {"name": "demo-fn", "version": "1.0.0", "private": True}
    if scripts is not None:
        data["scripts"] = scripts
    data["dependencies"] = {FRAMEWORK: "1.18.0"} if dependencies is None else dependencies
    data.update(extra)
    return json.dumps(data, indent=2) + "\n"


STANDARD = {"dev": "tcb-ff -w", "start": "tcb-ff"}


def found(findings, *codes_wanted):
    return [(f.code, f.path, f.line) for f in findings if not codes_wanted or f.code in codes_wanted]


# ---- CBR601 ---------------------------------------------------------------------------------------
def test_no_script_and_no_entry_points_at_scripts(lint_files):
    findings = lint_files({"package.json": package({"test": "node --test"}), "handler.js": MAIN})
    assert found(findings) == [("CBR601", "package.json", 5)]


def test_no_scripts_key_points_at_the_top(lint_files):
    findings = lint_files({"package.json": package(None), "lib/handler.js": MAIN})
    assert found(findings) == [("CBR601", "package.json", 1)]


@pytest.mark.parametrize("entry", ["index.js", "app.js", "server.js", "index.mjs"])
def test_an_entry_file_is_enough(lint_files, entry):
    assert found(lint_files({"package.json": package(None), entry: MAIN}), "CBR601") == []


@pytest.mark.parametrize("script", ["dev", "start"])
def test_a_dev_or_start_script_is_enough(lint_files, script):
    files = {"package.json": package({script: "tcb-ff --source lib/handler.js"}), "lib/handler.js": MAIN}
    assert found(lint_files(files)) == []


def test_container_service_needs_neither(lint_files):
    files = {"package.json": package(None, {"express": "^4.19.2"}), "lib/handler.js": MAIN}
    assert found(lint_files(files), "CBR601") == []


# ---- CBR602 ---------------------------------------------------------------------------------------
def test_tcb_ff_script_without_the_framework(lint_files):
    findings = lint_files({"package.json": package(STANDARD, {"dayjs": "1.11.10"}), "index.js": MAIN})
    assert found(findings) == [("CBR602", "package.json", 6)]
    assert "npm install @cloudbase/functions-framework" in findings[0].message


@pytest.mark.parametrize("script", ["npx tcb-ff -w", "cross-env NODE_ENV=dev tcb-ff", "dotenvx run -f .env -- tcb-ff",
                                    "node node_modules/@cloudbase/functions-framework/bin/tcb-ff.js"])
def test_tcb_ff_behind_wrappers(lint_files, script):
    findings = lint_files({"package.json": package({"dev": script}, {}), "index.js": MAIN})
    assert found(findings, "CBR602") == [("CBR602", "package.json", 6)]


def test_framework_in_dev_dependencies_is_enough(lint_files):
    files = {"package.json": package(STANDARD, {}, devDependencies={FRAMEWORK: "1.18.0"}), "index.js": MAIN}
    assert found(lint_files(files)) == []


def test_agent_projects_rely_on_the_platform_framework(lint_files):
    # CloudBase's own agent examples: only the agent framework, and `tcb-ff` in the dev script.
    files = {"package.json": package({"dev": "tcb-ff -w"}, {"@cloudbase/aiagent-framework": "1.0.0-beta.3"}),
             "index.js": MAIN}
    assert found(lint_files(files), "CBR602") == []


def test_tcb_ff_only_mentioned_is_not_run(lint_files):
    files = {"package.json": package({"dev": "nodemon --exec tcb-ff", "start": "echo tcb-ff"}, {"express": "4.19.2"}),
             "index.js": MAIN}
    assert found(lint_files(files)) == []


# ---- CBR603 ---------------------------------------------------------------------------------------
def test_default_main_missing_points_at_the_first_export(lint_files):
    index = "// orders\n\nasync function handler(event) {\n  return [];\n}\n\nmodule.exports = { handler };\n"
    findings = lint_files({"package.json": package(STANDARD), "index.js": index})
    assert found(findings) == [("CBR603", "index.js", 7)]
    assert "does not export `main`" in findings[0].message and "it exports handler" in findings[0].message


def test_target_from_the_script(lint_files):
    files = {"package.json": package({"dev": "tcb-ff -w --target=api", "start": "FUNCTION_TARGET=api tcb-ff"}),
             "index.js": MAIN}
    findings = lint_files(files)
    assert found(findings) == [("CBR603", "index.js", 1)]
    assert "`api`" in findings[0].message


def test_source_from_the_script(lint_files):
    files = {"package.json": package({"dev": "tcb-ff --source src/app.js"}), "src/app.js": "exports.handler = () => 1;\n",
             "index.js": MAIN}
    assert found(lint_files(files)) == [("CBR603", "src/app.js", 1)]


def test_source_folder_means_its_index(lint_files):
    files = {"package.json": package({"start": "tcb-ff --source src"}), "src/index.js": MAIN}
    assert found(lint_files(files)) == []


def test_missing_source_file_points_at_the_script(lint_files):
    files = {"package.json": package({"start": "tcb-ff --source app.js"}), "index.js": MAIN}
    findings = lint_files(files)
    assert found(findings) == [("CBR603", "package.json", 6)]
    assert "app.js, which does not exist" in findings[0].message


def test_missing_build_output_is_not_reported(lint_files):
    files = {"package.json": package({"build": "tsc", "start": "tcb-ff --source dist/index.js"}),
             "tsconfig.json": "{}\n", "src/index.ts": "export const main = async () => ({ ok: true });\n"}
    assert found(lint_files(files)) == []


@pytest.mark.parametrize("index", [
    "exports.main = async (event, context) => ({ ok: true });\n",
    "module.exports.main = function (event) { return 1; };\n",
    "async function main() { return 1; }\nmodule.exports = { main };\n",
    "module.exports = { async main(event) { return 1; } };\n",
    "export const main = async (event, context) => ({ ok: true });\n",
    "async function handler() { return 1; }\nexport { handler as main };\n",
    "module.exports = require('./handlers');\n",  # cannot be read: no guess
    "const handlers = { main: () => 1 };\nmodule.exports = handlers;\n",
    "module.exports = { ...require('./base') };\n",
    "export default { main: () => 1 };\n",
    "exports.main = (\n",  # a syntax error: no guess either
])
def test_exports_that_provide_main_or_cannot_be_read(lint_files, index):
    files = {"package.json": package(STANDARD), "index.js": index, "handlers.js": MAIN, "base.js": MAIN}
    assert found(lint_files(files), "CBR603") == []


def test_typescript_entry_named_by_the_script(lint_files):
    files = {"package.json": package({"dev": "tcb-ff --source index.ts"}),
             "index.ts": "export const handler = async (): Promise<number> => 1;\n"}
    assert found(lint_files(files)) == [("CBR603", "index.ts", 1)]


def test_no_script_uses_the_default_entry(lint_files):
    files = {"package.json": package(None), "index.js": "exports.handler = () => 1;\n"}
    assert found(lint_files(files)) == [("CBR603", "index.js", 1)]


def test_websocket_upgrade_export_keeps_main(lint_files):
    index = MAIN + "exports.main.handleUpgrade = async () => ({ allowWebSocket: true });\n"
    assert found(lint_files({"package.json": package(STANDARD), "index.js": index})) == []


def test_module_exports_reader_marks_what_it_cannot_read():
    source = parse("javascript", "exports[name] = 1;\nexports.a = 2;\n")
    exports = module_exports(source)
    assert exports.names == {"a"} and exports.complete is False and exports.has("main") is None
    assert module_exports(parse("javascript", "exports.a = 2;\n")).has("main") is False


# ---- CBR604 ---------------------------------------------------------------------------------------
def config(data) -> str:
    return json.dumps(data, indent=2) + "\n"


def multi(functions_json: str, **files) -> dict:
    tree = {"package.json": package(STANDARD), "index.js": MAIN, "functions/user/index.js": MAIN,
            "cloudbase-functions.json": functions_json}
    tree.update(files)
    return tree


def test_valid_config(lint_files):
    data = {"functionsRoot": ".", "functions": [{"name": "main", "directory": "."},
                                                {"name": "user", "directory": "functions/user", "triggerPath": "/user"}],
            "routes": [{"functionName": "main", "path": "/"}], "$schema": "https://example.com/schema.json"}
    assert found(lint_files(multi(config(data)))) == []


def test_bad_json_is_cbr604_at_its_position(lint_files):
    findings = lint_files(multi('{\n  "functions": [\n    {"name": "main", "directory": "."},\n  ]\n}\n'))
    assert found(findings) == [("CBR604", "cloudbase-functions.json", 4)]
    assert "not valid JSON" in findings[0].message


def test_unknown_keys_with_a_suggestion(lint_files):
    data = {"functionRoot": ".", "functions": [{"name": "main", "directory": ".", "trigerPath": "/"}]}
    findings = lint_files(multi(config(data)))
    assert found(findings) == [("CBR604", "cloudbase-functions.json", 2), ("CBR604", "cloudbase-functions.json", 7)]
    assert "did you mean `functionsRoot`" in findings[0].message
    assert "did you mean `triggerPath`" in findings[1].message


def test_missing_directory_and_entry_file(lint_files):
    data = {"functions": [{"name": "main", "directory": "."}, {"name": "user", "directory": "functions/users"},
                          {"name": "empty", "directory": "functions/empty"}]}
    findings = lint_files(multi(config(data), **{"functions/empty/README.md": "todo\n"}))
    assert found(findings) == [("CBR604", "cloudbase-functions.json", 9), ("CBR604", "cloudbase-functions.json", 13)]
    assert "`functions/users` does not exist" in findings[0].message
    assert "no entry file `functions/empty/index.js`" in findings[1].message


def test_duplicates_and_dangling_routes(lint_files):
    data = {"functions": [{"name": "main", "directory": "."}, {"name": "main", "directory": "functions/user"}],
            "routes": [{"functionName": "main", "path": "/a"}, {"functionName": "ghost", "path": "/b"},
                       {"functionName": "main", "path": "/a/"}]}
    findings = lint_files(multi(config(data)))
    messages = [f.message for f in findings if f.code == "CBR604"]
    assert len(messages) == 3
    assert "`main` is used twice" in messages[0]
    assert "`ghost`" in messages[1]
    assert "listed twice" in messages[2]


def test_one_path_routed_to_two_functions(lint_files):
    data = {"functions": [{"name": "main", "directory": "."},
                          {"name": "user", "directory": "functions/user", "triggerPath": "/user"}],
            "routes": [{"functionName": "main", "path": "/user"}]}
    findings = lint_files(multi(config(data)))
    assert [f.code for f in findings] == ["CBR604"]
    assert "routed to both `user` and `main`" in findings[0].message


def test_paths_that_leave_the_service(lint_files):
    data = {"functionsRoot": "../shared", "functions": [{"name": "main", "directory": "."}]}
    findings = lint_files(multi(config(data)))
    assert [f.code for f in findings] == ["CBR604"] and "leaves the service" in findings[0].message


def test_build_output_root_is_not_reported(lint_files):
    data = {"functionsRoot": "./dist", "functions": [{"name": "default", "directory": "./", "triggerPath": "/"}]}
    files = {"package.json": package({"build": "tsc", "dev": "tcb-ff -w"}), "tsconfig.json": "{}\n",
             "src/index.ts": "export const main = async () => 1;\n", "cloudbase-functions.json": config(data)}
    assert found(lint_files(files)) == []


def test_target_named_in_the_config(lint_files):
    data = {"functions": [{"name": "main", "directory": "."},
                          {"name": "user", "directory": "functions/user", "target": "handler"}]}
    findings = lint_files(multi(config(data)))
    assert found(findings) == [("CBR603", "functions/user/index.js", 1)]
    assert "the function `user` in cloudbase-functions.json" in findings[0].message


def test_config_file_named_by_the_script(lint_files):
    data = {"functions": [{"name": "main", "directory": ".", "target": "handler"}]}
    files = {"package.json": package({"dev": "tcb-ff --functionsConfigFile fns.json"}), "index.js": MAIN,
             "fns.json": config(data)}
    assert found(lint_files(files)) == [("CBR603", "index.js", 1)]
    files["package.json"] = package({"dev": "tcb-ff --functionsConfigFile missing.json"})
    assert found(lint_files(files), "CBR604") == [("CBR604", "package.json", 6)]


def test_not_checked_outside_function_mode(lint_files):
    files = {"package.json": package({"start": "node server.js"}, {"express": "4.19.2"}),
             "server.js": "module.exports = {};\n", "cloudbase-functions.json": "{ broken\n"}
    assert found(lint_files(files), "CBR603", "CBR604") == []
