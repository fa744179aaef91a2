package cli

import (
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"
)

var updateIAMQueryGolden = flag.Bool("update-iam-query-golden", false, "rewrite testdata/iam-who-can*.golden and iam-permissions*.golden")

const exampleSnapshot = "../../examples/example-misconfigured-account.json.gz"

// TestIAMWhoCanAndPermissionsCLI runs both commands end to end on a snapshot
// built with the model types and on the example snapshot (collected from
// moto by the e2e setup).
func TestIAMWhoCanAndPermissionsCLI(t *testing.T) {
	snap := iamSnapshot(t)
	alice := "arn:aws:iam::111122223333:user/alice"
	deploy := "arn:aws:iam::111122223333:role/deploy"
	for _, tc := range []struct {
		name     string
		args     []string
		exit     int
		contains string
	}{
		{"who-can json", []string{"iam", "who-can", "--snapshot", snap, "s3:GetObject", "arn:aws:s3:::data/k", "--output", "json"}, ExitOK, `"principal": "arn:aws:iam::111122223333:role/deploy"`},
		{"who-can conditional", []string{"iam", "who-can", "--snapshot", snap, "s3:GetObject", "arn:aws:s3:::data/k"}, ExitOK, alice + "  User  via identity  CONDITIONAL on aws:SourceIp"},
		{"who-can context decides", []string{"iam", "who-can", "--snapshot", snap, "s3:GetObject", "arn:aws:s3:::data/k", "--context", "aws:SourceIp=198.51.100.1"}, ExitOK, "2 principal(s) allowed"},
		{"who-can explicit deny", []string{"iam", "who-can", "--snapshot", snap, "s3:DeleteObject", "arn:aws:s3:::data/k"}, ExitOK, "0 principal(s) allowed"},
		{"who-can trust policy", []string{"iam", "who-can", "--snapshot", snap, "sts:AssumeRole", deploy}, ExitOK, "0 principal(s) allowed (3 evaluated)"},
		{"who-can example public bucket", []string{"iam", "who-can", "--snapshot", exampleSnapshot, "s3:GetObject", "arn:aws:s3:::public-111122223333/index.html"}, ExitOK, "anonymous  Anonymous  via resource  (outside the snapshot)"},
		{"who-can needs two args", []string{"iam", "who-can", "--snapshot", snap, "s3:GetObject"}, ExitUsage, "want ACTION and RESOURCE"},
		{"who-can needs snapshot", []string{"iam", "who-can", "s3:GetObject", "*"}, ExitUsage, "--snapshot is required"},
		{"who-can wildcard action", []string{"iam", "who-can", "--snapshot", snap, "s3:*", "*"}, ExitUsage, "without wildcards"},
		{"who-can bad output", []string{"iam", "who-can", "--snapshot", snap, "s3:GetObject", "*", "--output", "xml"}, ExitUsage, "want text or json"},
		{"who-can missing snapshot", []string{"iam", "who-can", "--snapshot", "/nonexistent.json.gz", "s3:GetObject", "*"}, ExitInput, "no such file"},
		{"permissions text", []string{"iam", "permissions", "--snapshot", snap, deploy}, ExitOK, "admin-equivalent: no"},
		{"permissions actions", []string{"iam", "permissions", "--snapshot", snap, alice, "--actions"}, ExitOK, "s3:GetObject  Read  if aws:SourceIp"},
		{"permissions json", []string{"iam", "permissions", "--snapshot", snap, alice, "--output", "json"}, ExitOK, `"conditions": [`},
		{"permissions example admin", []string{"iam", "permissions", "--snapshot", exampleSnapshot, "arn:aws:iam::111122223333:user/admin"}, ExitOK, "admin-equivalent: YES (all-actions)"},
		{"permissions unknown principal", []string{"iam", "permissions", "--snapshot", snap, "arn:aws:iam::111122223333:user/nobody"}, ExitInput, "not in the snapshot"},
		{"permissions other account", []string{"iam", "permissions", "--snapshot", snap, "arn:aws:iam::444455556666:user/x"}, ExitInput, "belongs to account 444455556666"},
		{"permissions no arg", []string{"iam", "permissions", "--snapshot", snap}, ExitUsage, "want one principal ARN"},
		{"permissions bad days", []string{"iam", "permissions", "--snapshot", snap, alice, "--unused-days", "0"}, ExitUsage, "positive number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runIAM(t, "", tc.args...)
			if code != tc.exit {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.exit, out, errs)
			}
			if !strings.Contains(out+errs, tc.contains) {
				t.Errorf("output lacks %q\nstdout: %s\nstderr: %s", tc.contains, out, errs)
			}
			if code != ExitOK && out != "" {
				t.Errorf("stdout not empty on error: %s", out)
			}
		})
	}
}

// The JSON answers carry the documented fields.
func TestIAMWhoCanJSONShape(t *testing.T) {
	code, out, errs := runIAM(t, "", "iam", "who-can", "--snapshot", exampleSnapshot, "s3:GetObject", "arn:aws:s3:::public-111122223333/x", "--output", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Action     string `json:"action"`
		Resource   string `json:"resource"`
		Principals []struct {
			Principal string `json:"principal"`
			Type      string `json:"type"`
			Decision  string `json:"decision"`
			GrantedBy []struct {
				Kind   string `json:"policy_kind"`
				Policy string `json:"policy"`
				Index  int    `json:"statement_index"`
				Sid    string `json:"sid"`
			} `json:"granted_by"`
			Via string `json:"via"`
		} `json:"principals"`
		Unknowns []string `json:"unknowns"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if doc.Action != "s3:GetObject" || doc.Unknowns == nil {
		t.Fatalf("%+v", doc)
	}
	found := false
	for _, p := range doc.Principals {
		if p.Decision != "Allow" || p.Via == "" {
			t.Errorf("%+v", p)
		}
		if p.Principal == "anonymous" {
			found = true
			if p.Via != "resource" || len(p.GrantedBy) != 1 || p.GrantedBy[0].Sid != "PublicRead" || p.GrantedBy[0].Kind != "resource" {
				t.Errorf("anonymous: %+v", p)
			}
		}
	}
	if !found {
		t.Errorf("anonymous missing: %s", out)
	}
}

// TestIAMQueryGolden pins who-can and permissions answers on the model-built
// snapshot.
func TestIAMQueryGolden(t *testing.T) {
	snap := iamSnapshot(t)
	for _, tc := range []struct {
		args   []string
		golden string
	}{
		{[]string{"iam", "who-can", "--snapshot", snap, "s3:GetObject", "arn:aws:s3:::data/k", "--output", "json"}, "testdata/iam-who-can.json.golden"},
		{[]string{"iam", "who-can", "--snapshot", snap, "s3:GetObject", "arn:aws:s3:::data/k"}, "testdata/iam-who-can.txt.golden"},
		{[]string{"iam", "permissions", "--snapshot", snap, "arn:aws:iam::111122223333:role/deploy"}, "testdata/iam-permissions.txt.golden"},
	} {
		code, out, errs := runIAM(t, "", tc.args...)
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, errs)
		}
		if *updateIAMQueryGolden {
			if err := os.WriteFile(tc.golden, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(tc.golden)
		if err != nil {
			t.Fatalf("%v (run with -update-iam-query-golden)", err)
		}
		if out != string(want) {
			t.Errorf("output differs from %s:\n%s", tc.golden, out)
		}
	}
}
