"""CBR201, CBR202 and CBR302 in application.properties / application.yml, and Spring Boot's
default port.

- A literal port in `server.port` (Spring Boot), `quarkus.http.port` or `micronaut.server.port` is
  CBR201, reported on its key's line; `${PORT:8080}` (any placeholder) reads the environment and
  is correct, and 0 / -1 (a random port) are not reported.
- A loopback address in `server.address`, `quarkus.http.host` or `micronaut.server.host` is CBR202.
- A JDBC URL naming an embedded database file (`spring.datasource.url=jdbc:sqlite:app.db`,
  `jdbc:h2:file:./data/db`; any key ending in `url`) is CBR302.
Entries of development profiles (`application-dev.yml`, `%test.`, a document activated on
`local`) are not reported, nor settings the deployment overrides (overrides.py).

Spring Boot without `server.port` listens on 8080. That is reported (CBR201, on the
`SpringApplication.run(...)` call) only when it is certainly wrong: the build declares a Spring
web starter, no configuration file, start command, environment variable or code sets the port,
and the deployment names another port (`serverConfig.Port`, `ENV PORT` or `EXPOSE` ≠ 8080).
Without a known deploy port nothing is reported: the port may be 8080 in the console.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from scaffolder.findings import Finding, Fix
from scaffolder.javasource.config import Entry
from scaffolder.javasource.context import is_dev_profile
from scaffolder.javasource.overrides import Deployment
from scaffolder.javasource.state import embedded_database
from scaffolder.project import Service, UnparsableFile
from scaffolder.pysource.listen import is_loopback

HARDCODED_PORT, LOOPBACK_BIND, SQLITE = "CBR201", "CBR202", "CBR302"
CODES = frozenset({HARDCODED_PORT, LOOPBACK_BIND, SQLITE})

PORT_KEYS = {"server.port": "Spring Boot", "quarkus.http.port": "Quarkus", "micronaut.server.port": "Micronaut"}
HOST_KEYS = {"server.address": "Spring Boot", "quarkus.http.host": "Quarkus", "micronaut.server.host": "Micronaut"}
SPRING_DEFAULT_PORT = 8080
_WEB_STARTERS = ("spring-boot-starter-web", "spring-boot-starter-webflux", "spring-boot-starter-jersey")
_STATELESS = "CloudBase Run instances are stateless: they scale to zero and are replaced, and each has its own disk"


def _active(entry: Entry) -> bool:
    return entry.profile is None or not all(is_dev_profile(name) for name in entry.profile.split(","))


def _finding(code: str, message: str, entry: Entry, fix: Fix | None = None) -> Finding:
    return Finding(code, message, str(entry.path), entry.line, entry.column, fix=fix)


def find(entries: Iterable[Entry], deployment: Callable[[], Deployment]) -> Iterator[Finding]:
    """`deployment()` is called only for a port or host setting: it parses the Dockerfile and the
    start command, which most services need not do here."""
    for entry in entries:
        if not _active(entry) or "${" in entry.value:
            continue
        name = entry.path.name
        if entry.key in PORT_KEYS and not deployment().overrides(entry.key):
            value = entry.value.strip().strip("\"'")
            if value.isdigit() and 0 < int(value) <= 65535:
                yield _finding(HARDCODED_PORT, f"{entry.key}={value} in {name} makes {PORT_KEYS[entry.key]} listen on "
                               f"hard-coded port {value}; CloudBase Run sends traffic to the port in the PORT "
                               f"environment variable: write {entry.key}=${{PORT:{value}}}", entry,
                               Fix(f"write {entry.key}=${{PORT:{value}}}", safe=True))
        elif entry.key in HOST_KEYS and not deployment().overrides(entry.key):
            value = entry.value.strip().strip("\"'")
            if value and is_loopback(value):
                yield _finding(LOOPBACK_BIND, f"{entry.key}={value} in {name} makes {HOST_KEYS[entry.key]} listen on "
                               f"{value}, which only the instance itself can reach; remove it or write "
                               f"{entry.key}=0.0.0.0", entry)
        elif entry.key.lower().replace("-", "").endswith("url"):
            where = embedded_database(entry.value)
            if where is not None:
                yield _finding(SQLITE, f"{entry.key}={entry.value} in {name} opens {where} on the instance's own disk; "
                               f"{_STATELESS}, so the data is lost and never shared between instances: use a database "
                               "service (CloudBase database, TencentDB for MySQL)", entry)


# ---- Spring Boot's default port ----------------------------------------------------------------
@dataclass
class SpringEvidence:
    """What the Java files say about a Spring Boot application, gathered while they are checked."""

    run_calls: list[tuple[str, int, int]]  # (path, line, column) of SpringApplication.run in a @SpringBootApplication
    sets_port_in_code: bool = False  # a customizer, a builder, setDefaultProperties, "server.port" in code


def default_port(service: Service, entries: list[Entry], evidence: SpringEvidence,
                 deployment: Callable[[], Deployment]) -> Iterator[Finding]:
    if not evidence.run_calls or evidence.sets_port_in_code:
        return
    if any(entry.key == "server.port" and _active(entry) for entry in entries):
        return
    deploy = deployment()
    if deploy.overrides("server.port") or deploy.port is None:
        return
    port, where = deploy.port
    if port == SPRING_DEFAULT_PORT or not _web_starter(service):
        return
    path, line, column = evidence.run_calls[0]
    yield Finding(HARDCODED_PORT, f"Spring Boot listens on its default port {SPRING_DEFAULT_PORT} because no "
                  f"server.port is set, but the service is deployed on port {port} ({where}); CloudBase Run sends "
                  "traffic to the port in the PORT environment variable: set "
                  f"server.port=${{PORT:{SPRING_DEFAULT_PORT}}} in application.properties", path, line, column,
                  fix=Fix(f"add server.port=${{PORT:{SPRING_DEFAULT_PORT}}} to application.properties", safe=True))


def _web_starter(service: Service) -> bool:
    """Whether the build (pom.xml, build.gradle, build.gradle.kts) declares a Spring web starter."""
    for name in ("pom.xml", "build.gradle", "build.gradle.kts"):
        if not service.has(name):
            continue
        try:
            text = service.read_text(service.path(name))
        except UnparsableFile:
            continue
        if name == "pom.xml":
            try:
                root = ElementTree.fromstring(text)
            except ElementTree.ParseError:
                continue
            artifacts = {element.text.strip() for element in root.iter() if element.tag.rsplit("}", 1)[-1]
                         == "artifactId" and element.text}
            if artifacts & set(_WEB_STARTERS):
                return True
        elif any(starter in text for starter in _WEB_STARTERS):
            return True
    return False
