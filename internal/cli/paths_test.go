package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	modeliam "github.com/demarc-sec/demarc/internal/model/iam"
	"github.com/demarc-sec/demarc/internal/model/organizations"
)

// runPathsCLI executes `demarc iam paths …` in-process. The paths command
// is attached to the iam command here when the build does not attach it.
func runPathsCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	g := &globalOptions{stdout: &out, stderr: &errb}
	root := newRootCommand(g)
	var iamCmd *cobra.Command
	for _, c := range root.Commands() {
		if c.Name() == "iam" {
			iamCmd = c
		}
	}
	if iamCmd == nil {
		iamCmd = newIAMCommand(g)
		root.AddCommand(iamCmd)
	}
	has := false
	for _, c := range iamCmd.Commands() {
		has = has || c.Name() == "paths"
	}
	if !has {
		iamCmd.AddCommand(newPathsCommand(g))
	}
	root.SetArgs(append([]string{"iam", "paths"}, args...))
	root.SetOut(&out)
	root.SetErr(&errb)
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

const pathsAcct = "111122223333"

func pathsARN(kind, name string) string { return "arn:aws:iam::" + pathsAcct + ":" + kind + "/" + name }

// pathsSnapshot: alice can assume "dev", which can put an inline policy on
// itself; bob can create an access key for carol, an admin; "admin" is an
// admin role nobody can assume; dave has no path.
func pathsSnapshot(t *testing.T) string {
	t.Helper()
	s := model.New(pathsAcct, "aws", []string{"us-east-1"})
	s.CollectedAt = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	meta := func(arn string) core.Meta { return core.Meta{ARN: arn, Account: pathsAcct, Region: core.GlobalRegion} }
	user := func(name, doc string) modeliam.User {
		return modeliam.User{Meta: meta(pathsARN("user", name)), Name: name, Path: "/",
			InlinePolicies: []modeliam.InlinePolicy{{Name: "p", Document: doc}},
			LoginProfile:   core.Known(true), MFADevices: core.Known([]modeliam.MFADevice{}), AccessKeys: core.Known([]modeliam.AccessKey{})}
	}
	admin := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	s.IAM.Users = core.Known([]modeliam.User{
		user("alice", `{"Version":"2012-10-17","Statement":[{"Sid":"AssumeDev","Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+pathsARN("role", "dev")+`"}]}`),
		user("bob", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"`+pathsARN("user", "carol")+`"}]}`),
		user("carol", admin),
		user("dave", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`),
	})
	s.IAM.Roles = core.Known([]modeliam.Role{
		{Meta: meta(pathsARN("role", "dev")), Name: "dev", Path: "/",
			AssumeRolePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + pathsAcct + `:root"},"Action":"sts:AssumeRole"}]}`,
			InlinePolicies:   []modeliam.InlinePolicy{{Name: "self", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PutRolePolicy","Resource":"` + pathsARN("role", "dev") + `"}]}`}}},
		{Meta: meta(pathsARN("role", "admin")), Name: "admin", Path: "/", AssumeRolePolicy: `{"Version":"2012-10-17","Statement":[]}`,
			InlinePolicies: []modeliam.InlinePolicy{{Name: "all", Document: admin}}},
	})
	s.IAM.Groups = core.Known([]modeliam.Group{})
	s.IAM.Policies = core.Known([]modeliam.ManagedPolicy{})
	s.IAM.InstanceProfiles = core.Known([]modeliam.InstanceProfile{})
	s.Organizations.Organization = core.Known[*organizations.Organization](nil)
	path := filepath.Join(t.TempDir(), "snap.json.gz")
	if err := model.Save(path, s); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPathsJSONContract(t *testing.T) {
	snap := pathsSnapshot(t)
	code, out, errOut := runPathsCLI(t, "--snapshot", snap, "--output", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"paths", "admins"} {
		if _, ok := raw[k]; !ok {
			t.Fatalf("missing %q in %s", k, out)
		}
	}
	var res struct {
		Paths []struct {
			From string `json:"from"`
			To   string `json:"to"`
			Hops []struct {
				Technique   string           `json:"technique"`
				From        string           `json:"from"`
				To          string           `json:"to"`
				Permissions []map[string]any `json:"permissions"`
			} `json:"hops"`
		} `json:"paths"`
		Admins []string `json:"admins"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Admins) != 2 || res.Admins[0] != pathsARN("role", "admin") || res.Admins[1] != pathsARN("user", "carol") {
		t.Errorf("admins %v", res.Admins)
	}
	if len(res.Paths) != 3 {
		t.Fatalf("paths: %s", out)
	}
	// Shortest first (then by ARN): dev's and bob's one hop, then alice's two.
	dev, bob, alice := res.Paths[0], res.Paths[1], res.Paths[2]
	if dev.From != pathsARN("role", "dev") || len(dev.Hops) != 1 || dev.Hops[0].Technique != "iam:PutRolePolicy" {
		t.Errorf("dev's path: %+v", dev)
	}
	if bob.From != pathsARN("user", "bob") || bob.To != "admin" || len(bob.Hops) != 1 ||
		bob.Hops[0].Technique != "iam:CreateAccessKey" || bob.Hops[0].To != pathsARN("user", "carol") {
		t.Errorf("bob's path: %+v", bob)
	}
	if alice.From != pathsARN("user", "alice") || len(alice.Hops) != 2 ||
		alice.Hops[0].Technique != "sts:AssumeRole" || alice.Hops[1].Technique != "iam:PutRolePolicy" ||
		alice.Hops[0].To != pathsARN("role", "dev") || alice.Hops[1].From != pathsARN("role", "dev") {
		t.Errorf("alice's path: %+v", alice)
	}
	perm := alice.Hops[0].Permissions[0]
	for _, k := range []string{"policy", "statement", "action", "resource"} {
		if _, ok := perm[k]; !ok {
			t.Errorf("permission lacks %q: %v", k, perm)
		}
	}
	if perm["statement"] != "AssumeDev" || perm["action"] != "sts:AssumeRole" || perm["resource"] != pathsARN("role", "dev") {
		t.Errorf("permission %v", perm)
	}
	if strings.Contains(out, pathsARN("user", "dave")) {
		t.Error("dave has no path")
	}
}

func TestPathsQueries(t *testing.T) {
	snap := pathsSnapshot(t)
	code, out, _ := runPathsCLI(t, "--snapshot", snap, "--output", "json", "--from", pathsARN("user", "alice"))
	if code != ExitOK || strings.Contains(out, "user/bob") || !strings.Contains(out, "iam:PutRolePolicy") {
		t.Fatalf("--from: %d %s", code, out)
	}
	code, out, _ = runPathsCLI(t, "--snapshot", snap, "--output", "json", "--to", pathsARN("role", "dev"))
	var res struct {
		Paths []struct {
			From, To string
		} `json:"paths"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != ExitOK {
		t.Fatalf("--to: %d %v %s", code, err, out)
	}
	// alice assumes dev; carol (admin) can too; bob through carol.
	froms := map[string]bool{}
	for _, p := range res.Paths {
		froms[p.From] = true
		if p.To != pathsARN("role", "dev") {
			t.Errorf("to %s", p.To)
		}
	}
	if !froms[pathsARN("user", "alice")] || !froms[pathsARN("user", "carol")] || !froms[pathsARN("user", "bob")] || froms[pathsARN("user", "dave")] {
		t.Errorf("--to sources %v", froms)
	}
	code, out, _ = runPathsCLI(t, "--snapshot", snap, "--output", "dot")
	if code != ExitOK || !strings.HasPrefix(out, "digraph privesc {") || !strings.Contains(out, `"admin" [shape=doubleoctagon]`) ||
		!strings.Contains(out, `[label="iam:CreateAccessKey"]`) {
		t.Fatalf("dot: %s", out)
	}
	code, out, _ = runPathsCLI(t, "--snapshot", snap)
	if code != ExitOK || !strings.Contains(out, "user/alice → admin (2 hops)") || !strings.Contains(out, "Already admin-equivalent") {
		t.Fatalf("text: %s", out)
	}
}

func TestPathsErrors(t *testing.T) {
	snap := pathsSnapshot(t)
	corrupt := filepath.Join(t.TempDir(), "corrupt.json.gz")
	if err := os.WriteFile(corrupt, []byte("not a snapshot"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"--snapshot", corrupt}, ExitInput},
		{[]string{"--snapshot", filepath.Join(t.TempDir(), "missing.json.gz")}, ExitInput},
		{nil, ExitUsage},
		{[]string{"--snapshot", snap, "--output", "xml"}, ExitUsage},
		{[]string{"--snapshot", snap, "--from", pathsARN("user", "nobody")}, ExitUsage},
		{[]string{"--snapshot", snap, "--to", "not-an-arn"}, ExitUsage},
		{[]string{"--snapshot", snap, "extra"}, ExitUsage},
	} {
		if code, _, errOut := runPathsCLI(t, tc.args...); code != tc.want {
			t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, tc.want, errOut)
		}
	}
}
