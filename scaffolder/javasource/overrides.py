"""What the deployment says about a Java service's port, apart from its code and its
application.* files: the settings it overrides and the port it is deployed on.

A setting such as `server.port` is overridden (so the value in application.properties does not
matter) when the container gets the matching environment variable (`SERVER_PORT`,
`QUARKUS_HTTP_PORT`, `MICRONAUT_SERVER_PORT`: Dockerfile `ENV`, `serverConfig.EnvParams`, or an
assignment in the start command), when the start command passes it (`-Dserver.port=...`,
`--server.port=...`, also inside `JAVA_TOOL_OPTIONS`/`JAVA_OPTS`), or when `SPRING_APPLICATION_JSON`
sets it. The deployed port is `serverConfig.Port`, else the Dockerfile's `ENV PORT`, else its one
`EXPOSE`d port.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from scaffolder.checks.start_command import analyze
from scaffolder.dockerfile_model import parse, server_config_data
from scaffolder.project import Service, UnparsableFile

_OPTION_VARIABLES = ("JAVA_TOOL_OPTIONS", "JAVA_OPTS", "JDK_JAVA_OPTIONS", "SPRING_APPLICATION_JSON")


class Deployment(NamedTuple):
    variables: frozenset[str]  # environment variables the container is given
    options: str  # start-command words and JAVA_*_OPTIONS / SPRING_APPLICATION_JSON values, joined
    port: tuple[int, str] | None  # (port, where it is set)

    def overrides(self, key: str) -> bool:
        variable = key.upper().replace(".", "_").replace("-", "")
        if variable in self.variables:
            return True
        return f"-D{key}" in self.options or f"--{key}" in self.options or f'"{key}"' in self.options or (
            key == "server.port" and '"port"' in self.options and '"server"' in self.options)


def deployment(service: Service) -> Deployment:
    return service.memo("javasource.deployment", lambda: _read(service))


def _read(service: Service) -> Deployment:
    variables: set[str] = set()
    options: list[str] = []
    port: tuple[int, str] | None = None
    config = server_config_data(service)
    params = config.get("EnvParams")
    if isinstance(params, str):
        try:
            params = json.loads(params)
        except ValueError:
            params = None
    if isinstance(params, dict):
        variables |= {str(name) for name in params}
        options += [str(params[name]) for name in _OPTION_VARIABLES if name in params]
    declared = config.get("Port")
    if isinstance(declared, int) and not isinstance(declared, bool):
        port = (declared, "serverConfig.Port")
    try:
        model = parse(service)
        analysis = analyze(service)
    except UnparsableFile:
        model = analysis = None
    if model is not None:
        environment = model.env()
        variables |= set(environment)
        options += [environment[name].value for name in _OPTION_VARIABLES if name in environment]
        if port is None and "PORT" in environment and environment["PORT"].value.isdigit():
            port = (int(environment["PORT"].value), "ENV PORT in the Dockerfile")
        exposed = [item for item in model.exposed_ports() if item.port is not None]
        if port is None and len(exposed) == 1:
            port = (exposed[0].port, "EXPOSE in the Dockerfile")  # type: ignore[assignment]
    if analysis is not None and not analysis.overridden:
        for invocation in analysis.invocations:
            options += list(invocation.words)
            variables |= {assignment.split("=", 1)[0] for assignment in invocation.assignments}
    for key in ("Cmd", "EntryPoint"):
        if isinstance(config.get(key), list):
            options += [str(word) for word in config[key]]
    return Deployment(frozenset(variables), " ".join(options), port)
