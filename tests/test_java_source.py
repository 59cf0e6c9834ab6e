"""Java rules: the listening port and host in code and in application.properties/yml
(CBR201/CBR202), files and embedded databases on the instance's disk (CBR301/CBR302), and
background work started at startup (CBR311/CBR312).

Every case lints a small tree with the real engine and asserts the exact (path, code, line)
triples the Java check reports; other checks' codes are left out.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from conftest import lint_tree
from scaffolder.checks import java_source
from scaffolder.javasource import config
from scaffolder.javasource.files import is_generated, is_service_file
from scaffolder.javasource.state import embedded_database

MINE = java_source.CODES
MAIN = "src/main/java/app/Main.java"
PROPERTIES = "src/main/resources/application.properties"


def found(findings) -> list[tuple[str, str, int]]:
    return sorted((finding.path, finding.code, finding.line) for finding in findings if finding.code in MINE)


@pytest.fixture
def lint_java(tmp_path):
    """lint_java(source) -> [(path, code, line)] for Main.java; lint_java({...}) for a tree."""
    calls = iter(range(1000))

    def run(source, **kwargs):
        files = source if isinstance(source, dict) else {MAIN: source}
        return found(lint_tree(tmp_path / f"case{next(calls)}", files, **kwargs))

    return run


def at(source: str, text: str, occurrence: int = 1) -> int:
    lines = [number for number, line in enumerate(source.splitlines(), 1) if text in line]
    return lines[occurrence - 1]


def main_class(body: str, imports: str = "", members: str = "") -> str:
    return f"""package app;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
{imports}
public final class Main {{
{members}
    public static void main(String[] args) throws Exception {{
{body}
    }}
}}
"""


# ---- CBR201 / CBR202 in code --------------------------------------------------------------------

@pytest.mark.parametrize("port", [
    "8080", "PORT", "Integer.parseInt(\"8080\")", "Config.PORT", "local", "debug ? 8080 : 9090",
])
def test_literal_ports(lint_java, port):
    source = main_class(
        f"        int local = 8080;\n        boolean debug = args.length > 0;\n"
        f"        HttpServer.create(new InetSocketAddress({port}), 0).start();",
        members="    private static final int PORT = 8080;\n\n    static final class Config {\n"
                "        static final int PORT = 8080;\n    }\n")
    assert lint_java(source) == [(MAIN, "CBR201", at(source, "HttpServer.create"))]


@pytest.mark.parametrize("port", [
    'Integer.parseInt(System.getenv("PORT"))',
    'Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"))',
    "injected",
    "args.length",
    "fromConfig()",
    "0",
])
def test_ports_from_elsewhere(lint_java, port):
    source = main_class(f"        HttpServer.create(new InetSocketAddress({port}), 0).start();",
                        imports="import org.springframework.beans.factory.annotation.Value;\n",
                        members='    @Value("${PORT:8080}")\n    static int injected = 8080;\n\n'
                                "    static int fromConfig() {\n        return 8080;\n    }\n")
    assert lint_java(source) == []


def test_loopback_hosts_and_clients(lint_java):
    source = main_class("""\
        int port = Integer.parseInt(System.getenv("PORT"));
        HttpServer.create(new InetSocketAddress("localhost", port), 0);
        HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 0);
        ServerSocket socket = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        new java.net.Socket().connect(new InetSocketAddress("localhost", 6379));
        HttpServer.create(new InetSocketAddress("0.0.0.0", port), 0);""")
    assert lint_java(source) == [
        (MAIN, "CBR202", at(source, '"localhost", port')),
        (MAIN, "CBR202", at(source, "getByName")),
        (MAIN, "CBR202", at(source, "getLoopbackAddress")),
    ]


@pytest.mark.parametrize(("imports", "body", "codes"), [
    ("import io.javalin.Javalin;", "Javalin.create().start(7070);", ["CBR201"]),
    ("import io.javalin.Javalin;", "Javalin app = Javalin.create();\n        app.start();", ["CBR201"]),  # default 8080
    ("import io.javalin.Javalin;", "Javalin.create(cfg -> cfg.jetty.defaultPort = port()).start();", []),
    ("import io.javalin.Javalin;", 'Javalin.create().start("127.0.0.1", Integer.parseInt(System.getenv("PORT")));',
     ["CBR202"]),
    ("import static spark.Spark.*;", "port(4567);", ["CBR201"]),
    ("import io.vertx.core.Vertx;", "Vertx.vertx().createHttpServer().listen(8888, \"localhost\");",
     ["CBR201", "CBR202"]),
    ("import org.eclipse.jetty.server.Server;", "new Server(8080).start();", ["CBR201"]),
    ("import io.undertow.Undertow;", 'Undertow.builder().addHttpListener(8080, "0.0.0.0").build().start();',
     ["CBR201"]),
    ("", 'System.setProperty("server.port", "9000");', ["CBR201"]),
    ("", 'System.setProperty("app.name", "9000");', []),
])
def test_frameworks(lint_java, imports, body, codes):
    source = main_class(f"        {body}", imports=imports + "\n", members="    static int port() { return 1; }\n")
    line = len(source.splitlines()) - 2  # the last statement of main()
    assert lint_java(source) == [(MAIN, code, line) for code in codes]


def test_profile_and_environment_branches(lint_java):
    source = main_class("""\
        if ("dev".equals(System.getenv("APP_ENV"))) {
            HttpServer.create(new InetSocketAddress("127.0.0.1", 8080), 0);
        }""")
    dev_only = """package app;

