package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/analyze/reach"
)

// bigPrivesc is an account of n users: each may assume one of n/10 roles,
// and every tenth role may create keys for the admin user.
func bigPrivesc(n int) privescDoc {
	const acct = "arn:aws:iam::111122223333:"
	var b strings.Builder
	b.WriteString(`{"paths":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		role := fmt.Sprintf("%srole/r%d", acct, i%(n/10))
		fmt.Fprintf(&b, `{"from":"%suser/u%d","to":"admin","hops":[{"technique":"sts:AssumeRole","from":"%suser/u%d","to":"%s","permissions":[{"action":"sts:AssumeRole","resource":"%s","policy":"p","policy_kind":"identity","statement":0}]},{"technique":"iam:CreateAccessKey","from":"%s","to":"%suser/admin","permissions":[]}]}`,
			acct, i, acct, i, role, role, role, acct)
	}
	b.WriteString(`],"admins":["` + acct + `user/admin"]}`)
	var d privescDoc
	if err := json.Unmarshal([]byte(b.String()), &d); err != nil {
		panic(err)
	}
	return d
}

func TestGraphViewCapsAndFocus(t *testing.T) {
	g := privescGraph(bigPrivesc(3000), func(string) string { return "" })
	if len(g.Nodes) != 3000+300+2 {
		t.Fatalf("%d nodes", len(g.Nodes))
	}
	v := g.view("privesc", "", "", 1, defaultMaxNodes)
	if !v.Truncated || len(v.Nodes) != defaultMaxNodes || v.TotalNodes != len(g.Nodes) || !strings.Contains(v.Notice, "Showing 150 of 3,302 nodes") {
		t.Errorf("capped view: %d nodes, truncated %v, notice %q", len(v.Nodes), v.Truncated, v.Notice)
	}
	// The most connected nodes come first: the admin node and user/admin.
	ids := map[string]bool{}
	for _, n := range v.Nodes {
		ids[n.ID] = true
	}
	if !ids["admin"] || !ids["arn:aws:iam::111122223333:user/admin"] {
		t.Error("the hubs were cut")
	}
	for _, e := range v.Edges {
		if !ids[e.From] || !ids[e.To] {
			t.Fatalf("edge %s → %s to a node not shown", e.From, e.To)
		}
	}
	// Focus on a role: the role, its 10 users, and user/admin.
	v = g.view("privesc", "", "arn:aws:iam::111122223333:role/r7", 1, limitMaxNodes)
	if len(v.Nodes) != 12 || v.Truncated {
		t.Errorf("focus: %d nodes", len(v.Nodes))
	}
	// Filter: a user and its neighbour.
	v = g.view("privesc", "user/u2999", "", 1, defaultMaxNodes)
	if len(v.Nodes) != 2 || v.Matches != 1 {
		t.Errorf("filter: %d nodes, %d matches", len(v.Nodes), v.Matches)
	}
	// Columns: users, roles, user/admin, admin — left to right.
	cols := map[string]int{}
	for _, n := range g.Nodes {
		cols[principalKind(n.ID)+n.Kind] = n.Col
	}
	if !(cols["useruser"] < cols["rolerole"] && cols["rolerole"] < cols["principaladmin"]) {
		t.Errorf("columns %v", cols)
	}
}

func TestExposureGraph(t *testing.T) {
	rep := reach.Report{
		Exposures: []reach.Exposure{{ResourceARN: "arn:aws:ec2:us-east-1:1:instance/i-1", Protocol: "tcp", FromPort: 22, ToPort: 22, Path: []string{
			"source internet: clients on the internet",
			"public-ip eni-1: has public IPv4 1.2.3.4",
			"route rtb-1: 0.0.0.0/0 -> igw-9 (internet gateway attached to vpc-1)",
			"nacl-inbound acl-1: default network ACL of subnet-1, rule 100 allow",
			"sg-inbound sg-1: inbound rule allows tcp 22 from 0.0.0.0/0",
		}}},
		Unknown: []reach.UnknownExposure{{ResourceARN: "arn:aws:ec2:us-east-1:1:instance/i-2", Protocol: "tcp", FromPort: 0, ToPort: 65535,
			Reason: "prefix list pl-1 not collected", Status: "unknown", Path: []string{"route rtb-1: 0.0.0.0/0 -> igw-9"}}},
	}
	g := exposureGraph(rep, map[string]string{"arn:aws:ec2:us-east-1:1:instance/i-1": "<b>web</b>"}, func(string) string { return "" })
	byID := map[string]gNode{}
	for _, n := range g.Nodes {
		byID[n.ID] = n
	}
	for id, col := range map[string]int{"internet": 0, "gw:igw-9": 1, "nacl:subnet-1:acl-1": 2, "sg:sg-1": 4, "arn:aws:ec2:us-east-1:1:instance/i-1": 5} {
		if n, ok := byID[id]; !ok || n.Col != col {
			t.Errorf("node %s: %+v", id, n)
		}
	}
	if n := byID["arn:aws:ec2:us-east-1:1:instance/i-1"]; n.Label != "instance/i-1 (<b>web</b>)" || n.Mark != "exposed" {
		t.Errorf("resource node %+v", n)
	}
	if n := byID["arn:aws:ec2:us-east-1:1:instance/i-2"]; n.Mark != "unknown" {
		t.Errorf("undecided exposure not marked unknown: %+v", n)
	}
	var dashed, tcp22 bool
	for _, e := range g.Edges {
		if e.To == "arn:aws:ec2:us-east-1:1:instance/i-2" && e.Dashed {
			dashed = true
		}
		if e.From == "sg:sg-1" && e.Label == "tcp 22" {
			tcp22 = true
		}
	}
	if !dashed || !tcp22 || g.Note == "" {
		t.Errorf("edges %+v, note %q", g.Edges, g.Note)
	}
}

func BenchmarkGraphView(b *testing.B) {
	g := privescGraph(bigPrivesc(5000), func(string) string { return "" })
	for _, c := range []struct{ name, q, focus string }{
		{"all-capped", "", ""},
		{"filter", "u12", ""},
		{"focus", "", "arn:aws:iam::111122223333:role/r7"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				v := g.view("privesc", c.q, c.focus, 1, defaultMaxNodes)
				if _, err := json.Marshal(v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
