"""Go source rules: the listening address (CBR201/CBR202), files and SQLite on the instance's disk
(CBR301/CBR302), and periodic work started at startup (CBR311/CBR312).

Every case lints a small tree with the real engine and asserts the exact (code, line) pairs the Go
check reports; other checks' codes are left out.
"""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from conftest import lint_tree
from scaffolder.checks import go_source
from scaffolder.gosource.files import built_commands, is_service_code
from scaffolder.gosource.gofile import default_import_name
from scaffolder.project import Service

MINE = go_source.CODES


def found(findings) -> list[tuple[str, int]]:
    return sorted((finding.code, finding.line) for finding in findings if finding.code in MINE)


@pytest.fixture
def lint_go(tmp_path):
    """lint_go(source) -> [(code, line)] for main.go; lint_go({"a.go": ..., "Dockerfile": ...}) for
    a tree. Every call lints a fresh folder."""
    calls = iter(range(1000))

    def run(source, **kwargs):
        files = source if isinstance(source, dict) else {"main.go": source}
        return found(lint_tree(tmp_path / f"case{next(calls)}", files, **kwargs))

    return run


def main_go(imports: str, body: str, extra: str = "") -> str:
    return f"package main\n\nimport (\n{imports}\n)\n{extra}\nfunc main() {{\n{body}\n}}\n"


def at(source: str, text: str, occurrence: int = 1) -> int:
    """The line of the n-th line of `source` that contains `text`."""
    lines = [number for number, line in enumerate(source.splitlines(), 1) if text in line]
    return lines[occurrence - 1]


# ---- CBR201 / CBR202 ----------------------------------------------------------------------------

@pytest.mark.parametrize("address", [
    '":8080"',
    '"0.0.0.0:8080"',
    '":" + "8080"',
    'fmt.Sprintf(":%d", 8080)',
    'net.JoinHostPort("", "8080")',
    '":" + strconv.Itoa(8080)',
    "addr",
])
def test_literal_addresses_are_hard_coded(lint_go, address):
    source = main_go('\t"fmt"\n\t"net"\n\t"net/http"\n\t"strconv"',
                     f'\t_, _, _ = fmt.Sprint, net.JoinHostPort, strconv.Itoa\n\thttp.ListenAndServe({address}, nil)',
                     extra='const addr = ":8080"\n')
    assert lint_go(source) == [("CBR201", at(source, "ListenAndServe"))]


@pytest.mark.parametrize("address", [
    '":" + os.Getenv("PORT")',
    'port',
    'cfg.Addr',
    '*flagAddr',
    'listenAddr(os.Args)',
    '":0"',
])
def test_addresses_from_elsewhere_are_not_reported(lint_go, address):
    source = main_go('\t"flag"\n\t"net/http"\n\t"os"', f'''\
	port, ok := os.LookupEnv("PORT")
	if !ok {{
		port = ":8080"
	}}
	cfg := loadConfig()
	flagAddr := flag.String("addr", ":8080", "listen address")
	flag.Parse()
	http.ListenAndServe({address}, nil)''', extra='''
type config struct{ Addr string }

func loadConfig() config { return config{Addr: os.Getenv("ADDR")} }

func listenAddr(args []string) string { return args[1] }
''')
    assert lint_go(source) == []


def test_const_in_another_file_of_the_package(lint_go):
    files = {
        "main.go": 'package main\n\nimport "net/http"\n\nfunc main() {\n\thttp.ListenAndServe(defaultAddr, nil)\n}\n',
        "config.go": 'package main\n\n// defaultAddr is where the server listens.\n'
                     'const defaultAddr = "127.0.0.1:9000"\n',
    }
    assert lint_go(files) == [("CBR201", 6), ("CBR202", 6)]


def test_a_package_variable_reassigned_elsewhere_is_not_literal(lint_go):
    files = {
        "main.go": 'package main\n\nimport "net/http"\n\nvar addr = ":8080"\n\nfunc main() {\n'
                   '\thttp.ListenAndServe(addr, nil)\n}\n',
        "env.go": 'package main\n\nimport "os"\n\nfunc init() {\n\tif v := os.Getenv("PORT"); v != "" {\n'
                  '\t\taddr = ":" + v\n\t}\n}\n',
    }
    assert lint_go(files) == []