import java.io.FileWriter;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

@Component
@Profile("dev")
public class Seeder {
    void seed() throws Exception {
        new FileWriter("seed.sql").close();
    }
}
"""
    assert lint_java({MAIN: source, "src/main/java/app/Seeder.java": dev_only}) == []


# ---- CBR201 / CBR202 / CBR302 in application.properties and application.yml -----------------

def test_properties_and_yaml(lint_java):
    yaml_text = """spring:
  datasource:
    url: jdbc:h2:file:./data/app
server:
  port: 8081
  address: localhost
---
spring:
  config:
    activate:
      on-profile: local
server:
  port: 9999
"""
    files = {
        PROPERTIES: "# comment\nserver.port=8080\nspring.datasource.url=jdbc:sqlite:app.db\n",
        "src/main/resources/application.yml": yaml_text,
        "src/main/resources/application-dev.properties": "server.port=7000\nserver.address=127.0.0.1\n",
        "src/main/resources/application-prod.properties": "server.port=${PORT:8080}\nquarkus.http.port=8080\n"
                                                          "%dev.quarkus.http.host=localhost\n",
        "src/test/resources/application.properties": "server.port=1234\n",
    }
    yml = "src/main/resources/application.yml"
    assert lint_java(files) == sorted([
        (PROPERTIES, "CBR201", 2), (PROPERTIES, "CBR302", 3),
        (yml, "CBR302", 3), (yml, "CBR201", 5), (yml, "CBR202", 6),
        ("src/main/resources/application-prod.properties", "CBR201", 2),
    ])


@pytest.mark.parametrize("dockerfile_line", [
    "ENV SERVER_PORT=8080",
    'CMD ["java", "-Dserver.port=8080", "-jar", "app.jar"]',
    'CMD ["java", "-jar", "app.jar", "--server.port=8080"]',
    "ENV JAVA_TOOL_OPTIONS=-Dserver.port=8080",
])
def test_overridden_properties_are_not_reported(lint_java, dockerfile_line):
    dockerfile = f"FROM eclipse-temurin:17-jre\nCOPY app.jar /app.jar\n{dockerfile_line}\n"
    if "CMD" not in dockerfile_line:
        dockerfile += 'CMD ["java", "-jar", "/app.jar"]\n'
    assert lint_java({PROPERTIES: "server.port=9090\n", "Dockerfile": dockerfile}) == []


SPRING_APP = """package app;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class Main {
    public static void main(String[] args) {
        SpringApplication.run(Main.class, args);
    }
}
"""
WEB_POM = ("<project><dependencies><dependency><groupId>org.springframework.boot</groupId>"
           "<artifactId>spring-boot-starter-web</artifactId></dependency></dependencies></project>\n")


def _spring_tree(port: int | None, pom: str = WEB_POM, properties: str = "spring.application.name=x\n"):
    files = {MAIN: SPRING_APP, "pom.xml": pom, PROPERTIES: properties}
    if port is not None:
        files["Dockerfile"] = f"FROM eclipse-temurin:17-jre\nCOPY app.jar /app.jar\nEXPOSE {port}\n" \
                              'CMD ["java", "-jar", "/app.jar"]\n'
    return files


def test_spring_boot_default_port_against_the_deploy_port(lint_java):
    assert lint_java(_spring_tree(80)) == [(MAIN, "CBR201", at(SPRING_APP, "SpringApplication.run"))]
    assert lint_java(_spring_tree(8080)) == []  # the default is the deploy port
    assert lint_java(_spring_tree(None)) == []  # the deploy port is not known
    assert lint_java(_spring_tree(80, pom="<project><dependencies/></project>\n")) == []  # not a web app
    assert lint_java(_spring_tree(80, properties="server.port=${PORT:8080}\n")) == []


# ---- CBR301 / CBR302 in code --------------------------------------------------------------------

@pytest.mark.parametrize(("statement", "reported"), [
    ('Files.writeString(Path.of("notes.txt"), "x");', True),
    ('Files.write(Paths.get("data", "a.bin"), new byte[0]);', True),
    ('Files.createDirectories(Path.of(System.getProperty("user.dir"), "uploads"));', True),
    ('new FileOutputStream(new File("uploads", name)).close();', True),
    ('new FileWriter("app.log", true).close();', True),
    ('new File("cache").mkdirs();', True),
    ('upload.transferTo(new File("uploads/" + name));', True),
    ('new RandomAccessFile("db.bin", "rw").close();', True),
    ('new RandomAccessFile("db.bin", "r").close();', False),
    ('Files.writeString(Path.of(System.getProperty("java.io.tmpdir"), "x.txt"), "x");', False),
    ('Files.writeString(Files.createTempFile("a", ".txt"), "x");', False),
    ('Files.writeString(Path.of("/tmp/x.txt"), "x");', False),
    ('Files.writeString(Path.of(System.getenv("OUT")), "x");', False),
    ('new PrintWriter(new StringWriter()).close();', False),
    ('Files.readString(Path.of("config.json"));', False),
])
def test_file_writes(lint_java, statement, reported):
    source = f"""package app;

