"""Agent-mode layout (CBR611-CBR613) beyond the catalog's examples: both ways, with locations."""

from __future__ import annotations

import json

import pytest

from scaffolder.nodeproject.bot_ids import check_value

AGENT = "@cloudbase/aiagent-framework"
FRAMEWORK = "@cloudbase/functions-framework"


def package(dependencies=None, **extra) -> str:
    data = {"name": "ibot-helper", "version": "1.0.0", "private": True, "main": "index.js",
            "scripts": {"dev": "tcb-ff -w", "start": "tcb-ff"},
            "dependencies": {AGENT: "^1.0.0-beta.10", FRAMEWORK: "1.18.0"} if dependencies is None else dependencies}
    data.update(extra)
    return json.dumps(data, indent=2) + "\n"


def bot(send_message: str, header: str = "", base: str = "BotCore") -> str:
    return (f'const {{ BotCore, BotRunner }} = require("{AGENT}");\n{header}\n'
            f"class HelperBot extends {base} {{\n{send_message}\n}}\n\n"
            "exports.main = (event, context) => BotRunner.run(event, context, new HelperBot(context));\n")


def found(findings, *codes_wanted):
    return [(f.code, f.path, f.line) for f in findings if not codes_wanted or f.code in codes_wanted]


ENDS = """  async sendMessage({ msg }) {
    this.sseSender.send({ data: { content: msg } });
    this.sseSender.end();
  }"""
NEVER_ENDS = """  async sendMessage({ msg }) {
    this.sseSender.send({ data: { content: msg } });
  }"""


# ---- CBR611 ---------------------------------------------------------------------------------------
def test_import_without_dependency_points_at_dependencies(lint_files):
    findings = lint_files({"package.json": package({FRAMEWORK: "1.18.0"}), "index.js": bot(ENDS)})
    assert found(findings) == [("CBR611", "package.json", 10)]
    assert "index.js line 1" in findings[0].message


def test_only_in_dev_dependencies_points_at_it(lint_files):
    files = {"package.json": package({FRAMEWORK: "1.18.0"}, devDependencies={AGENT: "1.0.0"}), "index.js": bot(ENDS)}
    findings = lint_files(files)
    assert found(findings) == [("CBR611", "package.json", 14)]
    assert "only in devDependencies" in findings[0].message


@pytest.mark.parametrize("line", [
    f'import {{ BotCore, BotRunner }} from "{AGENT}";',
    f'const framework = await import("{AGENT}");',
    f'export {{ BotRunner }} from "{AGENT}";',
])
def test_every_import_form_is_evidence(lint_files, line):
    files = {"package.json": package({FRAMEWORK: "1.18.0"}), "src/bot.mjs": line + "\n",
             "index.js": "exports.main = async () => 1;\n"}
    assert found(lint_files(files), "CBR611") == [("CBR611", "package.json", 10)]


def test_typescript_import_require(lint_files):
    files = {"package.json": package({FRAMEWORK: "1.18.0"}), "index.js": "exports.main = async () => 1;\n",
             "src/bot.ts": f'import framework = require("{AGENT}");\nexport const x = framework;\n'}
    assert found(lint_files(files), "CBR611") == [("CBR611", "package.json", 10)]


@pytest.mark.parametrize("files", [
    {"index.js": f'/** @type {{import("{AGENT}").IBot}} */\nexports.main = async () => 1;\n'},  # a comment
    {"index.js": "exports.main = async () => 1;\n", "test/bot.test.js": f'require("{AGENT}");\n'},  # a test
    {"index.js": f'// see {AGENT}\nclass BotCore {{}}\nexports.main = async () => new BotCore();\n'},  # own BotCore
])
def test_not_evidence_of_an_agent(lint_files, files):
    assert found(lint_files({"package.json": package({FRAMEWORK: "1.18.0"}), **files})) == []


