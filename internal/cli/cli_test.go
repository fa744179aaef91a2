package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/s3"
)

// run executes the CLI in-process and returns the exit code and outputs.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), append([]string{"demarc"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// testSnapshot writes a small snapshot with a root access key (a critical
// FAIL) and a bucket whose name carries terminal escapes.
func testSnapshot(t *testing.T) string {
	t.Helper()
	s := model.New("123456789012", "aws", []string{"us-east-1"})
	s.CollectedAt = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	s.IAM.Summary = core.Known(map[string]int32{"AccountAccessKeysPresent": 1, "AccountMFAEnabled": 0})
	evil := "evil\x1b[31m\nbucket<script>"
	s.S3.Buckets = core.Known([]s3.Bucket{{
		Meta: core.Meta{ARN: "arn:aws:s3:::" + evil, Account: "123456789012", Region: "us-east-1",
			Tags: map[string]string{"x": "\x1b]0;pwned\x07"}},
		Name: evil,
	}})
	p := filepath.Join(t.TempDir(), "snap.json.gz")
	if err := model.Save(p, s); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeGz(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.json.gz")
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(body))
	zw.Close()
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCLI(t *testing.T) {
	snap := testSnapshot(t)
	corrupt := filepath.Join(t.TempDir(), "corrupt.json.gz")
	os.WriteFile(corrupt, []byte("\x1f\x8bnot really gzip"), 0o644)
	newer := writeGz(t, `{"schema_version": 999, "account_id": "1"}`)
	truncated := writeGz(t, `{"schema_version": 1, "account_id": "1", "iam": {`)

	for _, tc := range []struct {
		name     string
		args     []string
		exit     int
		contains string // in stdout+stderr
	}{
		{"version", []string{"version"}, ExitOK, "demarc"},
		{"unknown command", []string{"frobnicate"}, ExitUsage, "unknown command"},
		{"unknown flag", []string{"scan", "--nope"}, ExitUsage, "unknown flag"},
		{"bad output", []string{"scan", "--snapshot", snap, "--output", "xml"}, ExitUsage, "unknown output format"},
		{"bad fail-on", []string{"scan", "--snapshot", snap, "--fail-on", "urgent"}, ExitUsage, "unknown severity"},
		{"missing snapshot", []string{"scan", "--snapshot", "/nonexistent/x.json.gz"}, ExitInput, "no such file"},
		{"corrupt snapshot", []string{"scan", "--snapshot", corrupt}, ExitInput, "corrupt"},
		{"truncated snapshot", []string{"scan", "--snapshot", truncated}, ExitInput, "corrupt"},
		{"newer snapshot", []string{"scan", "--snapshot", newer}, ExitInput, "newer demarc"},
		{"scan ok", []string{"scan", "--snapshot", snap}, ExitOK, "iam-root-access-keys"},
		{"fail-on critical", []string{"scan", "--snapshot", snap, "--fail-on", "critical"}, ExitFindings, "FAIL"},
		{"framework table", []string{"scan", "--snapshot", snap, "--framework", "cis-aws-5.0"}, ExitOK, "CIS Amazon Web Services Foundations Benchmark"},
		{"bad framework", []string{"scan", "--snapshot", snap, "--framework", "nist"}, ExitUsage, "unknown framework"},
		{"rules", []string{"rules"}, ExitOK, "iam-root-access-keys"},
		{"rules cis", []string{"rules", "--framework", "cis-aws-5.0"}, ExitOK, "63 controls"},
		{"rules show", []string{"rules", "show", "iam-root-access-keys"}, ExitOK, "Remediation"},
		{"rules show unknown", []string{"rules", "show", "nope"}, ExitUsage, "no rule"},
		{"responsibility", []string{"responsibility", "--snapshot", snap}, ExitOK, "Shared responsibility"},
		{"collect needs -o", []string{"collect"}, ExitUsage, "-o FILE is required"},
		{"external-id without role", []string{"scan", "--external-id", "x"}, ExitUsage, "--external-id needs --role-arn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(t, tc.args...)
			if code != tc.exit {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.exit, out, errs)
			}
			if !strings.Contains(out+errs, tc.contains) {
				t.Errorf("output lacks %q\nstdout: %s\nstderr: %s", tc.contains, out, errs)
			}
		})
	}
}

func TestScanJSONContract(t *testing.T) {
	code, out, errs := run(t, "scan", "--snapshot", testSnapshot(t), "--output", "json", "--framework", "aws-fsbp")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"schema_version", "account_id", "summary", "coverage", "results", "frameworks", "responsibility"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("missing top-level %q", k)
		}
	}
	results, _ := doc["results"].([]any)
	if len(results) == 0 {
		t.Fatal("no results")
	}
	for _, r := range results {
		m := r.(map[string]any)
		for _, k := range []string{"rule_id", "status", "severity", "resource_arn", "region", "account_id", "frameworks", "message", "fingerprint"} {
			if _, ok := m[k]; !ok {
				t.Errorf("result lacks %q: %v", k, m)
			}
		}
	}
}

// Hostile resource names must not reach the terminal as control sequences.
func TestTableIsInert(t *testing.T) {
	_, out, _ := run(t, "scan", "--snapshot", testSnapshot(t), "--show-pass")
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("raw escape sequence in table output:\n%q", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "bucket<script>") {
			t.Errorf("a newline in a resource name split the table: %q", line)
		}
	}
}