import java.io.*;
import java.nio.file.*;

public class Store {{
    void save(String name, org.springframework.web.multipart.MultipartFile upload) throws Exception {{
        {statement}
    }}
}}
"""
    expected = [("src/main/java/app/Store.java", "CBR301", 8)] if reported else []
    assert lint_java({"src/main/java/app/Store.java": source}) == expected


def test_scratch_file_deleted_again(lint_java):
    source = """package app;

import java.nio.file.*;

public class Store {
    void save() throws Exception {
        Path scratch = Path.of("scratch.bin");
        Files.write(scratch, new byte[0]);
        Files.deleteIfExists(scratch);
    }
}
"""
    assert lint_java({"src/main/java/app/Store.java": source}) == []


@pytest.mark.parametrize(("url", "kind"), [
    ("jdbc:sqlite:app.db", "an SQLite file"),
    ("jdbc:sqlite::memory:", None),
    ("jdbc:sqlite:/tmp/cache.db", None),
    ("jdbc:h2:./data/db", "an H2 database file"),
    ("jdbc:h2:file:~/app;AUTO_SERVER=TRUE", "an H2 database file"),
    ("jdbc:h2:mem:test", None),
    ("jdbc:h2:tcp://db:9092/app", None),
    ("jdbc:hsqldb:file:data/app", "an HSQLDB database file"),
    ("jdbc:hsqldb:mem:app", None),
    ("jdbc:mysql://db:3306/app", None),
])
def test_embedded_database_urls(url, kind):
    assert embedded_database(url) == kind


def test_jdbc_urls_in_code(lint_java):
    source = main_class("""\
        java.sql.DriverManager.getConnection("jdbc:sqlite:" + args[0]);
        java.sql.DriverManager.getConnection("jdbc:sqlite:shop.db");
        java.sql.DriverManager.getConnection("jdbc:h2:mem:test");
        boolean sqlite = args[0].startsWith("jdbc:sqlite:");""")
    assert lint_java(source) == [(MAIN, "CBR302", at(source, '"jdbc:sqlite:" + args')),
                                 (MAIN, "CBR302", at(source, "shop.db"))]


# ---- CBR304 -------------------------------------------------------------------------------------

CONTROLLER = """package app;

