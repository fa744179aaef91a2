// Package moto gives tests a moto server, the local AWS emulator that the
// end-to-end tests run demarc's collectors against (through the real
// aws-sdk-go-v2, not stubs).
//
// Start reuses the server named by MOTO_URL (one per CI run, started with
// scripts/moto.sh) or starts its own on a free loopback port and stops it by
// PID when the test ends. Tests sharing a server isolate themselves by
// account: moto keeps separate state per 12-digit account ID, selected by the
// x-moto-account-id request header (Server.Config adds it) or by assuming a
// role in that account (how the demarc binary, which cannot add the header,
// reaches it; see RoleARN).
//
// When moto is not installed, Start skips the test with a clear message,
// unless CI or DEMARC_REQUIRE_MOTO is set: then it fails, so a CI machine
// without moto can never pass silently.
package moto

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Credentials every request to moto signs with. moto accepts any key while
// IAM is not enforced; "testing" is moto's documented convention.
const (
	AccessKey = "testing"
	SecretKey = "testing"
)

// DefaultAccount is the account moto uses when a request names none.
const DefaultAccount = "123456789012"

// ScannerRole is the role name RoleARN points at. moto's sts:AssumeRole
// does not require the role to exist while IAM is not enforced; builders
// create it anyway so that the account looks like a real scanned account.
const ScannerRole = "demarc-scanner"

// readyTimeout bounds the wait for a server to answer /moto-api/.
const readyTimeout = 30 * time.Second

// Server is a running moto server and the account a test owns in it.
type Server struct {
	// URL is the base endpoint, http://127.0.0.1:PORT.
	URL string
	// Addr is host:port of URL; every connection dials it.
	Addr string
	// Account is a fresh 12-digit account ID for this test's resources.
	Account string
	// Shared is true when the server came from MOTO_URL.
	Shared bool
	// Log is the server's output file ("" when shared).
	Log string
}

type options struct {
	env []string
	own bool
}

// Option configures Start.
type Option func(*options)

// WithEnv passes KEY=value settings to the server process, e.g.
// "INITIAL_NO_AUTH_ACTION_COUNT=20". Server-wide settings cannot be applied
// to a shared server, so this implies OwnProcess.
func WithEnv(kv ...string) Option {
	return func(o *options) {
		o.env = append(o.env, kv...)
		o.own = true
	}
}

// OwnProcess starts a private server even when MOTO_URL names a shared one.
func OwnProcess() Option { return func(o *options) { o.own = true } }

// Required reports whether a missing moto must fail the test instead of
// skipping it: on CI, or when DEMARC_REQUIRE_MOTO is set.
func Required() bool {
	return os.Getenv("CI") != "" || os.Getenv("DEMARC_REQUIRE_MOTO") != ""
}

// Start returns a ready moto server for t. See the package doc.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	var o options
	for _, f := range opts {
		f(&o)
	}
	acct := NewAccount(t)
	if u := os.Getenv("MOTO_URL"); u != "" && !o.own {
		s, err := attach(u)
		if err != nil {
			// A named server that does not answer is a broken setup, not a
			// missing tool: always loud.
			t.Fatalf("MOTO_URL=%s: %v", u, err)
		}
		s.Account = acct
		return s
	}
	if _, err := Python(); err != nil {
		unavailable(t, err)
	}
	s, stop, err := Launch(o.env...)
	if err != nil {
		t.Fatalf("start moto: %v", err)
	}
	t.Cleanup(stop)
	s.Account = acct
	return s
}

func unavailable(t testing.TB, err error) {
	t.Helper()
	msg := fmt.Sprintf("moto server not available: %v\n"+
		"  install it with: pip install 'moto[server]'  (or set MOTO_PYTHON, or MOTO_URL from `eval \"$(scripts/moto.sh start)\"`)", err)
	if Required() {
		t.Fatalf("%s\n  (CI or DEMARC_REQUIRE_MOTO is set: the end-to-end tests must run)", msg)
		return
	}
	t.Skip(msg)
}

var (
	pyOnce sync.Once
	pyPath string
	pyErr  error
)

// Python returns the path of an interpreter that can run moto's server:
// $MOTO_PYTHON, python3, then pyenv's 3.11.7 (the machine image's).
func Python() (string, error) {
	pyOnce.Do(func() { pyPath, pyErr = findPython() })
	return pyPath, pyErr
}

func findPython() (string, error) {
	home, _ := os.UserHomeDir()
	cands := []string{os.Getenv("MOTO_PYTHON"), "python3"}
	if home != "" {
		cands = append(cands, filepath.Join(home, ".pyenv", "versions", "3.11.7", "bin", "python"))
	}
	var tried []string
	for _, c := range cands {
		if c == "" {
			continue
		}
		tried = append(tried, c)
		p, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		// Print the real interpreter: pyenv's shim adds ~100 ms per start.
		out, err := exec.CommandContext(ctx, p, "-c",
			"import moto.server, flask, flask_cors, sys; print(sys.executable)").Output()
		cancel()
		if err == nil {
			if real := strings.TrimSpace(string(out)); real != "" {
				return real, nil
			}
			return p, nil
		}
	}
	return "", fmt.Errorf("no Python that can import moto.server, flask and flask_cors (tried %s)", strings.Join(tried, ", "))
}

