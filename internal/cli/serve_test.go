package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
	"github.com/demarc-sec/demarc/internal/store"
)

// syncBuffer is written by the server goroutine and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func serveStore(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "serve.db")
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f := engine.Finding{RuleID: "r1", Title: "t", Service: "s3", Status: checks.Fail, Severity: checks.High,
		Responsibility: checks.LayerData, ResourceARN: "arn:aws:s3:::b", Region: "us-east-1", AccountID: "111122223333",
		Message: "m", Fingerprint: engine.Fingerprint("r1", "111122223333", "arn:aws:s3:::b", "us-east-1")}
	if _, err := st.SaveScan(ctx, store.Scan{AccountID: "111122223333", Partition: "aws", Regions: []string{"us-east-1"},
		CollectedAt: time.Now()}, []engine.Finding{f}); err != nil {
		t.Fatal(err)
	}
	return dsn
}

// startServe runs `serve` until the test ends and returns its URL and
// stderr.
func startServe(t *testing.T, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	errb := &syncBuffer{}
	g := &globalOptions{stdout: &out, stderr: errb}
	cmd := newServeCommand(g)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(errb)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v after cancel", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("serve did not stop")
		}
	})
	re := regexp.MustCompile(`at (http://[^ \n]+/)`)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(errb.String()); m != nil {
			return m[1], errb
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v; stderr %s", err, errb.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start: %s", errb.String())
	return "", nil
}

func fetch(t *testing.T, url, bearer string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeLoopback(t *testing.T) {
	dsn := serveStore(t)
	url, errb := startServe(t, "--db", dsn, "--addr", "127.0.0.1:0")
	if strings.Contains(errb.String(), "token") {
		t.Errorf("loopback without --token printed a token: %s", errb.String())
	}
	if code, body := fetch(t, url, ""); code != 200 || !strings.Contains(body, "111122223333") {
		t.Errorf("GET /: %d", code)
	}
}

// A token, once set, is required on every request.
func TestServeToken(t *testing.T) {
	dsn := serveStore(t)
	const token = "0123456789abcdef-token"
	url, errb := startServe(t, "--db", dsn, "--addr", "127.0.0.1:0", "--token", token)
	if strings.Contains(errb.String(), token) {
		t.Errorf("a chosen token was printed: %s", errb.String())
	}
	if code, body := fetch(t, url, ""); code != http.StatusUnauthorized || strings.Contains(body, "111122223333") {
		t.Errorf("without the token: %d", code)
	}
	if code, _ := fetch(t, url+"scans", "wrong-wrong-wrong-wrong"); code != http.StatusUnauthorized {
		t.Errorf("wrong token: %d", code)
	}
	if code, body := fetch(t, url+"scans", token); code != 200 || !strings.Contains(body, "111122223333") {
		t.Errorf("with the token: %d", code)
	}
	if code, _ := fetch(t, fmt.Sprintf("%s?token=%s", url, token), ""); code != http.StatusSeeOther {
		t.Errorf("first visit with ?token=: %d", code)
	}
}

// Any address but loopback gets a token: the flag's, the environment's, or
// a generated one.
func TestServeTokenChoice(t *testing.T) {
	t.Setenv(envServeToken, "")
	for addr, gen := range map[string]bool{
		":8080": true, "0.0.0.0:8080": true, "[::]:8080": true, "192.0.2.10:80": true, "dashboard.example:443": true,
		"127.0.0.1:8080": false, "localhost:8080": false, "[::1]:8080": false, "127.0.0.2:1": false,
	} {
		tok, generated, err := serveToken(addr, "")
		if err != nil || generated != gen || (gen && len(tok) != 64) || (!gen && tok != "") {
			t.Errorf("%s: token %q generated %v err %v", addr, tok, generated, err)
		}
	}
	if tok, gen, err := serveToken("0.0.0.0:1", "my-own-token-0123"); err != nil || gen || tok != "my-own-token-0123" {
		t.Errorf("--token: %q %v %v", tok, gen, err)
	}
	t.Setenv(envServeToken, "env-token-0123456789")
	if tok, gen, err := serveToken("0.0.0.0:1", ""); err != nil || gen || tok != "env-token-0123456789" {
		t.Errorf("$%s: %q %v %v", envServeToken, tok, gen, err)
	}
	if tok, _, _ := serveToken("127.0.0.1:1", ""); tok != "env-token-0123456789" {
		t.Errorf("loopback with $%s: %q", envServeToken, tok)
	}
}

func TestServeUsage(t *testing.T) {
	dsn := serveStore(t)
	t.Setenv(envServeToken, "")
	for _, c := range []struct {
		args []string
		exit int
		want string
	}{
		{[]string{"--db", dsn, "--addr", "nonsense"}, ExitUsage, "--addr"},
		{[]string{"--db", dsn, "--token", "short"}, ExitUsage, "at least 16"},
		{[]string{"--db", filepath.Join(t.TempDir(), "none.db")}, ExitInput, "no store"},
		{[]string{"--db", dsn, "extra"}, ExitUsage, "unknown command"},
	} {
		code, _, errs := runSub(t, newServeCommand, c.args...)
		if code != c.exit || !strings.Contains(errs, c.want) {
			t.Errorf("serve %v: exit %d, stderr %q; want %d, %q", c.args, code, errs, c.exit, c.want)
		}
	}
}