import java.util.*;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.web.bind.annotation.*;

@RestController
public class TodoController {
    private final Map<Long, String> todos = new ConcurrentHashMap<>();
    private final List<String> audit = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> titleCache = new HashMap<>();

    @GetMapping("/todos")
    public Collection<String> all() {
        audit.add("list");
        return todos.values();
    }

    @PostMapping("/todos")
    public void create(@RequestBody String title) {
        titleCache.put(title, title);
        todos.put((long) todos.size(), title);
        List<String> audit = new ArrayList<>();
        audit.add(title);
    }

    @RequestMapping(value = "/todos/{id}", method = RequestMethod.DELETE)
    public void delete(@PathVariable long id) {
        todos.remove(id);
        this.audit.add("delete " + id);
    }
}
"""


def test_fields_written_by_state_changing_handlers(lint_java):
    path = "src/main/java/app/TodoController.java"
    # a GET handler, a cache, and a local list that hides the field are not reported
    assert lint_java({path: CONTROLLER}) == [(path, "CBR304", at(CONTROLLER, "todos.put(")),
                                             (path, "CBR304", at(CONTROLLER, "this.audit.add"))]


def test_javalin_route_lambdas_and_non_singletons(lint_java):
    source = main_class("""\
        var app = io.javalin.Javalin.create();
        app.post("/items", ctx -> ITEMS.add(ctx.body()));
        app.get("/items", ctx -> SEEN.add(ctx.ip()));""",
                        members="    static final java.util.List<String> ITEMS = new java.util.ArrayList<>();\n"
                                "    static final java.util.Set<String> SEEN = new java.util.HashSet<>();\n")
    plain = """package app;

public class Basket {
    private final java.util.List<String> items = new java.util.ArrayList<>();

    @org.springframework.web.bind.annotation.PostMapping("/basket")
    public void add(String item) {
        items.add(item);
    }
}
"""
    # Basket is not a bean and its list is not static: one per instance of the class.
    assert lint_java({MAIN: source, "src/main/java/app/Basket.java": plain}) == [
        (MAIN, "CBR304", at(source, "ITEMS.add"))]


# ---- CBR311 / CBR312 ----------------------------------------------------------------------------

JOBS = """package app;

import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import jakarta.annotation.PostConstruct;
import org.springframework.boot.CommandLineRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.PostMapping;

@Component
public class Jobs {
    private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(1);
    private final Timer timer = new Timer(true);

    @Scheduled(fixedRate = 1000)
    void tick() {
    }

    @PostConstruct
    void start() {
        executor.scheduleWithFixedDelay(this::tick, 0, 1, TimeUnit.SECONDS);
        timer.schedule(new TimerTask() { public void run() { } }, 5000);
        startPoller();
    }

