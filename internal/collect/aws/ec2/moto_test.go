package ec2

// Fault injection for the moto tests: the server itself comes from
// internal/testutil/moto (through kittest); this client sits in front of it
// and can answer a request instead of moto (e.g. UnauthorizedOperation).

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// faultClient is the HTTP client for the code under test: inner talks to
// moto as the test's account; fault, when set, may answer a request instead.
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