def test_no_package_json_points_at_the_import(lint_files):
    files = {"cloudbaserc.json": '{"envId": "env-1", "cloudrun": {"name": "ibot-helper"}}\n',
             "Dockerfile": "FROM node:20-slim\nCMD [\"node\", \"index.js\"]\n", "index.js": bot(ENDS)}
    assert found(lint_files(files), "CBR611") == [("CBR611", "index.js", 1)]


# ---- CBR612 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "bad"), [
    ("ibot-helper-demo", False), ("ibot-helper", False), ("ibot-my_helper-v_2", False),
    ("ibot-MyAgent-demo", True), ("ibot-my-helper-demo", True), ("IBOT-helper-demo", True), ("ibot-helper-dé", True),
    ("/v1/aibot/bots/ibot-helper-demo/send-message", False), ("/v1/aibot/bots/:botId/records", False),
    ("/v1/aibot/bots/ibot-helper/send-message", True), ("ibot-helper-", False), ("ibot-", False),
    ("see ibot-MyAgent-demo", False), ("https://example.com/ibot-x", False),
])
def test_bot_id_values(value, bad):
    assert (check_value(value) is not None) is bad


def test_bad_bot_id_literal_location(lint_files):
    header = 'const WEATHER = "ibot-Weather-v1";\nconst ROUTE = `/v1/aibot/bots/ibot-helper/records`;\n'
    findings = lint_files({"package.json": package(), "index.js": bot(ENDS, header)})
    assert found(findings) == [("CBR612", "index.js", 2), ("CBR612", "index.js", 3)]
    assert "`ibot-Weather-v1`" in findings[0].message and "upper-case" in findings[0].message
    assert "no tag" in findings[1].message


@pytest.mark.parametrize("header", [
    'const id = "ibot-" + name + "-" + tag;',
    'const id = "ibot-helper-" + process.env.BOT_TAG;',
    "const id = `ibot-${name}-demo`;",
    "// ibot-MyAgent-demo is the old id",
])
def test_built_ids_and_comments_are_not_ids(lint_files, header):
    assert found(lint_files({"package.json": package(), "index.js": bot(ENDS, header)})) == []


def test_bot_ids_only_in_agents(lint_files):
    files = {"package.json": package({"express": "4.19.2"}, scripts={"start": "node index.js"}),
             "index.js": 'const css = "ibot-Chat-Window";\n'}
    assert found(lint_files(files)) == []


def test_agent_service_name_in_cloudbaserc(lint_files):
    rc = '{\n  "envId": "env-1",\n  "cloudrun": {\n    "name": "ibot-my-helper"\n  }\n}\n'
    findings = lint_files({"package.json": package(), "index.js": bot(ENDS), "cloudbaserc.json": rc})
    assert found(findings) == [("CBR612", "cloudbaserc.json", 4)]
    rc_ok = rc.replace("ibot-my-helper", "ibot-my_helper")
    assert found(lint_files({"cloudbaserc.json": rc_ok}), "CBR612") == []


# ---- CBR613 ---------------------------------------------------------------------------------------
def test_never_ended_points_at_send_message(lint_files):
    findings = lint_files({"package.json": package(), "index.js": bot(NEVER_ENDS)})
    assert found(findings) == [("CBR613", "index.js", 4)]
    assert findings[0].column == 9 and "HelperBot.sendMessage" in findings[0].message


@pytest.mark.parametrize("method", [
    ENDS,
    # an alias, and an end in a callback
    """  async sendMessage({ msg }) {
    const sender = this.sseSender;
    return new Promise((resolve) => {
      sender.send({ data: { content: msg } });
      setTimeout(() => { sender.end(); resolve(); }, 10);
    });
  }""",
    # destructured from this, ended with optional chaining
    """  async sendMessage({ msg }) {
    const { sseSender: out } = this;
    out.send({ data: { content: msg } });
    out?.end();
  }""",
    # another method of the class ends it
    """  async sendMessage({ msg }) {
    this.sseSender.send({ data: { content: msg } });
    this.finish();
  }
  finish() {
    this.sseSender.end();
  }""",
    # a function in the same file ends it
    """  async sendMessage({ msg }) {
    await relay(msg, this.sseSender);
  }""",
])
def test_ended_streams(lint_files, method):
    header = "async function relay(text, sender) {\n  sender.send({ data: { content: text } });\n  sender.end();\n}\n"
    assert found(lint_files({"package.json": package(), "index.js": bot(method, header)})) == []