    void startPoller() {
        new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                tick();
                try {
                    TimeUnit.SECONDS.sleep(5);
                } catch (InterruptedException e) {
                    break;
                }
            }
        }).start();
    }

    @Bean
    CommandLineRunner warmup() {
        return args -> timer.scheduleAtFixedRate(new TimerTask() { public void run() { } }, 0, 60_000);
    }

    @PostMapping("/later")
    void later() {
        executor.schedule(this::tick, 5, TimeUnit.SECONDS);
        new Thread(() -> {
            while (true) {
                try { Thread.sleep(1000); } catch (InterruptedException e) { return; }
            }
        }).start();
    }

    void retry() throws InterruptedException {
        new Thread(() -> {
            for (int i = 0; i < 3; i++) {
                try { Thread.sleep(1000); } catch (InterruptedException e) { return; }
            }
        }).start();
    }
}
"""
JOBS_PATH = "src/main/java/app/Jobs.java"
ENABLE = """package app;

import org.springframework.scheduling.annotation.EnableScheduling;

@EnableScheduling
public class SchedulingConfig {
}
"""


def test_background_work_at_startup(lint_java):
    expected = [
        (JOBS_PATH, "CBR312", at(JOBS, "scheduleWithFixedDelay")),
        (JOBS_PATH, "CBR311", at(JOBS, "timer.schedule(")),
        (JOBS_PATH, "CBR311", at(JOBS, "new Thread(", 1)),
        (JOBS_PATH, "CBR312", at(JOBS, "scheduleAtFixedRate")),
    ]
    # Without @EnableScheduling Spring never runs @Scheduled methods.
    assert lint_java({JOBS_PATH: JOBS}) == sorted(expected)
    with_enable = {JOBS_PATH: JOBS, "src/main/java/app/SchedulingConfig.java": ENABLE}
    assert lint_java(with_enable) == sorted(expected + [(JOBS_PATH, "CBR312", at(JOBS, "@Scheduled"))])


def test_quarkus_scheduled_needs_no_enable_annotation(lint_java):
    source = """package org.acme;

import io.quarkus.scheduler.Scheduled;

public class Refresher {
    @Scheduled(every = "10s")
    void refresh() {
    }
}
"""
    assert lint_java({"src/main/java/org/acme/Refresher.java": source}) == [
        ("src/main/java/org/acme/Refresher.java", "CBR312", 6)]


def test_quartz_scheduler_started_in_main(lint_java):
    source = main_class("""\
        Scheduler scheduler = StdSchedulerFactory.getDefaultScheduler();
        scheduler.start();""", imports="import org.quartz.Scheduler;\nimport org.quartz.impl.StdSchedulerFactory;\n")
    assert lint_java(source) == [(MAIN, "CBR312", at(source, "scheduler.start()"))]


# ---- CBR313 -------------------------------------------------------------------------------------

def test_child_processes(lint_java):
    source = main_class("""\
        new ProcessBuilder("./worker", "--queue", "jobs").inheritIO().start();
        Process migrate = new ProcessBuilder("./migrate", "up").start();
        migrate.waitFor();
        new ProcessBuilder("convert", "a.png", "b.png").start().waitFor();
        Runtime.getRuntime().exec(new String[] {"sh", "-c", "java -jar indexer.jar &"});""",
                        members="""    void thumbnail() throws Exception {
        new ProcessBuilder("convert", "a.png", "b.png").start();
        Runtime.getRuntime().exec("nohup ./sync.sh");
    }
