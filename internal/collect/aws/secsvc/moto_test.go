package secsvc

// Test-local moto harness: starts the AWS emulator (see
// /work/shared/moto/README.md) on a free loopback port, stops it by PID.
// Kept in the package on purpose; a project-wide harness can replace it.

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// motoPython finds an interpreter that can import moto's server.
func motoPython() string {
	cands := []string{"python3"}
	if home, err := os.UserHomeDir(); err == nil {
		cands = append(cands, filepath.Join(home, ".pyenv", "versions", "3.11.7", "bin", "python"))
	}
	for _, c := range cands {
		if exec.Command(c, "-c", "import moto.server, flask, flask_cors").Run() == nil {
			return c
		}
	}
	return ""
}

// startMoto starts a moto server for the test and returns its URL.
func startMoto(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("moto tests skipped in -short mode")
	}
	py := motoPython()
	if py == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("python3 with moto is required in CI (see /work/shared/moto/README.md)")
		}
		t.Skip("python3 with moto not available")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	cmd := exec.Command(py, "-m", "moto.server", "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start moto: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("moto log tail:\n%s", tail(logs.String(), 4000))
		}
	})
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url + "/moto-api/")
		if err == nil {
			_ = resp.Body.Close()
			return url
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto did not start: %v\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// newAccountID returns a random 12-digit account, so each test has its own
// state in one moto server.
func newAccountID(t *testing.T) string {
	n, err := rand.Int(rand.Reader, big.NewInt(9e11))
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%012d", n.Int64()+1e11)
}

// motoClient is the HTTP client for the code under test: it selects the moto
// account with x-moto-account-id and can inject faults per request.
type motoClient struct {
	account string
	inner   *http.Client
	// fault, when set, may answer a request instead of moto.
	fault func(r *http.Request, body []byte) *http.Response
}

func (c *motoClient) Do(r *http.Request) (*http.Response, error) {
	r.Header.Set("x-moto-account-id", c.account)
	if c.fault != nil {
		var body []byte
		if r.Body != nil {
			b, err := io.ReadAll(r.Body)
			if err != nil {
				return nil, err
			}
			body = b
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		if resp := c.fault(r, body); resp != nil {
			resp.Request = r
			return resp, nil
		}
	}
	return c.inner.Do(r)
}

// fakeResponse builds an HTTP response for a fault.
func fakeResponse(status int, contentType, body string, hdr map[string]string) *http.Response {
	h := http.Header{}
	h.Set("Content-Type", contentType)
	for k, v := range hdr {
		h.Set(k, v)
	}
	return &http.Response{
		StatusCode:    status,
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Header:        h,
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Proto:         "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}
}

// setupConfig is an SDK configuration for building fixtures in moto: not
// demarc's Env (whose read-only guard refuses Create* calls).
func setupConfig(t *testing.T, url, account, region string) sdk.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion(region),
		config.WithBaseEndpoint(url),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("testing", "testing", "")),
		config.WithAPIOptions([]func(*middleware.Stack) error{func(s *middleware.Stack) error {
			return s.Build.Add(middleware.BuildMiddlewareFunc("motoAccount",
				func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
					if req, ok := in.Request.(*smithyhttp.Request); ok {
						req.Header.Set("x-moto-account-id", account)
					}
					return next.HandleBuild(ctx, in)
				}), middleware.After)
		}}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// isolateAWSEnv keeps the developer's AWS configuration out of the test.
func isolateAWSEnv(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_DEFAULT_REGION", "us-east-1")
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	// The SDK refuses a custom CA bundle together with a custom HTTP client
	// (the fault-injecting one); moto is plain http anyway.
	t.Setenv("AWS_CA_BUNDLE", "")
}
