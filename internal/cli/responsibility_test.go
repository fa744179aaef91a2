package cli

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update-responsibility", false, "rewrite the responsibility golden files")

const exampleSnap = "../../examples/example-misconfigured-account.json.gz"

// The matrix on the shipped example snapshot is pinned by golden files
// (text and JSON). Refresh with: go test ./internal/cli -run TestResponsibilityGolden -update-responsibility
func TestResponsibilityGolden(t *testing.T) {
	t.Chdir(t.TempDir()) // no demarc.yaml from the working tree
	for _, tc := range []struct{ golden, format string }{
		{"responsibility.golden.txt", "table"},
		{"responsibility.golden.json", "json"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			code, out, errs := run(t, "responsibility", "--snapshot", filepath.Join(mustAbs(t, exampleSnap)), "--output", tc.format)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			path := filepath.Join(mustAbs(t, "testdata"), tc.golden)
			if *updateGolden {
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (refresh with -update-responsibility)", err)
			}
			if string(want) != out {
				t.Errorf("matrix changed; review and refresh with -update-responsibility\n%s", out)
			}
		})
	}
}

// Customer layers are never PASS when a rule behind them could not decide.
func TestResponsibilityUnknownIsNotPass(t *testing.T) {
	t.Chdir(t.TempDir())
	code, out, errs := run(t, "responsibility", "--snapshot", mustAbs(t, exampleSnap), "--output", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var m struct {
		Services []struct {
			ID       string `json:"service"`
			Category string `json:"category"`
			Customer []struct {
				Layer  string         `json:"layer"`
				Status string         `json:"status"`
				Counts map[string]int `json:"counts"`
			} `json:"customer_layers"`
		} `json:"services"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Services) < 4 {
		t.Fatalf("only %d services in use", len(m.Services))
	}
	for _, s := range m.Services {
		if s.Category != "infrastructure" && s.Category != "container" && s.Category != "abstracted" {
			t.Errorf("%s: category %q", s.ID, s.Category)
		}
		for _, l := range s.Customer {
			if l.Status == "PASS" && (l.Counts["UNKNOWN"] > 0 || l.Counts["FAIL"] > 0) {
				t.Errorf("%s/%s is PASS with %v", s.ID, l.Layer, l.Counts)
			}
		}
	}
}

// Allowed regions on the e2e account (the example snapshot is generated from
// it): with only eu-west-1 allowed, resources in us-east-1 are reported.
func TestAllowedRegionsOnExample(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("demarc.yaml", []byte("allowed_regions: [eu-west-1]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "scan", "--no-store", "--snapshot", mustAbs(t, exampleSnap), "--output", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Results []struct {
			RuleID string `json:"rule_id"`
			Status string `json:"status"`
			Region string `json:"region"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	fails := 0
	for _, r := range doc.Results {
		if r.RuleID != "region-resources-in-allowed-regions" {
			continue
		}
		if r.Status == "FAIL" {
			fails++
			if r.Region == "eu-west-1" {
				t.Errorf("allowed region reported: %+v", r)
			}
		}
	}
	if fails == 0 {
		t.Fatal("no resource outside the allowed regions reported")
	}
	// Without the configuration the rule does not apply.
	os.Remove(filepath.Join(dir, "demarc.yaml"))
	_, out, _ = run(t, "scan", "--no-store", "--snapshot", mustAbs(t, exampleSnap), "--output", "json")
	if strings.Contains(out, `"rule_id":"region-resources-in-allowed-regions"`) {
		t.Error("region rule ran without allowed_regions")
	}
}

func mustAbs(t *testing.T, rel string) string {
	t.Helper()
	// Tests run in the package directory until they Chdir; resolve against
	// the source location instead.
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if filepath.IsAbs(rel) {
		return rel
	}
	if _, err := os.Stat(filepath.Join(pkgDir, rel)); err == nil {
		return filepath.Join(pkgDir, rel)
	}
	return filepath.Join(wd, rel)
}

var pkgDir = func() string {
	wd, _ := os.Getwd()
	return wd
}()