""")
    assert lint_java(source) == sorted([(MAIN, "CBR313", at(source, '"./worker"')),
                                        (MAIN, "CBR313", at(source, "indexer.jar")),
                                        (MAIN, "CBR313", at(source, "nohup"))])


# ---- which files are checked -------------------------------------------------------------------

def test_is_service_file():
    assert is_service_file(PurePosixPath("src/main/java/com/example/build/Tool.java"))
    assert is_service_file(PurePosixPath("src/main/java/com/example/App.java"))
    assert not is_service_file(PurePosixPath("src/test/java/com/example/AppTest.java"))
    assert not is_service_file(PurePosixPath("src/integrationTest/java/App.java"))
    assert not is_service_file(PurePosixPath("target/generated-sources/App.java"))
    assert not is_service_file(PurePosixPath(".mvn/wrapper/MavenWrapperDownloader.java"))
    assert not is_service_file(PurePosixPath("src/main/java/app/ServerIT.java"))


def test_word_gate_groups_hold_every_needle_once():
    """The gate tries a group of needles only when the text has their shared part: the same answer
    as trying every needle, provided each needle has its group's part and is in one group. "server."
    is the exception: a needle only together with one of _AFTER_SERVER."""
    groups = [(part, group) for part, group in java_source._NEEDLE_GROUPS if part != "server."]
    assert all(part in needle for part, group in groups for needle in group)
    assert sorted([*(needle for _, group in groups for needle in group), "server."]) == sorted(java_source._NEEDLES)
    assert ("server.", java_source._AFTER_SERVER) in java_source._NEEDLE_GROUPS


HANDLERS = """package app;

import com.sun.net.httpserver.HttpServer;

final class Routes {
    static void register(HttpServer server) {
        server.createContext("/orders", exchange -> exchange.close());
    }
}
"""
CUSTOMIZER = """package app;

import org.springframework.boot.web.server.ConfigurableWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

class PortCustomizer implements WebServerFactoryCustomizer<ConfigurableWebServerFactory> {
    public void customize(ConfigurableWebServerFactory factory) {
        factory.setPort(Integer.parseInt(System.getenv("PORT")));
    }
}
"""


def test_word_gate_skips_files_that_only_name_a_server():
    """A handler file that takes an HttpServer and calls `server.` methods can give no finding (an
    HttpServer.create finding needs a `new InetSocketAddress` in the same file): not parsed, so
    not even a syntax error in it is reported."""
    assert not java_source._may_report(HANDLERS)
    assert not java_source._may_report(HANDLERS.replace("exchange.close());", "exchange.close();"))
    assert java_source._may_report(HANDLERS.replace("server.createContext", "HttpServer.create(null, 0).createContext"))
    assert java_source._may_report(HANDLERS.replace('"/orders"', '"server.port"'))
    assert java_source._may_report(CUSTOMIZER)  # only "server." (in its imports) and WebServerFactory


def test_handler_file_syntax_error_is_not_reported_but_main_file_is(lint_java):
    broken_handlers = HANDLERS.replace("exchange.close());", "exchange.close();")
    broken_main = "package app;\n\nclass Main {\n    void f() {\n        HttpServer.create(;\n    }\n}\n"
    assert lint_java({"src/main/java/app/Routes.java": broken_handlers, MAIN: broken_main}) == [(MAIN, "CBR001", 5)]


def test_customizer_is_evidence_that_code_sets_the_port(lint_java):
    """The customizer's only needles are "server." (its imports) and WebServerFactory: still read,
    so Spring's default port is not reported."""
    files = _spring_tree(80)
    assert any(code == "CBR201" for _, code, _ in lint_java(files))
    files["src/main/java/app/PortCustomizer.java"] = CUSTOMIZER
    assert not any(code == "CBR201" for _, code, _ in lint_java(files))


PRECISION_JAVA = sorted(path for path in (Path(__file__).parent / "precision" / "java").iterdir() if path.is_dir())


@pytest.mark.parametrize("case", PRECISION_JAVA, ids=lambda case: case.name)
def test_word_gate_loses_no_finding_on_the_precision_corpus(case, monkeypatch):
    """Every Java file parsed (the gate reduced to the generated-file test) gives the same findings."""
    gated = found(lint_tree(case))
    monkeypatch.setattr(java_source, "_may_report", lambda text: not is_generated(text))
    assert found(lint_tree(case)) == gated


def test_properties_reader_follows_java_properties(tmp_path):
    text = "a = 1\n! bang comment\nserver.port : 8080\nlong.value=one \\\n    two\nkey\\ with\\ space=x\n#---\n" \
           "spring.config.activate.on-profile=dev\nserver.port=1\n"
    entries = config.read(Path(tmp_path / "application.properties"), text)
    assert [(e.key, e.value, e.line, e.profile) for e in entries] == [
        ("a", "1", 1, None), ("server.port", "8080", 3, None), ("long.value", "one two", 4, None),
        ("key with space", "x", 6, None),
        ("spring.config.activate.on-profile", "dev", 8, "dev"), ("server.port", "1", 9, "dev"),
    ]


