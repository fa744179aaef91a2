package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	modeliam "github.com/demarc-sec/demarc/internal/model/iam"
	"github.com/demarc-sec/demarc/internal/model/organizations"
	"github.com/demarc-sec/demarc/internal/model/s3"
)

var updateIAMGolden = flag.Bool("update-iam-golden", false, "rewrite testdata/iam-simulate*.golden")

// runIAM executes the CLI in-process with the iam command registered (it
// may not be in commands() yet) and returns the exit code and outputs.
func runIAM(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	g := &globalOptions{stdout: &out, stderr: &errb}
	root := newRootCommand(g)
	registered := false
	for _, c := range root.Commands() {
		registered = registered || c.Name() == "iam"
	}
	if !registered {
		root.AddCommand(newIAMCommand(g))
	}
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetIn(strings.NewReader(stdin))
	err := root.ExecuteContext(context.Background())
	code := exitCode(err)
	if err != nil && code != ExitFindings {
		if code == ExitInternal && isCobraUsage(err) {
			code = ExitUsage
		}
		fmt.Fprintf(&errb, "demarc: %s\n", err)
	}
	return code, out.String(), errb.String()
}

// iamExampleRequest is the request of docs/iam-simulate.md.
const iamExampleRequest = `{
  "principal": "arn:aws:iam::111122223333:user/alice",
  "action": "s3:GetObject",
  "resource": "arn:aws:s3:::example-bucket/reports/q1.csv",
  "resource_account": "111122223333",
  "context": {"aws:SourceIp": "203.0.113.7", "aws:SecureTransport": "true"},
  "identity_policies": [
    {"Version": "2012-10-17", "Statement": [
      {"Sid": "ReadReports", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/reports/*",
       "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}
  ],
  "resource_policy": {"Version": "2012-10-17", "Statement": [
    {"Sid": "DenyInsecure", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::example-bucket/*",
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]},
  "permissions_boundary": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]},
  "scps": [
    [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}],
    [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]
  ],
  "rcps": [
    [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}]
  ]
}`

func iamWriteFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// iamSnapshot is an account with a user, a role and a bucket policy.
func iamSnapshot(t *testing.T) string {
	t.Helper()
	s := model.New("111122223333", "aws", []string{"us-east-1"})
	meta := func(arn string) core.Meta { return core.Meta{ARN: arn, Account: "111122223333", Region: "global"} }
	s.IAM.Policies = core.Known([]modeliam.ManagedPolicy{{Meta: meta("arn:aws:iam::111122223333:policy/ReadOnlyS3"), Name: "ReadOnlyS3",
		DefaultVersionID: "v1", Versions: []modeliam.PolicyVersion{{VersionID: "v1", IsDefault: true,
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}`}}}})
	s.IAM.Groups = core.Known([]modeliam.Group{})
	s.IAM.Users = core.Known([]modeliam.User{{Meta: meta("arn:aws:iam::111122223333:user/alice"), Name: "alice",
		AttachedPolicies: []modeliam.AttachedPolicy{{Name: "ReadOnlyS3", ARN: "arn:aws:iam::111122223333:policy/ReadOnlyS3"}}}})
	s.IAM.Roles = core.Known([]modeliam.Role{{Meta: meta("arn:aws:iam::111122223333:role/deploy"), Name: "deploy",
		AssumeRolePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`,
		InlinePolicies:   []modeliam.InlinePolicy{{Name: "s3", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`}}}})
	s.S3.Buckets = core.Known([]s3.Bucket{{Meta: core.Meta{ARN: "arn:aws:s3:::data", Account: "111122223333", Region: "us-east-1"}, Name: "data",
		Policy: core.Known(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::data/*"}]}`)}})
	s.Organizations.Organization = core.Known[*organizations.Organization](nil) // not in an organization
	p := filepath.Join(t.TempDir(), "snap.json.gz")
	if err := model.Save(p, s); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIAMSimulateCLI(t *testing.T) {
	example := iamWriteFile(t, "example.json", iamExampleRequest)
	denyReq := iamWriteFile(t, "deny.json", `{"principal":"arn:aws:iam::111122223333:user/alice","action":"iam:CreateUser","resource":"*",
	  "identity_policies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"NoIAM","Effect":"Deny","Action":"iam:*","Resource":"*"}]}]}`)
	stringPolicy := iamWriteFile(t, "string.json", `{"principal":"arn:aws:sts::111122223333:assumed-role/app/s1","action":"sqs:SendMessage","resource":"arn:aws:sqs:us-east-1:111122223333:q",
	  "identity_policies":["{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sqs:*\",\"Resource\":\"*\"}}"],
	  "session_policy":"{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sqs:ReceiveMessage\",\"Resource\":\"*\"}}"}`)
	scpReq := iamWriteFile(t, "scp.json", `{"principal":"arn:aws:iam::111122223333:user/alice","action":"ec2:RunInstances","resource":"*",
	  "identity_policies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}],
	  "scps":[[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}],[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}]]}`)
	crossReq := iamWriteFile(t, "cross.json", `{"principal":"arn:aws:iam::444455556666:user/bob","action":"s3:GetObject","resource":"arn:aws:s3:::shared/x","resource_account":"111122223333",
	  "context":{"aws:TagKeys":["a","b"],"s3:max-keys":10,"aws:SecureTransport":true},
	  "resource_policy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}]}}`)
	badJSON := iamWriteFile(t, "bad.json", `{"principal": "arn:aws:iam::111122223333:user/alice",`)
	badPolicy := iamWriteFile(t, "badpolicy.json", `{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"*",
	  "identity_policies":[{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Action":"*","Resource":"*"}]}]}`)
	badPrincipal := iamWriteFile(t, "badprincipal.json", `{"principal":"alice","action":"s3:GetObject","resource":"*"}`)
	badLevel := iamWriteFile(t, "badlevel.json", `{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"*","scps":["x"]}`)
	unknownField := iamWriteFile(t, "unknown.json", `{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"*","expected":"Allow"}`)
	snap := iamSnapshot(t)

	for _, tc := range []struct {
		name     string
		args     []string
		stdin    string
		exit     int
		decision string // from --output json, when set
		contains string // in stdout+stderr
	}{
		{name: "example allows", args: []string{"iam", "simulate", "--request", example, "--output", "json"}, exit: ExitOK, decision: "Allow", contains: `"ReadReports"`},
		{name: "explicit deny", args: []string{"iam", "simulate", "--request", denyReq, "--output", "json"}, exit: ExitOK, decision: "ExplicitDeny", contains: `NoIAM`},
		{name: "text output", args: []string{"iam", "simulate", "--request", denyReq}, exit: ExitOK, contains: "ExplicitDeny\n  request: arn:aws:iam::111122223333:user/alice iam:CreateUser on *"},
		{name: "stdin", args: []string{"iam", "simulate", "--request", "-", "--output", "json"}, stdin: iamExampleRequest, exit: ExitOK, decision: "Allow"},
		{name: "policies as JSON strings, session policy limits", args: []string{"iam", "simulate", "--request", stringPolicy, "--output", "json"}, exit: ExitOK, decision: "ImplicitDeny", contains: "session policy does not allow"},
		{name: "SCP level without allow", args: []string{"iam", "simulate", "--request", scpReq, "--output", "json"}, exit: ExitOK, decision: "ImplicitDeny", contains: "no SCP at level 1 (account) allows"},
		{name: "cross-account needs identity policy", args: []string{"iam", "simulate", "--request", crossReq, "--output", "json"}, exit: ExitOK, decision: "ImplicitDeny", contains: `"cross_account": true`},
		{name: "unknown field warns", args: []string{"iam", "simulate", "--request", unknownField, "--output", "json"}, exit: ExitOK, decision: "ImplicitDeny", contains: `unknown field \"expected\" ignored`},
		{name: "malformed request JSON", args: []string{"iam", "simulate", "--request", badJSON}, exit: ExitInput, contains: "invalid JSON"},
		{name: "malformed policy", args: []string{"iam", "simulate", "--request", badPolicy}, exit: ExitInput, contains: `identity_policies[0]: parse policy: statement 0: unknown Effect "Permit"`},
		{name: "bad principal", args: []string{"iam", "simulate", "--request", badPrincipal}, exit: ExitInput, contains: `principal "alice"`},
		{name: "bad SCP level", args: []string{"iam", "simulate", "--request", badLevel}, exit: ExitInput, contains: "scps[0]: a level is a list"},
		{name: "missing request file", args: []string{"iam", "simulate", "--request", "/nonexistent/req.json"}, exit: ExitInput, contains: "no such file"},
		{name: "request and snapshot", args: []string{"iam", "simulate", "--request", example, "--snapshot", snap}, exit: ExitUsage, contains: "exclusive"},
		{name: "request with principal flag", args: []string{"iam", "simulate", "--request", example, "--principal", "x"}, exit: ExitUsage, contains: "go with --snapshot"},
		{name: "no mode", args: []string{"iam", "simulate"}, exit: ExitUsage, contains: "give --request FILE"},
		{name: "bad output", args: []string{"iam", "simulate", "--request", example, "--output", "xml"}, exit: ExitUsage, contains: "want text or json"},
		{name: "unknown flag", args: []string{"iam", "simulate", "--nope"}, exit: ExitUsage, contains: "unknown flag"},
		{name: "stray argument", args: []string{"iam", "simulate", "extra"}, exit: ExitUsage, contains: "unknown command"},
		{name: "snapshot needs action", args: []string{"iam", "simulate", "--snapshot", snap, "--principal", "arn:aws:iam::111122223333:user/alice", "--resource", "*"}, exit: ExitUsage, contains: "needs --principal, --action and --resource"},
		{name: "snapshot bad context", args: []string{"iam", "simulate", "--snapshot", snap, "--principal", "arn:aws:iam::111122223333:user/alice", "--action", "s3:GetObject", "--resource", "*", "--context", "novalue"}, exit: ExitUsage, contains: "want key=value"},
		{name: "snapshot allow with context", args: []string{"iam", "simulate", "--snapshot", snap, "--principal", "arn:aws:iam::111122223333:user/alice", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::data/k", "--context", "aws:SourceIp=203.0.113.9", "--output", "json"}, exit: ExitOK, decision: "Allow", contains: `"complete": true`},
		{name: "snapshot condition fails", args: []string{"iam", "simulate", "--snapshot", snap, "--principal", "arn:aws:iam::111122223333:user/alice", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::data/k", "--context", "aws:SourceIp=198.51.100.1", "--output", "json"}, exit: ExitOK, decision: "ImplicitDeny"},
		{name: "snapshot bucket policy deny", args: []string{"iam", "simulate", "--snapshot", snap, "--principal", "arn:aws:sts::111122223333:assumed-role/deploy/ci", "--action", "s3:DeleteObject", "--resource", "arn:aws:s3:::data/k", "--output", "json"}, exit: ExitOK, decision: "ExplicitDeny", contains: "bucket policy of arn:aws:s3:::data"},
		{name: "snapshot trust policy", args: []string{"iam", "simulate", "--snapshot", snap, "--principal", "arn:aws:iam::111122223333:user/alice", "--action", "sts:AssumeRole", "--resource", "arn:aws:iam::111122223333:role/deploy", "--output", "json"}, exit: ExitOK, decision: "ImplicitDeny", contains: "delegates to identity-based policies"},
		{name: "snapshot unknown resource", args: []string{"iam", "simulate", "--snapshot", snap, "--principal", "arn:aws:sts::111122223333:assumed-role/deploy/ci", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::other/k"}, exit: ExitOK, contains: "UNKNOWN: resource arn:aws:s3:::other/k is not in the snapshot"},
		{name: "snapshot principal not found", args: []string{"iam", "simulate", "--snapshot", snap, "--principal", "arn:aws:iam::111122223333:user/nobody", "--action", "s3:GetObject", "--resource", "*"}, exit: ExitInput, contains: "not in the snapshot"},
		{name: "snapshot missing", args: []string{"iam", "simulate", "--snapshot", "/nonexistent/s.json.gz", "--principal", "arn:aws:iam::111122223333:user/alice", "--action", "s3:GetObject", "--resource", "*"}, exit: ExitInput, contains: "no such file"},
		{name: "iam help", args: []string{"iam"}, exit: ExitOK, contains: "simulate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runIAM(t, tc.stdin, tc.args...)
			if code != tc.exit {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.exit, out, errs)
			}
			if !strings.Contains(out+errs, tc.contains) {
				t.Errorf("output lacks %q\nstdout: %s\nstderr: %s", tc.contains, out, errs)
			}
			if tc.decision != "" {
				var doc struct {
					Decision    string `json:"decision"`
					Explanation string `json:"explanation"`
				}
				if err := json.Unmarshal([]byte(out), &doc); err != nil {
					t.Fatalf("not JSON: %v\n%s", err, out)
				}
				if doc.Decision != tc.decision || doc.Explanation == "" {
					t.Errorf("decision %q (%q), want %q", doc.Decision, doc.Explanation, tc.decision)
				}
			}
			if code != ExitOK && out != "" {
				t.Errorf("stdout not empty on error: %s", out)
			}
		})
	}
}

// TestIAMSimulateGolden pins the JSON and text answers for the documented
// example request.
func TestIAMSimulateGolden(t *testing.T) {
	example := iamWriteFile(t, "example.json", iamExampleRequest)
	for _, tc := range []struct{ output, golden string }{
		{"json", "testdata/iam-simulate.json.golden"},
		{"text", "testdata/iam-simulate.txt.golden"},
	} {
		code, out, errs := runIAM(t, "", "iam", "simulate", "--request", example, "--output", tc.output)
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, errs)
		}
		if *updateIAMGolden {
			if err := os.WriteFile(tc.golden, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(tc.golden)
		if err != nil {
			t.Fatalf("%v (run with -update-iam-golden)", err)
		}
		if out != string(want) {
			t.Errorf("%s output differs from %s:\n%s", tc.output, tc.golden, out)
		}
	}
}
