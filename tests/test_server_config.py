"""Deploy configuration (CBR4xx) and access/secrets (CBR5xx): serverConfig in cloudbaserc.json or --config."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import codes, write_tree
from scaffolder.catalog import default_catalog
from scaffolder.checks.server_config import name_problems, suggested_name
from scaffolder.deploy_config import json_positions, line_column
from scaffolder.engine import LintOptions, lint
from scaffolder.settings import Settings

OURS = ["CBR001", "CBR4", "CBR5"]
FUNCTION_PACKAGE = json.dumps({
    "name": "my-api", "main": "index.js", "scripts": {"dev": "tcb-ff -w", "start": "tcb-ff"},
    "dependencies": {"@cloudbase/functions-framework": "^1.18.0"},
})
AGENT_PACKAGE = json.dumps({
    "name": "my-agent", "main": "index.js", "scripts": {"start": "tcb-ff"},
    "dependencies": {"@cloudbase/functions-framework": "^1.18.0", "@cloudbase/aiagent-framework": "^1.0.0"},
})
INDEX_JS = "exports.main = async (event, context) => ({ ok: true });\n"


def rc(server_config=None, name="my-api", **top) -> str:
    """A cloudbaserc.json, one serverConfig field per line (so line numbers are predictable)."""
    cloudrun = {"name": name}
    if server_config is not None:
        cloudrun["serverConfig"] = server_config
    return json.dumps({"envId": "my-env-1a2b3c", **top, "cloudrun": cloudrun}, indent=2, ensure_ascii=False) + "\n"


def run(root: Path, files: dict[str, str], config_file: Path | None = None, select=OURS):
    write_tree(root, files)
    options = LintOptions(settings=Settings(hadolint=False, select=list(select)), catalog=default_catalog(),
                          report_root=root, config_file=config_file)
    return lint([root], options).findings


@pytest.fixture
def config(tmp_path):
    """config({...serverConfig...}, mode="function") -> findings of our rules only."""

    def lint_config(server_config=None, mode="container", files=None, **kwargs):
        tree = {"cloudbaserc.json": rc(server_config, **kwargs)}
        if mode == "function":
            tree.update({"package.json": FUNCTION_PACKAGE, "index.js": INDEX_JS})
        elif mode == "agent":
            tree.update({"package.json": AGENT_PACKAGE, "index.js": INDEX_JS})
        tree.update(files or {})
        return run(tmp_path, tree)

    return lint_config


def line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


# ---- Cpu / Mem ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("cpu", "mem", "expected"), [
    (0.25, 0.5, []), (0.5, 1, []), (1, 2, []), (2, 4, []), (4, 8, []), (8, 16, []), (16, 32, []),
    (1.0, 2.0, []),
    (0.5, 2, ["CBR401"]),  # ratio only: Cpu is allowed, Mem 2 is allowed for Cpu 1
    (1, 1, ["CBR401"]),
    (1, 3, ["CBR401"]),
    (3, 6, ["CBR402"]),  # ratio right, not a size
    (3, 4, ["CBR402"]),
    (3, 5, ["CBR402"]),
    (0, 0, ["CBR402"]),
    (-1, -2, ["CBR402"]),
    (32, 64, ["CBR402"]),
    (0.5, None, []),
    (3, None, ["CBR402"]),
    (None, 4, []),
    (None, 3, ["CBR402"]),
    ("0.5", 1, ["CBR411"]),
    (0.5, "1", ["CBR411"]),
    (True, 2, ["CBR411"]),
])
def test_cpu_and_mem(config, cpu, mem, expected):
    server = {key: value for key, value in (("Cpu", cpu), ("Mem", mem)) if value is not None}
    findings = config(server)
    assert codes(findings) == expected
    assert len(findings) == len(expected)


def test_mem_message_names_the_right_mem(config):
    (finding,) = config({"Cpu": 0.5, "Mem": 2})
    assert finding.code == "CBR401"
    assert "set Mem to 1" in finding.message and finding.fix and "Mem to 1" in finding.fix.description


def test_size_message_names_the_cpu_that_pairs_with_mem(config):
    (finding,) = config({"Cpu": 3, "Mem": 4})
    assert "use Cpu 2" in finding.message


def test_size_message_lists_the_neighbouring_pairs(config):
    (finding,) = config({"Cpu": 3, "Mem": 6})
    assert "2/4 or 4/8" in finding.message and "0.25/0.5" in finding.message


# ---- MinNum / MaxNum ---------------------------------------------------------------------------
@pytest.mark.parametrize(("server", "expected"), [
    ({"MinNum": 0, "MaxNum": 1}, []),
    ({"MinNum": 1, "MaxNum": 5}, []),
    ({"MinNum": 2.0, "MaxNum": 3}, []),
    ({"MinNum": 0, "MaxNum": 100}, []),  # no cap: only what is certain
    ({"MinNum": 5}, []),
    ({"MinNum": -1}, ["CBR403"]),
    ({"MaxNum": 0}, ["CBR403"]),
    ({"MinNum": 3, "MaxNum": 2}, ["CBR403"]),
    ({"MinNum": 1.5}, ["CBR411"]),
    ({"MinNum": "1", "MaxNum": 2}, ["CBR411"]),
    ({"MinNum": -1, "MaxNum": 0}, ["CBR403"]),
])
def test_instance_counts(config, server, expected):
    assert codes(config(server)) == expected


def test_max_below_min_is_reported_once_at_maxnum(config, tmp_path):
    findings = config({"MinNum": 3, "MaxNum": 2})
    assert len(findings) == 1
    text = (tmp_path / "cloudbaserc.json").read_text()
    assert findings[0].line == line_of(text, '"MaxNum"')


# ---- OpenAccessTypes -------------------------------------------------------------------------------
@pytest.mark.parametrize(("types", "expected"), [
    (["OA", "PUBLIC", "MINIAPP", "VPC"], []),
    ([], []),
    (["WEB"], ["CBR404"]),
    (["PRIVATE"], ["CBR404"]),
    (["web"], ["CBR404"]),
    (["public"], ["CBR405"]),
    (["PUBLC"], ["CBR405"]),
    (["INTERNET"], ["CBR405"]),
    ("PUBLIC", ["CBR411"]),
    ([1], ["CBR411"]),
])
def test_access_types(config, types, expected):
    assert codes(config({"OpenAccessTypes": types})) == expected


def test_web_names_public_with_a_safe_fix(config):
    (finding,) = config({"OpenAccessTypes": ["WEB"]})
    assert "'PUBLIC'" in finding.message and "400 invalid parameter value" in finding.message
    assert finding.fix.safe and "PUBLIC" in finding.fix.description


def test_private_names_vpc(config):
    (finding,) = config({"OpenAccessTypes": ["PRIVATE"]})
    assert "'VPC'" in finding.message and not finding.fix.safe


def test_web_next_to_public_is_removed_not_replaced(config):
    (finding,) = config({"OpenAccessTypes": ["WEB", "PUBLIC"]})
    assert "remove 'WEB'" in finding.fix.description


def test_case_error_gets_a_safe_fix_and_typo_a_suggestion(config):
    (case,) = config({"OpenAccessTypes": ["public"]})
    assert "'PUBLIC'" in case.message and case.fix.safe
    (typo,) = config({"OpenAccessTypes": ["PUBLC"]})
    assert "did you mean 'PUBLIC'?" in typo.message


def test_access_type_is_located_at_its_item(config, tmp_path):
    findings = config({"OpenAccessTypes": ["PUBLIC", "WEB"]})
    text = (tmp_path / "cloudbaserc.json").read_text()
    assert [(f.code, f.line) for f in findings] == [("CBR404", line_of(text, '"WEB"'))]


# ---- EnvParams -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("env", "expected"), [
    ('{"NODE_ENV":"production"}', []),
    ("", []),
    ("{}", []),
    ({"NODE_ENV": "production"}, ["CBR406"]),
    ("NODE_ENV=production", ["CBR406"]),
    ('["NODE_ENV"]', ["CBR406"]),
    ('{"WORKERS": 4}', ["CBR406"]),
    (5, ["CBR406"]),
    (["NODE_ENV=production"], ["CBR406"]),
])
def test_env_params_format(config, env, expected):
    assert codes(config({"EnvParams": env})) == expected


def test_env_params_object_fix_serialises_it(config):
    (finding,) = config({"EnvParams": {"NODE_ENV": "production", "WORKERS": 4}})
    assert finding.fix.safe
    assert json.dumps('{"NODE_ENV":"production","WORKERS":"4"}') in finding.fix.description


def test_env_params_object_is_still_checked_for_secrets(config):
    findings = config({"EnvParams": {"GITHUB_TOKEN": "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"}})
    assert codes(findings) == ["CBR406", "CBR501"]


# ---- function mode Port ---------------------------------------------------------------------------
@pytest.mark.parametrize(("mode", "port", "expected"), [
    ("function", 3000, []),
    ("function", 8080, ["CBR407"]),
    ("function", 3000.0, []),
    ("agent", 80, ["CBR407"]),
    ("container", 8080, []),
    ("container", 80, []),
    ("function", 70000, ["CBR411"]),
    ("container", 0, ["CBR411"]),
    ("function", "3000", ["CBR411"]),
])
def test_function_port(config, mode, port, expected):
    assert codes(config({"Port": port}, mode=mode)) == expected


# ---- database without VPC ------------------------------------------------------------------------
def env(**values) -> str:
    return json.dumps(values, separators=(",", ":"))


VPC = {"VpcId": "vpc-1a2b3c4d", "SubnetId": "subnet-5e6f7a8b"}


@pytest.mark.parametrize(("server", "expected"), [
    ({"EnvParams": env(DATABASE_URL="postgresql://app@10.0.0.5:5432/shop")}, ["CBR408"]),
    ({"EnvParams": env(DATABASE_URL="postgresql://app@10.0.0.5:5432/shop"), "VpcConf": VPC}, []),
    ({"EnvParams": env(DATABASE_URL="postgresql://app@10.0.0.5:5432/shop"), "VpcConf": {}}, ["CBR408"]),
    ({"EnvParams": env(MYSQL_HOST="172.17.0.3", MYSQL_DATABASE="shop")}, ["CBR408"]),
    ({"EnvParams": env(MYSQL_DATABASE="shop")}, ["CBR408"]),
    ({"EnvParams": env(CACHE="redis://10.1.2.3:6379/0")}, ["CBR408"]),
    ({"EnvParams": env(SPRING_DATASOURCE_URL="jdbc:mysql://10.0.0.7:3306/app")}, ["CBR408"]),
    ({"EnvParams": env(REDIS_HOST="localhost")}, ["CBR408"]),
    ({"EnvParams": env(DB_HOST="db")}, ["CBR408"]),  # a docker-compose name: not on the platform
    ({"EnvParams": env(MONGO_URL="mongodb+srv://app@cluster0.ab1cd.mongodb.net/shop")}, []),
    ({"EnvParams": env(DB_HOST="gz-cdb-abc123.sql.tencentcdb.com", DB_NAME="shop")}, []),
    ({"EnvParams": env(NODE_ENV="production", API_BASE="https://api.example.com")}, []),
    ({"EnvParams": env(DBG="1")}, []),
    ({"EnvParams": env(REDIS_ENABLED="false")}, []),
])
def test_database_without_vpc(config, server, expected):
    assert codes(config(server)) == expected


def test_database_finding_points_at_the_variable_inside_the_string(config, tmp_path):
    (finding,) = config({"EnvParams": env(NODE_ENV="production", DB_HOST="10.0.0.12")})
    text = (tmp_path / "cloudbaserc.json").read_text()
    line = text.splitlines()[finding.line - 1]
    assert line[finding.column - 1:].startswith('\\"DB_HOST\\"')
    assert "VpcConf" in finding.message and "10.0.0.12" in finding.message
    assert finding.severity.value == "warning"


def test_localhost_database_explains_the_container(config):
    (finding,) = config({"EnvParams": env(REDIS_HOST="localhost")})
    assert "container itself" in finding.message


# ---- service name --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["my-api", "api", "ibot-helper-abc123", "a" * 39, "svc2"])
def test_names_every_tool_accepts(name):
    assert name_problems(name) == []


@pytest.mark.parametrize(("name", "tools"), [
    ("My_Api", ["infrastructure"]),
    ("ab", ["MCP"]),  # too short for the MCP server; the CLI and infrastructure tools accept 2 characters
    ("api-", ["CLI"]),
    ("api_", ["CLI", "infrastructure"]),
    ("lcap-orders", ["CLI"]),
    ("lowcode-app", ["CLI"]),
    ("a" * 40, ["infrastructure"]),
    ("1api", ["MCP", "CLI", "infrastructure"]),
    ("a" * 46, ["MCP", "CLI", "infrastructure"]),
    ("my api", ["MCP", "CLI", "infrastructure"]),
])
def test_names_some_tool_refuses(name, tools):
    problems = name_problems(name)
    for tool in ("MCP", "CLI", "infrastructure"):
        assert any(tool in problem for problem in problems) == (tool in tools), (tool, problems)


@pytest.mark.parametrize("name", ["My_Api_", "1api", "lcap-orders", "ab", "a" * 50, "Hello World!", "__"])
def test_suggested_name_is_accepted_everywhere(name):
    assert name_problems(suggested_name(name)) == []


def test_name_finding_says_which_tool_and_where(config, tmp_path):
    (finding,) = config(None, name="lcap-orders")
    assert finding.code == "CBR409" and "CLI" in finding.message and "'lcap'" in finding.message
    assert finding.line == line_of((tmp_path / "cloudbaserc.json").read_text(), '"name"')


def test_name_that_is_not_a_string(config):
    assert codes(config(None, name=42)) == ["CBR409"]


# ---- unknown fields and wrong types -------------------------------------------------------------
@pytest.mark.parametrize(("field", "suggestion"), [
    ("Memory", "Mem"), ("cpu", "Cpu"), ("minNum", "MinNum"), ("max_num", "MaxNum"), ("port", "Port"),
    ("EnvVars", "EnvParams"), ("OpenAccessType", "OpenAccessTypes"), ("Dockerfil", "Dockerfile"),
    ("VpcConfig", "VpcConf"),
])
def test_misspelt_field_gets_did_you_mean(config, tmp_path, field, suggestion):
    findings = config({field: 1})
    assert [f.code for f in findings] == ["CBR410"]
    assert f"did you mean '{suggestion}'?" in findings[0].message
    assert findings[0].line == line_of((tmp_path / "cloudbaserc.json").read_text(), f'"{field}"')


def test_misspelt_field_next_to_the_real_one_is_to_be_removed(config):
    (finding,) = config({"Mem": 1, "Cpu": 0.5, "Memory": 2})
    assert finding.code == "CBR410" and "'Mem', which is already set" in finding.message
    assert finding.fix.description == "remove 'Memory'"


def test_unknown_field_without_a_near_name(config):
    (finding,) = config({"Banana": 1})
    assert finding.code == "CBR410" and "did you mean" not in finding.message and "Mem" in finding.message


def test_nested_policy_field_is_located_and_suggested(config, tmp_path):
    findings = config({"PolicyDetails": [{"PolicyType": "cpu", "PolicyThreshold": 60}, {"Type": "mem", "PolicyThreshold": 70}]})
    assert [f.code for f in findings] == ["CBR410"]  # not also "PolicyType missing"
    assert "did you mean 'PolicyType'?" in findings[0].message
    assert findings[0].line == line_of((tmp_path / "cloudbaserc.json").read_text(), '"Type"')


@pytest.mark.parametrize(("server", "fragment"), [
    ({"Cpu": "0.5", "Mem": 1}, "write 0.5 without quotes"),
    ({"InternalAccess": True}, "'open', 'close'"),
    ({"InternalAccess": "Open"}, "did you mean 'open'?"),
    ({"SessionAffinity": "on"}, "'open', 'close'"),
    ({"OperationMode": "nosccale"}, "did you mean 'noScale'?"),
    ({"LogType": "cls"}, "'none', 'default', 'custom'"),
    ({"Cmd": "python app.py"}, "list of strings"),
    ({"EntryPoint": ["python", 3]}, "must be a string"),
    ({"InitialDelaySeconds": -5}, "0 or more"),
    ({"PolicyDetails": [{"PolicyType": "CPU", "PolicyThreshold": 60}]}, "did you mean 'cpu'?"),
    ({"PolicyDetails": [{"PolicyType": "cpu", "PolicyThreshold": 120}]}, "from 1 to 100"),
    ({"PolicyDetails": {"PolicyType": "cpu"}}, "a list"),
    ({"VpcConf": "vpc-123"}, "an object"),
    ({"Dockerfile": ["Dockerfile"]}, "a string"),
])
def test_invalid_values(config, server, fragment):
    findings = config(server)
    assert codes(findings) == ["CBR411"], findings
    assert fragment in findings[0].message


@pytest.mark.parametrize("server", [
    {"InternalAccess": "open", "SessionAffinity": "close", "OperationMode": "condScale", "LogType": "default"},
    {"PolicyDetails": [{"PolicyType": "cpu/mem", "PolicyThreshold": 60.5}], "InitialDelaySeconds": 0},
    {"EntryPoint": ["python"], "Cmd": ["app.py"], "Tag": "", "CustomLogs": "stdout", "InternalDomain": ""},
    {"EnvId": "e", "ServerName": "s", "CreateTime": "2024-01-01 00:00:00", "HasDockerfile": True},
    {"TimerScale": [{"CycleType": "daily", "StartTime": "08:00:00", "EndTime": "20:00:00", "ReplicaNum": 2}]},
    {"VolumesConf": [], "PublicNetConf": {"PublicAccess": True}, "LogSetId": "x", "LogTopicId": "y", "LogParseType": "json"},
    {"Cpu": None, "Mem": None, "EnvParams": None},
])
def test_valid_fields_raise_nothing(config, server):
    assert config(server) == []


def test_the_seeds_deploy_example_only_needs_public(config):
    seed = {"OpenAccessTypes": ["WEB"], "Cpu": 0.5, "Mem": 1, "MinNum": 0, "MaxNum": 5}
    assert codes(config(seed)) == ["CBR404"]


# ---- secrets ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("values", "expected"), [
    ({"OPENAI_API_KEY": "sk-9fJ2kLmQ7rTz4WvX8yBn3CdE"}, ["CBR501"]),
    ({"JWT_SECRET": "q8w7e6r5t4y3u2i1"}, ["CBR501"]),
    ({"TENCENTCLOUD_SECRETID": "AKID" + "a" * 32}, ["CBR501"]),
    ({"CACHE_URL": "https://user:Zq8Wx7Ec6Rv@cache.example.com/"}, ["CBR501"]),
    ({"API_KEY": "${API_KEY}"}, []),
    ({"DB_PASSWORD": "changeme"}, ["CBR408"]),  # a placeholder is no secret; the database still needs a VPC
    ({"JWT_SECRET": "<your-secret>"}, []),
    ({"NODE_ENV": "production"}, []),
    ({"TOKEN_TTL": "604800", "API_KEY_HEADER": "X-Api-Key", "JWT_SECRET_FILE": "secrets/jwt.pem"}, []),
    ({"PASSWORD_FILE": "/run/secrets/db"}, []),
])
def test_secrets_in_env_params(config, values, expected):
    assert codes(config({"EnvParams": env(**values)})) == expected


def test_connection_url_with_password_is_a_secret_and_needs_a_vpc(config):
    findings = config({"EnvParams": env(DATABASE_URL="postgres://app:Xk9s2LmQp@10.0.0.5:5432/shop")})
    assert codes(findings) == ["CBR408", "CBR501"]
    secret = next(f for f in findings if f.code == "CBR501")
    assert "password" in secret.message and "DATABASE_URL" in secret.message


def test_cloud_credentials_in_the_file(config, tmp_path):
    findings = config(None, secretId="AKID" + "b" * 32, secretKey="Gu5t9xGARNpq86cd98joQYCN3keyXYZ")
    assert [f.code for f in findings] == ["CBR502", "CBR502"]
    text = (tmp_path / "cloudbaserc.json").read_text()
    assert [f.line for f in findings] == [line_of(text, '"secretId"'), line_of(text, '"secretKey"')]
    assert "tcb login" in findings[0].message


def test_secrets_in_cloud_function_env_variables(config):
    functions = [{"name": "app", "envVariables": {"STRIPE_SECRET_KEY": "rk_live_51Habcdefghijkl"}}]
    assert codes(config(None, functions=functions)) == ["CBR502"]


@pytest.mark.parametrize("top", [
    {"secretId": "", "secretKey": ""},
    {"secretKey": "<your-secret-key>"},
    {"secretKey": "${TENCENTCLOUD_SECRETKEY}"},
    {"region": "ap-shanghai", "framework": {"name": "my-app"}},
])
def test_no_credential_findings_for_placeholders(config, top):
    assert config(None, **top) == []


# ---- Dockerfile / BuildDir paths ------------------------------------------------------------------
@pytest.mark.parametrize(("server", "files", "expected"), [
    ({"Dockerfile": "Dockerfile.prod"}, {}, ["CBR412"]),
    ({"Dockerfile": "Dockerfile.prod"}, {"Dockerfile.prod": "FROM scratch\n"}, []),
    ({"Dockerfile": "Dockerfile"}, {}, []),  # the default: the Dockerfile rules' business
    ({"BuildDir": "server"}, {}, ["CBR412"]),
    ({"BuildDir": "server", "Dockerfile": "Dockerfile"}, {"server/Dockerfile": "FROM scratch\n"}, []),
    ({"BuildDir": "server", "Dockerfile": "Dockerfile"}, {"server/app.py": ""}, ["CBR412"]),
    ({"Dockerfile": "docker/Dockerfile"}, {"docker/Dockerfile": "FROM scratch\n"}, []),
])
def test_build_paths(config, server, files, expected):
    assert codes(config(server, files=files)) == expected


# ---- locations -------------------------------------------------------------------------------
def test_findings_point_at_the_fields_line_and_column(tmp_path):
    text = textwrap.dedent("""\
        {
          "envId": "my-env-1a2b3c",
          "cloudrun": {
            "name": "my-api",
            "serverConfig": {
              "OpenAccessTypes": ["PUBLIC"],
              "Cpu": 1,
              "Mem": 4,
              "MinNum": 0,
              "MaxNum": 3,
              "Memroy": 2
            }
          }
        }
        """)
    findings = run(tmp_path, {"cloudbaserc.json": text})
    assert [(f.code, f.path, f.line, f.column) for f in findings] == [
        ("CBR401", "cloudbaserc.json", 8, 7),
        ("CBR410", "cloudbaserc.json", 11, 7),
    ]


def test_top_level_server_config_is_read(tmp_path):
    text = '{\n  "envId": "e",\n  "serverConfig": {\n    "Cpu": 1,\n    "Mem": 1\n  }\n}\n'
    findings = run(tmp_path, {"cloudbaserc.json": text})
    assert [(f.code, f.line) for f in findings] == [("CBR401", 5)]


def test_json_positions_handles_nesting_escapes_and_duplicates():
    text = '{"a": {"b\\"c": [1, {"d": "x\\\\"}], "e": null}, "a2": [], "f": 1, "f": 2}'
    assert json.loads(text)
    positions = json_positions(text)
    assert text[positions[("a", 'b"c', 1, "d")][0]:].startswith('"d"')
    assert text[positions[("a", 'b"c', 1, "d")][1]:].startswith('"x')
    assert text[positions[("a", "e")][1]:].startswith("null")
    assert text[positions[("f",)][1]:].startswith("2")  # the last duplicate wins, as in json.loads
    assert line_column("ab\ncd", 4) == (2, 2)


# ---- parse errors and absent config ------------------------------------------------------------
def test_invalid_json_is_cbr001_only(tmp_path):
    findings = run(tmp_path, {"cloudbaserc.json": '{\n  "envId": "e",\n  "cloudrun": {"name": "x",}\n}\n'})
    assert [(f.code, f.line) for f in findings] == [("CBR001", 3)]


def test_server_config_that_is_not_an_object_is_cbr001(tmp_path):
    findings = run(tmp_path, {"cloudbaserc.json": rc(None) .replace('"name": "my-api"', '"name": "my-api", "serverConfig": [1]')})
    assert codes(findings) == ["CBR001"]


@pytest.mark.parametrize("text", [
    rc(None), rc({}), '{"envId": "e", "cloudrun": {"name": "my-api", "serverConfig": null}}',
    '{"envId": "e", "functions": [{"name": "app"}]}',
])
def test_absent_or_empty_config_is_fine(tmp_path, text):
    assert run(tmp_path, {"cloudbaserc.json": text}) == []


def test_no_config_no_findings_and_no_pydantic(tmp_path):
    write_tree(tmp_path, {"package.json": FUNCTION_PACKAGE, "index.js": INDEX_JS})
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from scaffolder.project import discover_services
        from scaffolder.checks import server_config
        (service,) = discover_services([Path({str(tmp_path)!r})])
        assert list(server_config.check(service)) == []
        print("pydantic" in sys.modules)
        """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---- --config -----------------------------------------------------------------------------------
