package e2e

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/demarc-sec/demarc/internal/testutil/moto"
)

// faultProxy sits between demarc and moto and fails every nth distinct
// request the first time it is seen, alternating a 500 and a throttling
// error in the wire format of the request's protocol. A retry of the same
// request (same method, URL, target and body) passes, so a client that
// retries completes and one that does not loses data, which the test sees
// as a difference from the fault-free scan. Deterministic: no randomness.
type faultProxy struct {
	rp    *httputil.ReverseProxy
	every int

	mu       sync.Mutex
	seen     map[string]bool
	distinct int
	injected map[string]int // "500 ec2", "throttle iam", …
}

func newFaultProxy(target string, every int) (*faultProxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("parse moto URL: %w", err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	// Keep the incoming Host header (S3 Control's "<account>.host"): moto
	// routes on it and SigV4 signed it.
	return &faultProxy{rp: rp, every: every, seen: map[string]bool{}, injected: map[string]int{}}, nil
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.Sum256(body)
	k := r.Method + " " + r.Host + r.URL.RequestURI() + " " + r.Header.Get("X-Amz-Target") + " " + string(sum[:])
	p.mu.Lock()
	first := !p.seen[k]
	p.seen[k] = true
	inject, kind := false, ""
	if first {
		p.distinct++
		if p.distinct%p.every == 0 {
			inject = true
			kind = "500"
			if (p.distinct/p.every)%2 == 0 {
				kind = "throttle"
			}
		}
	}
	svc := signingService(r)
	if inject {
		p.injected[kind+" "+svc]++
	}
	p.mu.Unlock()
	if !inject {
		p.rp.ServeHTTP(w, r)
		return
	}
	writeFault(w, r, svc, kind == "throttle")
}

// counts returns how many faults of each kind were injected, and in total.
func (p *faultProxy) counts() (byKind map[string]int, total, distinct int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	byKind = map[string]int{}
	for k, n := range p.injected {
		byKind[k] = n
		total += n
	}
	return byKind, total, p.distinct
}

var credScope = regexp.MustCompile(`Credential=[^/]+/[0-9]{8}/[^/]+/([^/]+)/aws4_request`)

// signingService is the service name in the SigV4 credential scope.
func signingService(r *http.Request) string {
	if m := credScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		return m[1]
	}
	return "unknown"
}

// writeFault answers in the error format the request's protocol expects, so
// the SDK parses the code (and decides to retry on it) rather than failing
// on an unreadable body:
// https://smithy.io/2.0/aws/protocols/ (awsQuery, ec2Query, awsJson1_x,
// restJson1, restXml error shapes).
func writeFault(w http.ResponseWriter, r *http.Request, svc string, throttle bool) {
	const msg = "injected by the demarc e2e fault proxy"
	status, code := http.StatusInternalServerError, "InternalFailure"
	switch {
	case r.Header.Get("X-Amz-Target") != "": // awsJson1_0 / 1_1 (CloudTrail, Config, KMS, Logs)
		if throttle {
			status, code = http.StatusBadRequest, "ThrottlingException"
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"__type":%q,"message":%q}`, code, msg)
	case svc == "ec2":
		status, code = http.StatusInternalServerError, "InternalError"
		if throttle {
			status, code = http.StatusServiceUnavailable, "RequestLimitExceeded"
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>fault</RequestID></Response>`, code, msg)
	case svc == "iam" || svc == "sts": // awsQuery
		if throttle {
			status, code = http.StatusBadRequest, "Throttling"
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>fault</RequestId></ErrorResponse>`, code, msg)
	case svc == "s3": // restXml (S3 and S3 Control)
		code = "InternalError"
		if throttle {
			status, code = http.StatusServiceUnavailable, "SlowDown"
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>fault</RequestId></Error>`, code, msg)
	default: // restJson1 (GuardDuty, Security Hub, Macie, Inspector, Access Analyzer)
		if throttle {
			status, code = http.StatusTooManyRequests, "TooManyRequestsException"
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Errortype", code)
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"message":%q}`, msg)
	}
}

// TestFaultInjection scans the misconfigured account through the fault
// proxy: the scan must complete (exit 0) with the same results as the
// fault-free scan, which proves demarc retries 5xx and throttling errors.
func TestFaultInjection(t *testing.T) {
	t.Parallel()
	s := misconfigured(t)
	fp, err := newFaultProxy(s.b.front.URL, 3)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httptest.NewServer(fp)
	defer proxy.Close()

	d := scanJSON(t, moto.EnvFor(proxy.URL, moto.AccessKey, moto.SecretKey), s.role, scanRegions)
	byKind, total, distinct := fp.counts()
	t.Logf("fault proxy: %d distinct requests, %d faults injected: %v", distinct, total, byKind)
	if total < 10 {
		t.Fatalf("only %d faults injected; the test proves nothing", total)
	}
	for _, svc := range []string{"iam", "s3", "ec2"} {
		if byKind["500 "+svc]+byKind["throttle "+svc] == 0 {
			t.Errorf("no fault injected into %s", svc)
		}
	}
	compareFindings(t, "live scan", s.live, "scan through the fault proxy", d)
	if len(d.Coverage.Errors) != len(s.live.Coverage.Errors) {
		t.Errorf("fault scan recorded %d collection errors, fault-free scan %d: %v",
			len(d.Coverage.Errors), len(s.live.Coverage.Errors), d.Coverage.Errors)
	}
}

// compareFindings requires the same (rule, status, resource, region,
// fingerprint, message) multiset in both scans.
func compareFindings(t *testing.T, nameA string, a scanDoc, nameB string, b scanDoc) {
	t.Helper()
	lines := func(d scanDoc) []string {
		out := make([]string, 0, len(d.Results))
		for _, r := range d.Results {
			out = append(out, strings.Join([]string{r.RuleID, r.Status, r.Region, r.ResourceARN, r.Fingerprint, r.Message}, " | "))
		}
		sort.Strings(out)
		return out
	}
	if a.AccountID != b.AccountID {
		t.Errorf("account: %s %s, %s %s", nameA, a.AccountID, nameB, b.AccountID)
	}
	missing, extra := diffMultiset(lines(a), lines(b))
	if len(missing)+len(extra) > 0 {
		t.Errorf("%s and %s differ\nonly in %s:\n  %s\nonly in %s:\n  %s", nameA, nameB,
			nameA, strings.Join(missing, "\n  "), nameB, strings.Join(extra, "\n  "))
	}
	if len(a.Results) == 0 {
		t.Errorf("%s has no results", nameA)
	}
}
