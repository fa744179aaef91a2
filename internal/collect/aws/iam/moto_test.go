package iam

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// startMoto starts a moto server on a free loopback port for one test and
// returns its URL; it is stopped (by process group) when the test ends.
// Extra environment entries (e.g. INITIAL_NO_AUTH_ACTION_COUNT=5) are passed
// to the server. Without a python that can import moto the test fails when
// CI is set and is skipped otherwise.
//
// This helper is deliberately test-local; the project-wide harness lives in
// internal/testutil.
func startMoto(t *testing.T, env ...string) string {
	t.Helper()
	py := motoPython()
	if py == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("moto is not importable by python3 (needed for collector tests)")
		}
		t.Skip("moto is not importable by python3; skipping emulator test")
	}
	port := freePort(t)
	cmd := exec.Command(py, "-m", "moto.server", "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	// The test's AWS_* settings are for the SDK, not for moto's botocore
	// (an empty AWS_PROFILE makes it fail every error response).
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(append(cmd.Env, "MOTO_IAM_LOAD_MANAGED_POLICIES=false"), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logf, err := os.Create(filepath.Join(t.TempDir(), "moto.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start moto: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		_ = logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			if len(b) > 8000 {
				b = b[len(b)-8000:]
			}
			t.Logf("moto log (tail):\n%s", b)
		}
	})
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-exited:
			b, _ := os.ReadFile(logf.Name())
			t.Fatalf("moto exited during start-up:\n%s", b)
		default:
		}
		resp, err := http.Get(url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto not ready at %s after 30s", url)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// motoPython returns a python interpreter that can import moto's server,
// or "". The probe costs seconds on a loaded machine, so it runs once.
var motoPython = sync.OnceValue(func() string {
	cands := []string{"python3"}
	if home, err := os.UserHomeDir(); err == nil {
		cands = append(cands, filepath.Join(home, ".pyenv/versions/3.11.7/bin/python"))
	}
	for _, c := range cands {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err := exec.CommandContext(ctx, c, "-c", "import moto.server, flask, flask_cors").Run()
		cancel()
		if err == nil {
			return c
		}
	}
	return ""
})

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// motoEnv sets the fake credentials and region the SDK needs for moto.
func motoEnv(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ENDPOINT_URL", "")
	// aws.NewEnv's endpoint HTTP client is a plain *http.Client, which the
	// SDK refuses to combine with a custom CA bundle; moto is plain http.
	t.Setenv("AWS_CA_BUNDLE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
}