@pytest.mark.parametrize("document", [
    {"Cpu": 0.5, "Mem": 2},
    {"serverConfig": {"Cpu": 0.5, "Mem": 2}},
    {"cloudrun": {"name": "my-api", "serverConfig": {"Cpu": 0.5, "Mem": 2}}},
])
def test_config_file_overrides_cloudbaserc(tmp_path, document):
    service = tmp_path / "svc"
    config_file = tmp_path / "deploy.json"
    config_file.write_text(json.dumps(document, indent=2) + "\n")
    files = {"cloudbaserc.json": rc({"Cpu": 3, "Mem": 6, "OpenAccessTypes": ["WEB"]}),
             "package.json": FUNCTION_PACKAGE, "index.js": INDEX_JS}
    findings = run(service, files, config_file=config_file)
    assert [(f.code, Path(f.path).name) for f in findings] == [("CBR401", "deploy.json")]
    assert findings[0].line == line_of(config_file.read_text(), '"Mem"')


def test_config_file_that_is_fine(tmp_path):
    config_file = tmp_path / "deploy.json"
    config_file.write_text('{"Cpu": 1, "Mem": 2, "OpenAccessTypes": ["PUBLIC"], "Port": 3000}\n')
    findings = run(tmp_path / "svc", {"package.json": FUNCTION_PACKAGE, "index.js": INDEX_JS}, config_file=config_file)
    assert findings == []


