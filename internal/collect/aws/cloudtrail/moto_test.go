package cloudtrail

// Fault injection for the moto-backed tests: moto itself comes from
// internal/testutil/moto.

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// faultClient sends requests through inner (moto, as one account) unless
// fault answers them first.
type faultClient struct {
	inner *http.Client
	fault func(r *http.Request, body []byte) *http.Response
}

func (c *faultClient) Do(r *http.Request) (*http.Response, error) {
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
	// (the fault-injecting one); moto is plain http.
	t.Setenv("AWS_CA_BUNDLE", "")
}