@pytest.mark.parametrize("method", [
    # handed to a package: it may end the stream
    """  async sendMessage({ msg }) {
    this.sseSender.send({ data: { content: msg } });
    await pipeModel(msg, this.sseSender);
  }""",
    # the bot itself is handed over
    """  async sendMessage({ msg }) {
    this.sseSender.send({ data: { content: msg } });
    await tracker.watch(this);
  }""",
    # an inherited helper may end it
    """  async sendMessage({ msg }) {
    this.sseSender.send({ data: { content: msg } });
    await this.closeConversation();
  }""",
    # stored where something else can reach it
    """  async sendMessage({ msg }) {
    this.sseSender.send({ data: { content: msg } });
    streams.set(msg, { sender: this.sseSender });
  }""",
    # nothing is sent: no evidence either way
    """  async sendMessage({ msg }) {
    return msg;
  }""",
])
def test_unknowable_streams_are_left_alone(lint_files, method):
    header = 'const { pipeModel, tracker } = require("model-kit");\nconst streams = new Map();\n'
    assert found(lint_files({"package.json": package(), "index.js": bot(method, header)}), "CBR613") == []


def test_helper_module_that_ends_the_stream(lint_files):
    method = "  async sendMessage({ msg, history }) {\n    await streamReply({ msg, history }, this.sseSender);\n  }"
    header = 'const { streamReply } = require("./src/reply");\n'
    reply = ("async function streamReply({ msg }, sseSender) {\n  try {\n    sseSender.send({ data: { content: msg } });\n"
             "  } finally {\n    sseSender.end();\n  }\n}\n\nmodule.exports = { streamReply };\n")
    files = {"package.json": package(), "index.js": bot(method, header), "src/reply.js": reply}
    assert found(lint_files(files)) == []
    files["src/reply.js"] = reply.replace("sseSender.end();", "console.log('done');")
    assert found(lint_files(files)) == [("CBR613", "index.js", 5)]


def test_typescript_helper_imported_with_a_js_suffix(lint_files):
    bot_ts = ('import { BotCore, IBot, SendMessageInput } from "@cloudbase/aiagent-framework";\n'
              'import * as reply from "./reply.js";\n\n'
              "export class MyBot extends BotCore implements IBot {\n"
              "  async sendMessage({ msg }: SendMessageInput): Promise<void> {\n"
              "    await reply.stream(msg, this.sseSender!);\n  }\n}\n")
    reply_ts = ("export async function stream(msg: string, sender: { send(x: unknown): void; end(): void }) {\n"
                "  sender.send({ data: { content: msg } });\n}\n")
    files = {"package.json": package(), "index.js": "exports.main = async () => 1;\n", "src/bot.ts": bot_ts,
             "src/reply.ts": reply_ts}
    assert found(lint_files(files)) == [("CBR613", "src/bot.ts", 5)]
    files["src/reply.ts"] = reply_ts.replace("  sender.send", "  sender.end();\n  sender.send")
    assert found(lint_files(files)) == []


def test_classes_that_are_not_bots_are_ignored(lint_files):
    other = ("class Notifier {\n  async sendMessage(msg) {\n    this.sseSender.send(msg);\n  }\n}\n"
             "exports.main = async () => new Notifier();\n")
    files = {"package.json": package(), "index.js": bot(ENDS), "src/notifier.js": other}
    assert found(lint_files(files)) == []


def test_helper_recursion_terminates(lint_files):
    header = ("function ping(s, n) { s.send({ data: n }); return pong(s, n - 1); }\n"
              "function pong(s, n) { return ping(s, n); }\n")
    method = "  async sendMessage({ msg }) {\n    ping(this.sseSender, 3);\n  }"
    assert found(lint_files({"package.json": package(), "index.js": bot(method, header)})) == [
        ("CBR613", "index.js", 6)]