# ---- bad input ----------------------------------------------------------------------------------

def test_syntax_errors_are_cbr001(lint_java):
    broken = "package app;\n\nclass Main {\n    void f() {\n        HttpServer.create(;\n    }\n}\n"
    files = {MAIN: broken, "src/main/resources/application.yml": "server:\n  port: [8080\n"}
    assert lint_java(files) == [(MAIN, "CBR001", 5), ("src/main/resources/application.yml", "CBR001", 3)]


def test_binary_java_file_is_cbr001(tmp_path):
    path = tmp_path / MAIN
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00\xff\xfe HttpServer \x80")
    assert [(f.code, f.path) for f in lint_tree(tmp_path) if f.code in MINE] == [("CBR001", MAIN)]


def test_files_over_the_size_limit_are_left_unread(tmp_path, monkeypatch):
    """A .java or application.* file over MAX_BYTES is neither read nor reported (its size comes
    from the open descriptor); when no file is left, the check stops before reading anything else."""
    padding = "// " + "x" * java_source.MAX_BYTES + "\n"
    server = main_class("        new ServerSocket(8080).close();")
    dockerfile = "FROM eclipse-temurin:17-jre\nEXPOSE 80\n"
    big = {MAIN: server + padding, PROPERTIES: "server.port=8080\n" + "#" * java_source.MAX_BYTES + "\n",
           "Dockerfile": dockerfile}
    small = {MAIN: server, PROPERTIES: "server.port=8080\n", "Dockerfile": dockerfile}
    assert {code for _, code, _ in found(lint_tree(tmp_path / "small", small))} == {"CBR201"}
    assert found(lint_tree(tmp_path / "big", big)) == []

    from scaffolder.project import discover_services
    service, = discover_services([tmp_path / "big"])
    monkeypatch.setattr(java_source, "deployment", lambda *_: pytest.fail("the deployment was read"))
    assert list(java_source.check(service)) == []
    assert not any(service.is_cached(path) for path in service.files if path.name != "Dockerfile")


def test_scopes_pick_out_the_names_the_finer_patterns_would_capture():
    """scopes.py finds names in whole assignments, updates, lambdas and for-each loops (cheaper to
    compile); the same nodes, in the same order, as patterns that look inside them."""
    from scaffolder import treesitter
    from scaffolder.javasource import scopes
    from scaffolder.javasource.javafile import _QUERY
    finer = """
(enhanced_for_statement name: (identifier) @param)
(lambda_expression parameters: (identifier) @param)
(assignment_expression left: (identifier) @assign)
(assignment_expression left: (field_access object: (this) field: (identifier) @assign))
(update_expression (identifier) @update)
"""
    text = """class A { int f; void m(int[] a) { for (var x : a) { f++; ++f; this.f = 1; this.f += 2; a[0]++;
        other.f = 4; f = f = 3; Runnable r = () -> {}; java.util.function.Function<Integer, Integer> g = y -> y + 1;
        java.util.function.BiFunction<Integer, Integer, Integer> h = (p, q) -> p; this.f++; } } }"""
    root = treesitter.parse("java", text).root
    assert not root.has_error
    found, expected = treesitter.captures("java", _QUERY, root), treesitter.captures("java", finer, root)
    targets = [scopes._target(assignment) for assignment in found["assignment"]]
    assert [node for node in targets if node is not None] == expected["assign"]
    derived = [child for update in found["update"] for child in update.named_children if child.type == "identifier"]
    assert derived == expected["update"]
    parameters = {node.id for node in scopes._parameters(found)}  # all unknown values: order does not matter
    assert parameters - {node.id for node in found["param"]} == {node.id for node in expected["param"]}
