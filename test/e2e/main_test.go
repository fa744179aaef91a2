package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/testutil/moto"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// demarcBin is the binary built once by TestMain: the tests run the real
// command, as a user would.
var demarcBin string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "demarc-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: temp dir:", err)
		os.Exit(1)
	}
	demarcBin = filepath.Join(dir, "demarc")
	// Scans record into the findings store: keep it out of the user's home.
	os.Setenv("DEMARC_DB", filepath.Join(dir, "store.db"))
	os.Setenv("XDG_DATA_HOME", dir)
	if bin := os.Getenv("DEMARC_E2E_BIN"); bin != "" {
		// A binary built elsewhere (e.g. by CI with -race or coverage).
		demarcBin = bin
	} else {
		start := time.Now()
		build := exec.Command(goTool(), "build", "-o", demarcBin, "github.com/demarc-sec/demarc/cmd/demarc")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: go build ./cmd/demarc:", err)
			os.RemoveAll(dir)
			os.Exit(1)
		}
		if testing.Verbose() {
			fmt.Fprintf(os.Stderr, "e2e: built %s in %s\n", demarcBin, time.Since(start).Round(time.Millisecond))
		}
	}
	// One moto server for the package's tests, unless the caller already
	// runs one (MOTO_URL, e.g. from scripts/moto.sh) or moto is missing (then
	// moto.Start skips or fails each test). Tests isolate by account.
	stopMoto := func() {}
	if os.Getenv("MOTO_URL") == "" {
		if srv, stop, err := moto.Launch(); err == nil {
			os.Setenv("MOTO_URL", srv.URL)
			stopMoto = stop
		} else if testing.Verbose() {
			fmt.Fprintln(os.Stderr, "e2e: no shared moto server:", err)
		}
	}
	code := m.Run()
	stopMoto()
	os.RemoveAll(dir)
	os.Exit(code)
}

// goTool is the go command that runs this test (GOROOT/bin/go), falling
// back to the one on PATH.
func goTool() string {
	if root := os.Getenv("GOROOT"); root != "" {
		if p := filepath.Join(root, "bin", "go"); fileExists(p) {
			return p
		}
	}
	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		if p := filepath.Join(strings.TrimSpace(string(out)), "bin", "go"); fileExists(p) {
			return p
		}
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// run is one invocation of the demarc binary.
type run struct {
	Stdout, Stderr string
	Exit           int
	Took           time.Duration
}

// demarc runs the binary with env appended to a clean environment (no AWS_*
// variables from the developer's shell).
func demarc(t testing.TB, env []string, args ...string) run {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, demarcBin, args...)
	cmd.Env = append(append(moto.CleanEnviron(), "NO_COLOR=1"), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := run{Stdout: out.String(), Stderr: errb.String(), Took: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.Exit = ee.ExitCode()
	default:
		t.Fatalf("run demarc %s: %v", strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		t.Fatalf("demarc %s timed out; stderr:\n%s", strings.Join(args, " "), r.Stderr)
	}
	t.Logf("demarc %s: exit %d in %s", strings.Join(args, " "), r.Exit, r.Took.Round(time.Millisecond))
	return r
}

// scanDoc is the part of `demarc scan --output json` the tests read
// (docs/json-output.md).
type scanDoc struct {
	SchemaVersion int      `json:"schema_version"`
	AccountID     string   `json:"account_id"`
	Regions       []string `json:"regions"`
	Partial       bool     `json:"partial"`
	Summary       any      `json:"summary"`
	Coverage      struct {
		Errors []map[string]any `json:"errors"`
	} `json:"coverage"`
	Results []result `json:"results"`
}

type result struct {
	RuleID      string              `json:"rule_id"`
	Title       string              `json:"title"`
	Service     string              `json:"service"`
	Status      string              `json:"status"`
	Severity    string              `json:"severity"`
	ResourceARN string              `json:"resource_arn"`
	Region      string              `json:"region"`
	AccountID   string              `json:"account_id"`
	Frameworks  map[string][]string `json:"frameworks"`
	Message     string              `json:"message"`
	Fingerprint string              `json:"fingerprint"`
}

func parseScan(t testing.TB, r run) scanDoc {
	t.Helper()
	var d scanDoc
	if err := json.Unmarshal([]byte(r.Stdout), &d); err != nil {
		t.Fatalf("scan output is not JSON (%v); exit %d; stderr:\n%s\nstdout head:\n%.2000s", err, r.Exit, r.Stderr, r.Stdout)
	}
	if d.SchemaVersion < 1 {
		t.Fatalf("scan JSON has no schema_version")
	}
	for _, res := range d.Results {
		if res.RuleID == "" || res.Status == "" || res.Fingerprint == "" {
			t.Fatalf("result without rule_id/status/fingerprint: %+v", res)
		}
	}
	return d
}

// scanJSON runs a live scan of the account behind env (through --role-arn
// when role is set) and parses it. Exit 0 is required: no --fail-on.
func scanJSON(t testing.TB, env []string, role string, regions []string, extra ...string) scanDoc {
	t.Helper()
	args := []string{"scan", "--region", strings.Join(regions, ","), "--output", "json"}
	if role != "" {
		args = append(args, "--role-arn", role)
	}
	args = append(args, extra...)
	if os.Getenv("DEMARC_E2E_DUMP") != "" {
		args = append(args, "--verbose")
	}
	r := demarc(t, env, args...)
	if r.Exit != 0 {
		t.Fatalf("demarc scan: exit %d; stderr:\n%s", r.Exit, r.Stderr)
	}
	dump(t, "scan", r.Stdout)
	dump(t, "scan-stderr", r.Stderr)
	return parseScan(t, r)
}

// dump writes data to $DEMARC_E2E_DUMP/<test>-<what>.json when that
// variable names a directory: a way to read full scan output (messages,
// coverage errors) while debugging a golden difference.
func dump(t testing.TB, what, data string) {
	dir := os.Getenv("DEMARC_E2E_DUMP")
	if dir == "" {
		return
	}
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()) + "-" + what
	if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
		t.Logf("dump %s: %v", name, err)
	}
}