@pytest.mark.parametrize(("imports", "body", "expected"), [
    ('\t"github.com/gin-gonic/gin"', '\tr := gin.Default()\n\tr.Run(":8080")', ["CBR201"]),
    ('\t"github.com/gin-gonic/gin"', '\tr := gin.New()\n\tr.Run()', []),  # gin reads PORT itself
    ('\t"github.com/labstack/echo/v4"', '\te := echo.New()\n\te.Logger.Fatal(e.Start(":1323"))', ["CBR201"]),
    ('\t"github.com/gofiber/fiber/v2"', '\tapp := fiber.New()\n\tapp.Listen("localhost:3000")',
     ["CBR201", "CBR202"]),
    ('\t"net"', '\tln, _ := net.Listen("tcp", ":50051")\n\t_ = ln', ["CBR201"]),
    ('\t"net"', '\tln, _ := net.Listen("unix", "/tmp/app.sock:80")\n\t_ = ln', []),
    ('\t"net"', '\tln, _ := net.Listen("tcp", "127.0.0.1:0")\n\t_ = ln', []),  # any free port: a helper
    ('\t"os"\n\t"os/exec"', '\tcmd := exec.Command("ls")\n\tcmd.Run()\n\t_ = os.Args', []),
])
def test_frameworks(lint_go, imports, body, expected):
    source = main_go(imports, body)
    if expected:  # reported on the address: the first string after the imports
        server_line = at(source, '"', occurrence=imports.count('"') // 2 + 1)
        assert lint_go(source) == [(code, server_line) for code in expected]
    else:
        assert lint_go(source) == []


def test_gin_router_built_by_a_function_of_the_package(lint_go):
    # The gin README's shape: the engine comes from setupRouter(), so only the address says it is gin.
    source = main_go('\t"net/http"\n\t"os/exec"\n\n\t"github.com/gin-gonic/gin"', """\
	r := setupRouter()
	r.Run(":8080")
	cmd := exec.Command("make", ":8080")
	cmd.Run()""", extra="""
func setupRouter() *gin.Engine {
	r := gin.Default()
	r.GET("/ping", func(c *gin.Context) { c.String(http.StatusOK, "pong") })
	return r
}
""")
    assert lint_go(source) == [("CBR201", at(source, 'r.Run(":8080")'))]


def test_http_server_struct_and_loopback_prefix(lint_go):
    source = main_go('\t"net/http"\n\t"os"', '''\
	srv := &http.Server{Addr: "localhost:8080"}
	go srv.ListenAndServe()
	other := &http.Server{Addr: "127.0.0.1:" + os.Getenv("PORT")}
	other.ListenAndServe()
	unused := &http.Server{Addr: ":9999"}
	_ = unused''')
    first, second = at(source, "localhost:8080"), at(source, "127.0.0.1:")
    assert lint_go(source) == [("CBR201", first), ("CBR202", first), ("CBR202", second)]


def test_pprof_on_localhost_next_to_the_real_server(lint_go):
    source = main_go('\t"log"\n\t"net/http"\n\t_ "net/http/pprof"\n\t"os"', """\
	go func() {
		log.Println(http.ListenAndServe("localhost:6060", nil))
	}()
	log.Fatal(http.ListenAndServe(":"+os.Getenv("PORT"), nil))""")
    assert lint_go(source) == []
    alone = main_go('\t"log"\n\t"net/http"', '\tlog.Fatal(http.ListenAndServe("localhost:6060", nil))')
    assert lint_go(alone) == [("CBR201", at(alone, "6060")), ("CBR202", at(alone, "6060"))]


def test_environment_branch_is_not_reported(lint_go):
    source = main_go('\t"net/http"\n\t"os"', '''\
	if os.Getenv("APP_ENV") == "dev" {
		http.ListenAndServe("localhost:8080", nil)
	}
	switch os.Getenv("MODE") {
	case "local":
		http.ListenAndServe(":9000", nil)
	}
	http.ListenAndServe(":"+os.Getenv("PORT"), nil)''')
    assert lint_go(source) == []


def test_inline_suppression(lint_go):
    source = main_go('\t"net/http"', '\thttp.ListenAndServe(":8080", nil) // scaffolder: ignore[CBR201]')
    assert lint_go(source) == []


# ---- CBR301 / CBR302 ----------------------------------------------------------------------------

@pytest.mark.parametrize(("call", "expected"), [
    ('os.Create("report.csv")', ["CBR301"]),
    ('os.WriteFile("data/state.json", nil, 0o644)', ["CBR301"]),
    ('os.OpenFile("app.log", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)', ["CBR301"]),
    ('os.OpenFile("config.json", os.O_RDONLY, 0)', []),
    ('os.MkdirAll(filepath.Join(wd, "cache"), 0o755)', ["CBR301"]),
    ('os.Create(filepath.Join(os.TempDir(), "x.csv"))', []),
    ('os.WriteFile("/tmp/x.json", nil, 0o600)', []),
    ('os.WriteFile(os.Getenv("OUT"), nil, 0o600)', []),
    ('os.Create("/dev/stdout")', []),
])
def test_file_writes(lint_go, call, expected):
    source = main_go('\t"os"\n\t"path/filepath"',
                     f'\twd, _ := os.Getwd()\n\t_, _ = wd, filepath.Separator\n\t_, _ = {call}, 0')
    assert lint_go(source) == [(code, at(source, call)) for code in expected]


def test_scratch_file_removed_again_and_temp_dir(lint_go):
    source = main_go('\t"os"\n\t"path/filepath"', '''\
	name := "upload.bin"
	f, _ := os.Create(name)
	defer os.Remove(name)
	_ = f
	dir, _ := os.MkdirTemp("", "work")
	_ = os.WriteFile(filepath.Join(dir, "a.txt"), nil, 0o600)''')
    assert lint_go(source) == []


@pytest.mark.parametrize(("call", "expected"), [
    ('sql.Open("sqlite3", "./app.db")', ["CBR302"]),
    ('sql.Open("sqlite", "file:data/app.db?_pragma=busy_timeout(5000)")', ["CBR302"]),
    ('sql.Open("sqlite3", ":memory:")', []),
    ('sql.Open("sqlite", "file::memory:?cache=shared")', []),
    ('sql.Open("sqlite3", "/tmp/cache.db")', []),
    ('sql.Open("mysql", "user:pw@tcp(db:3306)/app")', []),
    ('sql.Open("sqlite3", os.Getenv("DB_PATH"))', []),
])
def test_sqlite(lint_go, call, expected):
    source = main_go('\t"database/sql"\n\t"os"', f'\t_ = os.Args\n\tdb, _ := {call}\n\t_ = db')
    assert lint_go(source) == [(code, at(source, call)) for code in expected]


def test_gorm_sqlite(lint_go):
    source = main_go('\t"gorm.io/driver/sqlite"\n\t"gorm.io/gorm"',
                     '\tdb, _ := gorm.Open(sqlite.Open("gorm.db"), &gorm.Config{})\n\tdb.Create(&struct{}{})')
    assert lint_go(source) == [("CBR302", at(source, "sqlite.Open"))]


# ---- CBR311 / CBR312 ----------------------------------------------------------------------------

GOROUTINES = '''\
package main

import (
	"context"
	"net/http"
	"time"
)

func poll(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func waitForDB() {
	for {
		if ping() {
			break
		}
		time.Sleep(time.Second)
	}
}

func ping() bool { return true }

func startWorkers(ctx context.Context) {
	go poll(ctx)
}

func main() {
	ctx := context.Background()
	startWorkers(ctx)
	go waitForDB()
	go func() {
		for {
			time.Sleep(10 * time.Second)
		}
	}()
	go func() {
		<-ctx.Done()
	}()
	time.AfterFunc(time.Hour, func() {})
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		go poll(ctx)
		time.AfterFunc(time.Second, func() {})
	})
}
'''


def test_goroutines_started_at_startup(lint_go):
    # startWorkers() is called from main, so its goroutine counts; the handler's do not; the retry
    # loop (with break) and the goroutine waiting for a signal are not periodic.
    assert lint_go(GOROUTINES) == [("CBR311", at(GOROUTINES, "go poll(ctx)")),
                                   ("CBR311", at(GOROUTINES, "go func() {")),
                                   ("CBR311", at(GOROUTINES, "time.AfterFunc(time.Hour"))]


def test_cron_schedulers(lint_go):
    source = main_go('\t"github.com/go-co-op/gocron"\n\t"github.com/robfig/cron/v3"\n\t"time"', '''\
	c := cron.New()
	c.AddFunc("@hourly", func() {})
	c.Start()
	s := gocron.NewScheduler(time.UTC)
	s.Every(1).Minute().Do(func() {})
	s.StartAsync()''')
    assert lint_go(source) == [("CBR312", at(source, "c.Start()")), ("CBR312", at(source, "s.StartAsync()"))]


def test_cron_started_in_a_handler_is_not_reported(lint_go):
    source = main_go('\t"net/http"\n\t"github.com/robfig/cron/v3"', '''\
	http.HandleFunc("/start", func(w http.ResponseWriter, r *http.Request) {
		c := cron.New()
		c.Start()
	})''')
    assert lint_go(source) == []


# ---- CBR303 -------------------------------------------------------------------------------------

def test_session_stores(lint_go):
    source = main_go('''\t"github.com/alexedwards/scs/v2"
\t"github.com/gin-contrib/sessions/cookie"
\t"github.com/gin-contrib/sessions/memstore"
\t"github.com/gofiber/fiber/v2/middleware/session"
\t"github.com/gofiber/storage/redis/v3"
\tgsessions "github.com/gorilla/sessions"''', """\
	mem := memstore.NewStore([]byte("secret"))
	jar := cookie.NewStore([]byte("secret"))
	files := gsessions.NewFilesystemStore("", []byte("key"))
	signed := gsessions.NewCookieStore([]byte("key"))
	manager := scs.New()
	local := session.New()
	shared := session.New(session.Config{Storage: redis.New()})
	_, _, _, _, _, _, _ = mem, jar, files, signed, manager, local, shared""")
    assert lint_go(source) == [("CBR303", at(source, "memstore.NewStore(")),
                               ("CBR303", at(source, "NewFilesystemStore")),
                               ("CBR303", at(source, "scs.New()")),
                               ("CBR303", at(source, "local := session.New()"))]


def test_scs_with_a_shared_store_is_fine(lint_go):
    source = main_go('\t"github.com/alexedwards/scs/redisstore"\n\t"github.com/alexedwards/scs/v2"', """\
	manager := scs.New()
	manager.Store = redisstore.New(pool)""", extra="\nvar pool = newPool()\n\nfunc newPool() any { return nil }\n")
    assert lint_go(source) == []


# ---- CBR304 -------------------------------------------------------------------------------------

TODO_API = """package main

import (
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"
)

type Todo struct{ Title string }

var (
	mu        sync.Mutex
	todos     []Todo
	byTitle   = map[string]Todo{}
	pageCache = map[string]string{}
	hits      = make(map[string]int)
)

func main() {
	r := gin.Default()
	r.GET("/todos", func(c *gin.Context) {
		hits["views"]++
		c.JSON(http.StatusOK, todos)
	})
	r.POST("/todos", func(c *gin.Context) {
		var t Todo
		_ = c.BindJSON(&t)
		mu.Lock()
		defer mu.Unlock()
		todos = append(todos, t)
		byTitle[t.Title] = t
		pageCache[t.Title] = ""
		todos := []Todo{}
		todos = append(todos, t)
	})
	r.DELETE("/todos/:title", removeTodo)
	_, _ = http.Post("http://audit/log", "text/plain", nil)
	r.Run()
}
"""


def test_package_state_written_by_state_changing_handlers(lint_go):
    handlers = ('package main\n\nimport "github.com/gin-gonic/gin"\n\nfunc removeTodo(c *gin.Context) {\n'
                '\tdelete(byTitle, c.Param("title"))\n\thits["deletes"]++\n}\n')
    # GET handlers, caches and a local that shadows the package variable are not reported.
    assert lint_go({"main.go": TODO_API, "handlers.go": handlers}) == [
        ("CBR304", 7), ("CBR304", at(TODO_API, "todos = append")), ("CBR304", at(TODO_API, "byTitle[t.Title]"))]


def test_go_122_patterns_and_gorilla_methods(lint_go):
    source = main_go('\t"net/http"\n\n\t"github.com/gorilla/mux"', """\
	m := http.NewServeMux()
	m.HandleFunc("POST /votes", func(w http.ResponseWriter, r *http.Request) { votes["a"]++ })
	m.HandleFunc("GET /votes", func(w http.ResponseWriter, r *http.Request) { views["a"]++ })
	r := mux.NewRouter()
	r.HandleFunc("/likes", like).Methods("PUT")""", extra="""
var votes = map[string]int{}
var views = map[string]int{}
var likes []string

func like(w http.ResponseWriter, r *http.Request) { likes = append(likes, r.URL.Path) }
""")
    assert lint_go(source) == sorted([("CBR304", at(source, 'votes["a"]++')), ("CBR304", at(source, "likes = append"))])


# ---- CBR313 -------------------------------------------------------------------------------------

def test_child_processes(lint_go):
    source = main_go('\t"net/http"\n\t"os/exec"', """\
	worker := exec.Command("./worker", "--queue", "jobs")
	_ = worker.Start()
	migrate := exec.Command("./migrate", "up")
	_ = migrate.Start()
	_ = migrate.Wait()
	http.HandleFunc("/thumb", func(w http.ResponseWriter, r *http.Request) {
		_ = exec.Command("convert", "in.png", "out.png").Run()
		_ = exec.Command("sh", "-c", "python reindex.py > /tmp/log 2>&1 &").Run()
		cmd := exec.Command("ffmpeg", "-i", "a.mp4", "b.mp4")
		_ = cmd.Start()
	})""")
    # main's worker is never waited for; the handler's shell backgrounds its command on purpose.
    assert lint_go(source) == [("CBR313", at(source, "worker.Start()")), ("CBR313", at(source, "reindex.py"))]


# ---- which files are checked -------------------------------------------------------------------

def test_tests_vendor_generated_and_unbuilt_commands_are_skipped(lint_go):
    bad = 'package main\n\nimport "net/http"\n\nfunc main() {\n\thttp.ListenAndServe(":8080", nil)\n}\n'
    files = {
        "Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /server ./cmd/api\n"
                      'CMD ["/server"]\n',
        "cmd/api/main.go": bad,
        "cmd/migrate/main.go": bad,
        "cmd/api/main_test.go": bad.replace("package main", "package main_test"),
        "vendor/example.com/lib/lib.go": bad,
        "internal/gen/gen.go": "// Code generated by protoc-gen-go. DO NOT EDIT.\n\n" + bad,
        "tools/tools.go": "//go:build ignore\n\n" + bad,
        "cmd/api/serve_windows.go": bad.replace("func main()", "func serve()"),
        "cmd/api/serve_darwin_arm64.go": bad.replace("func main()", "func serve2()"),
        "cmd/api/serve_other.go": "//go:build darwin\n\n" + bad.replace("func main()", "func serve3()"),
    }
    assert lint_go(files) == [("CBR201", 6)]


def test_is_service_code():
    assert is_service_code(PurePosixPath("internal/build/build.go"), None)
    assert not is_service_code(PurePosixPath("pkg/x_test.go"), None)
    assert not is_service_code(PurePosixPath("testdata/a.go"), None)
    assert not is_service_code(PurePosixPath("cmd/tool/main.go"), frozenset({"api"}))
    assert is_service_code(PurePosixPath("cmd/api/main.go"), frozenset({"api"}))
    assert is_service_code(PurePosixPath("cmd/tool/main.go"), None)


def test_built_commands_from_the_dockerfile(tmp_path):
    (tmp_path / "Dockerfile").write_text(
        'FROM golang:1.22\nRUN go mod download\nRUN CGO_ENABLED=0 go build -ldflags="-s -w" -o /a ./cmd/api && '
        "go build -o /b ./cmd/worker/...\n", encoding="utf-8")
    service = Service(tmp_path, [tmp_path / "Dockerfile"])
    assert built_commands(service) == frozenset({"api", "worker"})
    (tmp_path / "Dockerfile").write_text("FROM golang:1.22\nRUN go build -o /a .\n", encoding="utf-8")
    assert built_commands(Service(tmp_path, [tmp_path / "Dockerfile"])) is None


@pytest.mark.parametrize(("path", "name"), [
    ("github.com/labstack/echo/v4", "echo"), ("gopkg.in/yaml.v3", "yaml"), ("net/http", "http"),
    ("github.com/robfig/cron/v3", "cron"), ("github.com/mattn/go-sqlite3", "sqlite3"),
])
def test_default_import_name(path, name):
    assert default_import_name(path) == name


# ---- bad input ----------------------------------------------------------------------------------

def test_syntax_error_is_cbr001_with_its_location(lint_go):
    source = 'package main\n\nimport "net/http"\n\nfunc main() {\n\thttp.ListenAndServe(":8080", nil\n}\n'
    assert lint_go(source) == [("CBR001", 6)]


def test_not_utf8_is_cbr001(tmp_path):
    (tmp_path / "main.go").write_bytes(b'package main\n// \xff\xfe Listen\nfunc main() {}\n')
    findings = lint_tree(tmp_path)
    assert [(f.code, f.path) for f in findings if f.code in MINE] == [("CBR001", "main.go")]


def test_huge_and_deeply_nested_files_do_not_crash(lint_go):
    deep = "(" * 3000 + '":8080"' + ")" * 3000
    huge = "package main\n\nvar x = `" + "a" * 1_100_000 + '`\n\nfunc main() { http.ListenAndServe(":8080", nil) }\n'
    deep_go = f'package main\n\nimport "net/http"\n\nfunc main() {{\n\thttp.ListenAndServe({deep}, nil)\n}}\n'
    assert lint_go({"deep.go": deep_go, "huge.go": huge}) == []
