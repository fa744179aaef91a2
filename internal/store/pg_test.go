package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgreSQL for the tests: $DEMARC_TEST_POSTGRES_URL when set, else a
// throwaway server this test binary starts from the Debian/Ubuntu
// postgresql package (initdb + pg_ctl under /usr/lib/postgresql/*/bin, or
// on PATH): a temporary data directory, loopback only, a free port, its
// socket in a temporary directory; stopped when the tests end. Without
// either, PostgreSQL tests skip — unless DEMARC_REQUIRE_POSTGRES=1, when
// they fail. Each test gets its own schema.

var pg struct {
	once    sync.Once
	url     string // base URL, without a schema
	err     error
	stop    func()
	skipMsg string
}

// TestMain stops the server the tests may have started.
func TestMain(m *testing.M) {
	code := m.Run()
	if pg.stop != nil {
		pg.stop()
	}
	os.Exit(code)
}

// postgresDSN returns a DSN for a fresh, empty schema, dropped after the
// test, or skips/fails as described above.
func postgresDSN(t testing.TB) string {
	t.Helper()
	pg.once.Do(startPostgres)
	if pg.err != nil {
		if os.Getenv("DEMARC_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("DEMARC_REQUIRE_POSTGRES=1: %v", pg.err)
		}
		t.Skipf("no PostgreSQL (%v); set DEMARC_TEST_POSTGRES_URL, install the postgresql package, or set DEMARC_REQUIRE_POSTGRES=1 to fail", pg.err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "demarc_test_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pg.url)
	if err != nil {
		t.Fatalf("connect to test PostgreSQL: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), pg.url)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	u, err := url.Parse(pg.url)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema) // pgx sends unknown parameters as run-time settings
	u.RawQuery = q.Encode()
	return u.String()
}

func startPostgres() {
	if u := os.Getenv("DEMARC_TEST_POSTGRES_URL"); u != "" {
		pg.url = u
		return
	}
	bin, err := postgresBin()
	if err != nil {
		pg.err = err
		return
	}
	pg.url, pg.stop, pg.err = runPostgres(bin)
}

// postgresBin finds a directory with initdb and pg_ctl: the newest
// /usr/lib/postgresql/N/bin (Debian does not put them on PATH), else PATH.
func postgresBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	initdb, err1 := exec.LookPath("initdb")
	pgctl, err2 := exec.LookPath("pg_ctl")
	if err1 == nil && err2 == nil && filepath.Dir(initdb) == filepath.Dir(pgctl) {
		return filepath.Dir(initdb), nil
	}
	return "", fmt.Errorf("initdb and pg_ctl not found under /usr/lib/postgresql/*/bin or on PATH (apt-get install postgresql)")
}

func versionOf(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func isExec(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode()&0o111 != 0
}

// runPostgres initializes and starts a private server. PostgreSQL refuses
// to run as root, so as root it runs as the "postgres" (else "nobody")
// user, in a directory that user owns.
func runPostgres(bin string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "demarc-pg-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		cred, err = unprivileged()
		if err != nil {
			cleanup()
			return "", nil, err
		}
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			cleanup()
			return "", nil, err
		}
	}
	data, sock, logf := filepath.Join(dir, "data"), filepath.Join(dir, "sock"), filepath.Join(dir, "log")
	run := func(name string, args ...string) error {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
		if cred != nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %w\n%s", name, err, out)
		}
		return nil
	}
	if err := os.Mkdir(sock, 0o700); err != nil {
		cleanup()
		return "", nil, err
	}
	if cred != nil {
		os.Chown(sock, int(cred.Uid), int(cred.Gid))
	}
	if err := run("initdb", "-D", data, "-U", "demarc", "--auth=trust", "-E", "UTF8", "--no-sync"); err != nil {
		cleanup()
		return "", nil, err
	}
	port, err := freePort()
	if err != nil {
		cleanup()
		return "", nil, err
	}
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c full_page_writes=off -c synchronous_commit=off", port, sock)
	if err := run("pg_ctl", "-D", data, "-l", logf, "-o", opts, "-w", "-t", "60", "start"); err != nil {
		if b, _ := os.ReadFile(logf); len(b) > 0 {
			err = fmt.Errorf("%w\n%s", err, b)
		}
		cleanup()
		return "", nil, err
	}
	stop := func() {
		run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
		cleanup()
	}
	u := fmt.Sprintf("postgres://demarc@127.0.0.1:%d/postgres?sslmode=disable", port)
	// Wait until it accepts connections (pg_ctl -w already does; be sure).
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := pgx.Connect(context.Background(), u)
		if err == nil {
			c.Close(context.Background())
			break
		}
		if time.Now().After(deadline) {
			stop()
			return "", nil, fmt.Errorf("PostgreSQL did not accept connections: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return u, stop, nil
}

func unprivileged() (*syscall.Credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, fmt.Errorf("running as root and no postgres or nobody user to run PostgreSQL as")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// backends lists the stores every shared test runs against.
func backends(t *testing.T) map[string]func(t *testing.T) string {
	return map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "demarc.db") },
		"postgres": func(t *testing.T) string { return postgresDSN(t) },
	}
}

// forEachBackend runs fn as a subtest per backend, with a fresh store.
func forEachBackend(t *testing.T, fn func(t *testing.T, dsn string)) {
	names := []string{"sqlite", "postgres"}
	b := backends(t)
	for _, name := range names {
		t.Run(name, func(t *testing.T) { fn(t, b[name](t)) })
	}
}