// attach checks a server started elsewhere.
func attach(u string) (*Server, error) {
	u = strings.TrimRight(u, "/")
	addr := strings.TrimPrefix(u, "http://")
	if addr == u || strings.ContainsAny(addr, "/") {
		return nil, fmt.Errorf("want http://HOST:PORT, got %q", u)
	}
	if err := waitReady(u, 5*time.Second, nil); err != nil {
		return nil, err
	}
	return &Server{URL: u, Addr: addr, Shared: true}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Launch starts a private server outside a test (e.g. in TestMain, to share
// one server among a package's tests); the caller must call stop, which
// kills the process by its PID and removes its log. env is as for WithEnv.
//
// The port is free when chosen but could be taken before moto binds it; then
// the process exits and Launch tries another.
func Launch(env ...string) (s *Server, stop func(), err error) {
	py, err := Python()
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "demarc-moto-")
	if err != nil {
		return nil, nil, fmt.Errorf("moto log dir: %w", err)
	}
	var last error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		logPath := filepath.Join(dir, fmt.Sprintf("moto-%d.log", attempt))
		logf, err := os.Create(logPath)
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, fmt.Errorf("create moto log: %w", err)
		}
		cmd := exec.Command(py, "-m", "moto.server", "-H", "127.0.0.1", "-p", fmt.Sprint(port))
		// The caller's AWS_* settings are for its SDK clients, not for moto's
		// botocore (an empty AWS_PROFILE, as tests set, fails every error
		// response).
		cmd.Env = append(append(CleanEnviron(), "MOTO_IAM_LOAD_MANAGED_POLICIES=true"), env...)
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			logf.Close()
			os.RemoveAll(dir)
			return nil, nil, fmt.Errorf("run %s -m moto.server: %w", py, err)
		}
		exited := make(chan struct{})
		go func() {
			_ = cmd.Wait()
			logf.Close()
			close(exited)
		}()
		kill := func() {
			// Kill by the PID we started; never by name.
			_ = cmd.Process.Kill()
			<-exited
		}
		u := "http://" + addr
		if err := waitReady(u, readyTimeout, exited); err != nil {
			kill()
			last = fmt.Errorf("%w; log tail:\n%s", err, tail(logPath, 2000))
			continue
		}
		var once sync.Once
		stop = func() {
			once.Do(func() {
				kill()
				os.RemoveAll(dir)
			})
		}
		return &Server{URL: u, Addr: addr, Log: logPath}, stop, nil
	}
	os.RemoveAll(dir)
	return nil, nil, last
}

// waitReady polls GET /moto-api/ until it answers.
func waitReady(u string, timeout time.Duration, exited <-chan struct{}) error {
	c := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	for {
		resp, err := c.Get(u + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("moto at %s not ready after %s: %w", u, timeout, err)
		}
		select {
		case <-exited:
			return errors.New("moto exited before it was ready")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(bytes.TrimSpace(b))
}

// LogTail returns the last n bytes of a private server's output, for
// failure messages ("" for a shared server).
func (s *Server) LogTail(n int) string {
	if s.Log == "" {
		return ""
	}
	return tail(s.Log, n)
}

// NewAccount returns a random 12-digit account ID starting with 9 (so it can
// never be moto's default, 123456789012). Random rather than derived from the
// test name: the same test may run twice against one shared server.
func NewAccount(t testing.TB) string {
	n, err := rand.Int(rand.Reader, big.NewInt(1e11))
	if err != nil {
		t.Fatalf("random account id: %v", err)
	}
	return fmt.Sprintf("9%011d", n.Int64())
}

// RoleARN is the role demarc assumes (--role-arn) to land in account: moto's
// AssumeRole returns credentials that belong to the role's account.
func RoleARN(account string) string {
	return "arn:aws:iam::" + account + ":role/" + ScannerRole
}

// Config returns an SDK configuration for region that talks to the server
// as account (sent as x-moto-account-id; "" sends no header). It is built
// literally rather than with config.LoadDefaultConfig so nothing from the
// developer's environment (profiles, AWS_* variables, IMDS) can leak in.
// S3 clients must still set UsePathStyle.
func (s *Server) Config(region, account string) aws.Config {
	return s.ConfigWithKeys(region, account, AccessKey, SecretKey)
}

// ConfigWithKeys is Config signing with the given access key (for tests where
// moto enforces IAM).
func (s *Server) ConfigWithKeys(region, account, accessKey, secretKey string) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(accessKey, secretKey, "")),
		BaseEndpoint: aws.String(s.URL),
		HTTPClient:   s.HTTPClient(account),
	}
}

// HTTPClient returns a client that adds the account header (when account is
// not "") and always dials the server: S3 Control prefixes the account ID to
// the host name, which does not resolve.
func (s *Server) HTTPClient(account string) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, s.Addr)
	}
	var rt http.RoundTripper = tr
	if account != "" {
		rt = accountHeader{account: account, next: tr}
	}
	return &http.Client{Transport: rt, Timeout: 2 * time.Minute}
}

type accountHeader struct {
	account string
	next    http.RoundTripper
}

func (a accountHeader) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("x-moto-account-id", a.account)
	return a.next.RoundTrip(r)
}

// Env returns the environment for a subprocess (the demarc binary) that
// should talk to this server: endpoint, fake static credentials, region,
// and no shared config or IMDS, so a developer's real AWS setup is never
// consulted. Combine with CleanEnviron. The process lands in moto's default
// account unless it assumes a role (RoleARN).
func (s *Server) Env() []string {
	return EnvFor(s.URL, AccessKey, SecretKey)
}

// EnvFor is Env for any endpoint (e.g. a fault-injecting proxy in front of
// the server) and credentials.
func EnvFor(endpoint, accessKey, secretKey string) []string {
	return []string{
		"AWS_ENDPOINT_URL=" + endpoint,
		"AWS_ACCESS_KEY_ID=" + accessKey,
		"AWS_SECRET_ACCESS_KEY=" + secretKey,
		"AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
	}
}

// CleanEnviron returns os.Environ without AWS_* variables: the base to which
// Env is appended for a hermetic subprocess.
func CleanEnviron() []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}