def test_config_file_with_unknown_field(tmp_path):
    config_file = tmp_path / "deploy.json"
    config_file.write_text('{\n  "Cpu": 1,\n  "Memory": 2\n}\n')
    findings = run(tmp_path / "svc", {"package.json": FUNCTION_PACKAGE, "index.js": INDEX_JS}, config_file=config_file)
    assert [(f.code, f.line) for f in findings] == [("CBR410", 3)]
    assert "did you mean 'Mem'?" in findings[0].message


# ---- the seeds' Python example ------------------------------------------------------------------
SEED_DOCKERFILE = """\
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt --no-cache-dir
COPY . .
ENV PORT=3000
EXPOSE 3000
CMD ["python","app.py"]
"""
SEED_APP = """\
import os
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")


HTTPServer(("0.0.0.0", int(os.environ.get("PORT", "3000"))), Handler).serve_forever()
"""


def seed_files(mem) -> dict[str, str]:
    return {
        "Dockerfile": SEED_DOCKERFILE, "app.py": SEED_APP, "requirements.txt": "",
        "cloudbaserc.json": rc({"OpenAccessTypes": ["PUBLIC"], "Cpu": 0.5, "Mem": mem, "MinNum": 0, "MaxNum": 5}),
    }


def test_seed_python_example_has_no_deploy_config_findings(tmp_path):
    findings = run(tmp_path, seed_files(1), select=["ALL"])
    assert [f for f in findings if f.code.startswith("CBR4")] == []


