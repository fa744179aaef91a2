package e2e

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/testutil/moto"
)

var updateExample = flag.Bool("update-example", false, "regenerate examples/example-misconfigured-account.json.gz from the misconfigured account in moto")

// examplePath is the snapshot shipped for a first look without AWS.
var examplePath = filepath.Join("..", "..", "examples", "example-misconfigured-account.json.gz")

// exampleAccount is AWS's documentation account ID: the example must not
// look like anybody's real account.
const exampleAccount = "111122223333"

// TestExampleSnapshot checks the shipped example snapshot: it loads, scans
// offline, and shows the misconfigurations it was built with. With
// -update-example it first regenerates the file: the misconfigured account
// is built in a private moto server and collected with `demarc collect`, so
// the example is always the output of this e2e setup, never hand-written.
func TestExampleSnapshot(t *testing.T) {
	if *updateExample {
		srv := moto.Start(t, moto.OwnProcess()) // fixed account ID: needs a fresh server
		b := newBuilder(t, srv, exampleAccount)
		buildMisconfigured(b)
		tmp := filepath.Join(t.TempDir(), "example.json.gz")
		r := demarc(t, b.env(), "collect", "-o", tmp, "--region", strings.Join(scanRegions, ","), "--role-arn", moto.RoleARN(exampleAccount))
		if r.Exit != 0 {
			t.Fatalf("demarc collect: exit %d; stderr:\n%s", r.Exit, r.Stderr)
		}
		data, err := os.ReadFile(tmp)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(examplePath, data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", examplePath, len(data))
	}
	if _, err := os.Stat(examplePath); err != nil {
		t.Fatalf("%v (generate it: go test ./test/e2e -run TestExampleSnapshot -update-example)", err)
	}
	// Offline: no endpoint, no credentials.
	offline := []string{"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull}
	r := demarc(t, offline, "scan", "--snapshot", examplePath, "--output", "json")
	if r.Exit != 0 {
		t.Fatalf("scan of the example: exit %d; stderr:\n%s", r.Exit, r.Stderr)
	}
	d := parseScan(t, r)
	if d.AccountID != exampleAccount {
		t.Errorf("example account %q, want %s", d.AccountID, exampleAccount)
	}
	fails := 0
	for _, res := range d.Results {
		if res.Status == "FAIL" {
			fails++
		}
	}
	if fails < 10 {
		t.Errorf("the example shows only %d FAIL results; it should show the misconfigurations", fails)
	}
	for _, c := range misconfiguredKeyFails {
		if got := statusOf(d, c.rule, c.arnPart); !contains(got, "FAIL") {
			t.Errorf("example: %s on %q: %v, want FAIL", c.rule, c.arnPart, got)
		}
	}
	// The README's first command: the table output, and --fail-on.
	if r := demarc(t, offline, "scan", "--snapshot", examplePath); r.Exit != 0 || !strings.Contains(r.Stdout, "FAIL") {
		t.Errorf("table scan of the example: exit %d, FAIL shown: %v; stderr:\n%s", r.Exit, strings.Contains(r.Stdout, "FAIL"), r.Stderr)
	}
	if r := demarc(t, offline, "scan", "--snapshot", examplePath, "--fail-on", "high"); r.Exit != 1 {
		t.Errorf("--fail-on high on the example: exit %d, want 1; stderr:\n%s", r.Exit, r.Stderr)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