// key is one result's identity for set comparisons.
type key struct{ RuleID, Status, ResourceARN, Region string }

func (k key) String() string { return k.RuleID + " " + k.Status + " " + k.Region + " " + k.ResourceARN }

// statusOf returns the statuses reported by rule for resources whose ARN
// contains arnPart ("" matches all).
func statusOf(d scanDoc, rule, arnPart string) []string {
	set := map[string]bool{}
	for _, r := range d.Results {
		if r.RuleID == rule && strings.Contains(r.ResourceARN, arnPart) {
			set[r.Status] = true
		}
	}
	var out []string
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// goldenLines renders a scan as sorted "rule STATUS region resource" lines,
// normalized with the builder's names; duplicates are kept (a multiset).
func goldenLines(b *builder, d scanDoc) []string {
	lines := make([]string, 0, len(d.Results))
	for _, r := range d.Results {
		lines = append(lines, b.normalize(fmt.Sprintf("%-40s %-7s %-9s %s", r.RuleID, r.Status, r.Region, r.ResourceARN)))
	}
	sort.Strings(lines)
	return lines
}

// checkGolden compares lines with testdata/name, or rewrites it with
// -update. header is written as comment lines at the top of the file.
func checkGolden(t testing.TB, name, header string, lines []string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	var body strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(header), "\n") {
		body.WriteString("# " + l + "\n")
	}
	for _, l := range lines {
		body.WriteString(strings.TrimRight(l, " ") + "\n")
	}
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d results)", path, len(lines))
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden %s: %v (run: go test ./test/e2e -run %s -update)", path, err, t.Name())
	}
	var wantLines []string
	for _, l := range strings.Split(string(want), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		wantLines = append(wantLines, l)
	}
	got := make([]string, len(lines))
	for i, l := range lines {
		got[i] = strings.TrimRight(l, " ")
	}
	if missing, extra := diffMultiset(wantLines, got); len(missing)+len(extra) > 0 {
		t.Errorf("results differ from %s (rerun with -update if the change is intended)\nmissing (want, not got):\n  %s\nextra (got, not want):\n  %s",
			path, strings.Join(missing, "\n  "), strings.Join(extra, "\n  "))
	}
}

func diffMultiset(want, got []string) (missing, extra []string) {
	count := map[string]int{}
	for _, w := range want {
		count[w]++
	}
	for _, g := range got {
		count[g]--
	}
	for l, n := range count {
		for ; n > 0; n-- {
			missing = append(missing, l)
		}
		for ; n < 0; n++ {
			extra = append(extra, l)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	return missing, extra
}

// genericID matches the random IDs EC2 and others generate, for any the
// builder did not name.
var genericID = regexp.MustCompile(`\b(vpc|subnet|sg|sgr|acl|rtb|igw|i|vol|snap|eni|fl|nat|eipalloc|ami|aclassoc|rtbassoc)-[0-9a-f]{8,17}\b`)

// genericUUID matches other random IDs (KMS keys moto creates itself, e.g.
// for EBS default encryption).
var genericUUID = regexp.MustCompile(`\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