def test_seed_python_example_with_wrong_mem(tmp_path):
    findings = run(tmp_path, seed_files(2), select=["ALL"])
    deploy = [f for f in findings if f.code.startswith("CBR4")]
    assert [(f.code, f.path) for f in deploy] == [("CBR401", "cloudbaserc.json")]
    assert deploy[0].line == line_of((tmp_path / "cloudbaserc.json").read_text(), '"Mem"')
    assert "Mem" in deploy[0].message and "set Mem to 1" in deploy[0].message


# ---- the quick path that skips pydantic for plainly valid configs --------------------------------
def test_quick_path_agrees_with_the_model():
    """Whatever the quick path calls plainly valid, the pydantic model accepts too."""
    import itertools
    import random

    from scaffolder.server_config_model import FIELDS, validate_server_config
    from scaffolder.server_config_shape import PLAIN_FIELDS, plainly_valid

    assert set(PLAIN_FIELDS) <= set(FIELDS)
    values = [None, True, False, 0, 1, 2, -1, 0.5, 1.0, 2.5, 65535, 65536, float("nan"), "", "1", "open",
              "close", "OPEN", "PUBLIC", [], ["PUBLIC"], ["python", "app.py"], [1], [None], {}, {"A": "b"}]
    rng = random.Random(7)
    plain = 0
    for name, value in itertools.product(PLAIN_FIELDS, values):
        config = {name: value}
        if plainly_valid(config):
            plain += 1
            assert validate_server_config(config) == [], config
    for _ in range(3000):
        config = {name: rng.choice(values) for name in rng.sample(sorted(PLAIN_FIELDS), rng.randint(1, 6))}
        if plainly_valid(config):
            plain += 1
            assert validate_server_config(config) == [], config
    assert plain > 300  # the quick path does take the common case
    assert not plainly_valid({"Memory": 2}) and not plainly_valid({"PolicyDetails": []})
