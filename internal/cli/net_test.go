package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/elbv2"
)

// runNet executes the CLI in-process with the net command registered (it
// may not be in commands() yet) and returns the exit code and outputs.
func runNet(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	g := &globalOptions{stdout: &out, stderr: &errb}
	root := newRootCommand(g)
	registered := false
	for _, c := range root.Commands() {
		registered = registered || c.Name() == "net"
	}
	if !registered {
		root.AddCommand(newNetCommand(g))
	}
	root.SetArgs(args)
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

const (
	netAcct   = "111122223333"
	netRegion = "us-east-1"
	netALB    = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/web/0123"
	netTG     = "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/app/4567"
)

func netARN(kind, id string) string {
	return "arn:aws:ec2:" + netRegion + ":" + netAcct + ":" + kind + "/" + id
}

// netSnapshot is a VPC with a public subnet (web instance, SSH and HTTP
// open; ALB nodes), a private subnet behind a NAT gateway (app instance
// behind the ALB, db instance reachable from app only), and a third public
// subnet whose NACL blocks the ephemeral return ports (its instance is not
// reachable although its security group is open).
func netSnapshot() *model.Snapshot {
	s := model.New(netAcct, "aws", []string{netRegion})
	m := func(kind, id string) core.Meta {
		return core.Meta{ARN: netARN(kind, id), Account: netAcct, Region: netRegion}
	}
	open := func(proto string, port int32, cidr string) ec2.Permission {
		return ec2.Permission{Protocol: proto, FromPort: port, ToPort: port, IPv4Ranges: []string{cidr}}
	}
	ref := func(port int32, sg string) ec2.Permission {
		return ec2.Permission{Protocol: "tcp", FromPort: port, ToPort: port, GroupRefs: []ec2.GroupRef{{GroupID: sg}}}
	}
	egress := []ec2.Permission{{Protocol: "-1", FromPort: -1, ToPort: -1, IPv4Ranges: []string{"0.0.0.0/0"}}}
	nacl := func(num int32, out bool, proto, action string, from, to int32) ec2.NACLEntry {
		return ec2.NACLEntry{RuleNumber: num, Egress: out, Protocol: proto, Action: action, CIDR: "0.0.0.0/0", HasPorts: from != 0 || to != 0, PortFrom: from, PortTo: to}
	}
	eni := func(id, subnet, private, public, inst string, sgs ...string) ec2.NetworkInterface {
		e := ec2.NetworkInterface{Meta: m("network-interface", id), ID: id, VPCID: "vpc-1", SubnetID: subnet, InterfaceType: "interface", Status: "in-use",
			PrivateIPs: []string{private}, SecurityGroupIDs: sgs, InstanceID: inst}
		if public != "" {
			e.PublicIPs = []string{public}
		}
		return e
	}
	inst := func(id, subnet, private string) ec2.Instance {
		return ec2.Instance{Meta: m("instance", id), ID: id, State: "running", VPCID: "vpc-1", SubnetID: subnet, PrivateIP: private}
	}
	r := ec2.Region{
		Name: netRegion,
		VPCs: core.Known([]ec2.VPC{{Meta: m("vpc", "vpc-1"), ID: "vpc-1", CIDRs: []string{"10.0.0.0/16"}}}),
		Subnets: core.Known([]ec2.Subnet{
			{ID: "sn-pub-a", VPCID: "vpc-1", CIDR: "10.0.1.0/24"},
			{ID: "sn-pub-b", VPCID: "vpc-1", CIDR: "10.0.2.0/24"},
			{ID: "sn-priv", VPCID: "vpc-1", CIDR: "10.0.3.0/24"},
			{ID: "sn-locked", VPCID: "vpc-1", CIDR: "10.0.4.0/24"},
		}),
		RouteTables: core.Known([]ec2.RouteTable{
			{ID: "rtb-pub", VPCID: "vpc-1", Associations: []ec2.RouteAssociation{{SubnetID: "sn-pub-a"}, {SubnetID: "sn-pub-b"}, {SubnetID: "sn-locked"}},
				Routes: []ec2.Route{{DestinationCIDR: "10.0.0.0/16", GatewayID: "local", State: "active"}, {DestinationCIDR: "0.0.0.0/0", GatewayID: "igw-1", State: "active"}}},
			{ID: "rtb-main", VPCID: "vpc-1", Associations: []ec2.RouteAssociation{{Main: true}},
				Routes: []ec2.Route{{DestinationCIDR: "10.0.0.0/16", GatewayID: "local", State: "active"}, {DestinationCIDR: "0.0.0.0/0", NATGatewayID: "nat-1", State: "active"}}},
		}),
		InternetGateways:   core.Known([]ec2.InternetGateway{{ID: "igw-1", AttachedVPC: []string{"vpc-1"}}}),
		EgressOnlyGateways: core.Known([]ec2.InternetGateway{}),
		NATGateways:        core.Known([]ec2.NATGateway{{ID: "nat-1", VPCID: "vpc-1", SubnetID: "sn-pub-a", State: "available"}}),
		SecurityGroups: core.Known([]ec2.SecurityGroup{
			{ID: "sg-web", Name: "web", VPCID: "vpc-1", Egress: egress, Ingress: []ec2.Permission{open("tcp", 22, "0.0.0.0/0"), open("tcp", 80, "0.0.0.0/0")}},
			{ID: "sg-alb", Name: "alb", VPCID: "vpc-1", Egress: egress, Ingress: []ec2.Permission{open("tcp", 443, "0.0.0.0/0")}},
			{ID: "sg-app", Name: "app", VPCID: "vpc-1", Egress: egress, Ingress: []ec2.Permission{ref(8080, "sg-alb")}},
			{ID: "sg-db", Name: "db\x1b[31mred", VPCID: "vpc-1", Egress: egress, Ingress: []ec2.Permission{ref(5432, "sg-app"), open("tcp", 22, "0.0.0.0/0")}},
		}),
		NetworkACLs: core.Known([]ec2.NetworkACL{
			{ID: "acl-default", VPCID: "vpc-1", IsDefault: true, Entries: []ec2.NACLEntry{nacl(100, false, "-1", "allow", 0, 0), nacl(100, true, "-1", "allow", 0, 0)}},
			{ID: "acl-locked", VPCID: "vpc-1", SubnetIDs: []string{"sn-locked"}, Entries: []ec2.NACLEntry{
				nacl(100, false, "-1", "allow", 0, 0), nacl(100, true, "6", "allow", 80, 80), nacl(110, true, "6", "allow", 443, 443)}},
		}),
		NetworkInterfaces: core.Known([]ec2.NetworkInterface{
			eni("eni-web", "sn-pub-a", "10.0.1.10", "54.0.0.10", "i-web", "sg-web"),
			eni("eni-app", "sn-priv", "10.0.3.20", "", "i-app", "sg-app"),
			eni("eni-db", "sn-priv", "10.0.3.30", "", "i-db", "sg-db"),
			eni("eni-locked", "sn-locked", "10.0.4.40", "54.0.0.40", "i-locked", "sg-web"),
		}),
		Instances:          core.Known([]ec2.Instance{inst("i-web", "sn-pub-a", "10.0.1.10"), inst("i-app", "sn-priv", "10.0.3.20"), inst("i-db", "sn-priv", "10.0.3.30"), inst("i-locked", "sn-locked", "10.0.4.40")}),
		PeeringConnections: core.Known([]ec2.PeeringConnection{}),
	}
	s.EC2 = []ec2.Region{r}
	s.ELBv2 = []elbv2.Region{{Name: netRegion, LoadBalancers: core.Known([]elbv2.LoadBalancer{{
		Meta: core.Meta{ARN: netALB, Account: netAcct, Region: netRegion}, Name: "web", Scheme: elbv2.SchemeInternetFacing, Type: elbv2.TypeApplication,
		VPCID: "vpc-1", SubnetIDs: []string{"sn-pub-a", "sn-pub-b"}, SecurityGroupIDs: []string{"sg-alb"},
		Listeners: core.Known([]elbv2.Listener{{Port: 443, Protocol: "HTTPS"}}),
		TargetGroups: core.Known([]elbv2.TargetGroup{{ARN: netTG, Name: "app", Protocol: "HTTP", Port: 8080, TargetType: elbv2.TargetInstance, VPCID: "vpc-1",
			Targets: core.Known([]elbv2.Target{{ID: "i-app"}})}}),
	}})}}
	return s
}

func writeNetSnapshot(t *testing.T, s *model.Snapshot) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "snap.json.gz")
	if err := model.Save(p, s); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNetExposureJSONIsExact(t *testing.T) {
	snap := writeNetSnapshot(t, netSnapshot())
	code, out, errOut := runNet(t, "net", "exposure", "--snapshot", snap, "--output", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, out)
	}
	var got []string
	for _, item := range raw {
		var keys []string
		for k := range item {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if strings.Join(keys, ",") != "from_port,path,protocol,resource_arn,to_port" {
			t.Errorf("item fields %v, want exactly resource_arn, protocol, from_port, to_port, path", keys)
		}
		var e struct {
			ResourceARN string   `json:"resource_arn"`
			Protocol    string   `json:"protocol"`
			FromPort    int      `json:"from_port"`
			ToPort      int      `json:"to_port"`
			Path        []string `json:"path"`
		}
		b, _ := json.Marshal(item)
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatal(err)
		}
		if len(e.Path) == 0 {
			t.Errorf("%s: empty path", e.ResourceARN)
		}
		got = append(got, fmt.Sprintf("%s %s %d-%d", e.ResourceARN, e.Protocol, e.FromPort, e.ToPort))
	}
	want := []string{
		netARN("instance", "i-app") + " tcp 8080-8080", // private, through the ALB
		netARN("instance", "i-web") + " tcp 22-22",
		netARN("instance", "i-web") + " tcp 80-80",
		netALB + " tcp 443-443",
		// i-db (private subnet, SG open on 22) and i-locked (NACL blocks the
		// ephemeral return ports) are not exposed.
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("exposure:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestNetExposureText(t *testing.T) {
	snap := writeNetSnapshot(t, netSnapshot())
	code, out, _ := runNet(t, "net", "exposure", "--snapshot", snap)
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, s := range []string{"4 exposure(s) on 3 resource(s); 0 unknown", "forwards to target group app", "0.0.0.0/0 -> igw-1"} {
		if !strings.Contains(out, s) {
			t.Errorf("text output lacks %q:\n%s", s, out)
		}
	}
}

func TestNetReach(t *testing.T) {
	snap := writeNetSnapshot(t, netSnapshot())
	cases := []struct {
		name string
		args []string
		code int
		has  []string
	}{
		{"public instance ssh", []string{"--to", "i-web", "--port", "22/tcp"}, ExitOK, []string{"REACHABLE: internet -> " + netARN("instance", "i-web") + " on tcp/22"}},
		{"private db ssh blocked", []string{"--to", "i-db", "--port", "22"}, ExitOK, []string{"NOT REACHABLE", "blocked by public-ip"}},
		{"ephemeral ports blocked", []string{"--to", "eni-locked", "--port", "80/tcp"}, ExitOK, []string{"NOT REACHABLE", "blocked by nacl-outbound", "ephemeral ports 1024-65535 are denied"}},
		{"alb by ARN", []string{"--to", netALB, "--port", "443"}, ExitOK, []string{"REACHABLE", "listener HTTPS 443"}},
		{"app through the alb", []string{"--to", "i-app", "--port", "8080"}, ExitOK, []string{"REACHABLE", "via " + netALB}},
		{"app to db", []string{"--from", "i-app", "--to", "i-db", "--port", "5432/tcp"}, ExitOK, []string{"REACHABLE", "matched by group sg-app"}},
		{"web to db", []string{"--from", "i-web", "--to", "i-db", "--port", "5432/tcp"}, ExitOK, []string{"NOT REACHABLE", "blocked by sg-inbound"}},
		{"no port: the target's exposures", []string{"--to", "i-web"}, ExitOK, []string{"tcp  22", "tcp  80", "2 exposure(s) on 1 resource(s)"}},
		{"unknown target", []string{"--to", "i-nope", "--port", "22"}, ExitUsage, []string{"not found in snapshot"}},
		{"bad port", []string{"--to", "i-web", "--port", "99999/tcp"}, ExitUsage, []string{"--port"}},
		{"missing --to", []string{"--port", "22"}, ExitUsage, []string{"--to is required"}},
		{"between needs a port", []string{"--from", "i-app", "--to", "i-db"}, ExitUsage, []string{"--port is required"}},
		{"bad output", []string{"--to", "i-web", "--port", "22", "--output", "yaml"}, ExitUsage, []string{"--output"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runNet(t, append([]string{"net", "reach", "--snapshot", snap}, c.args...)...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, c.code, out, errOut)
			}
			for _, h := range c.has {
				if !strings.Contains(out+errOut, h) {
					t.Errorf("output lacks %q:\n%s%s", h, out, errOut)
				}
			}
		})
	}
}

func TestNetReachJSON(t *testing.T) {
	snap := writeNetSnapshot(t, netSnapshot())
	code, out, _ := runNet(t, "net", "reach", "--snapshot", snap, "--to", "eni-locked", "--port", "80/tcp", "--output", "json")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	var res struct {
		Verdict string `json:"verdict"`
		Paths   []struct {
			BlockedBy *struct {
				Control string `json:"control"`
			} `json:"blocked_by"`
		} `json:"paths"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.Verdict != "not-reachable" || len(res.Paths) == 0 || res.Paths[0].BlockedBy == nil || res.Paths[0].BlockedBy.Control != "nacl-outbound" {
		t.Errorf("unexpected result:\n%s", out)
	}
}

func TestNetInputErrors(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.json.gz")
	if err := os.WriteFile(corrupt, []byte("\x1f\x8bnot really gzip"), 0o600); err != nil {
		t.Fatal(err)
	}
	newer := netSnapshot()
	newer.SchemaVersion = model.SchemaVersion + 1
	newerPath := writeNetSnapshot(t, newer)
	for _, args := range [][]string{
		{"net", "exposure", "--snapshot", corrupt},
		{"net", "reach", "--snapshot", corrupt, "--to", "i-web", "--port", "22"},
		{"net", "exposure", "--snapshot", newerPath, "--output", "json"},
		{"net", "exposure", "--snapshot", filepath.Join(dir, "missing.json.gz")},
	} {
		code, out, errOut := runNet(t, args...)
		if code != ExitInput {
			t.Errorf("%v: exit %d, want %d (input)\n%s", args, code, ExitInput, errOut)
		}
		if out != "" {
			t.Errorf("%v: wrote to stdout on error: %q", args, out)
		}
	}
	if code, _, _ := runNet(t, "net", "exposure"); code != ExitUsage {
		t.Errorf("missing --snapshot: exit %d, want %d", code, ExitUsage)
	}
}

func TestNetExposureUnknown(t *testing.T) {
	s := netSnapshot()
	r := &s.EC2[0]
	for i := range r.SecurityGroups.V {
		if r.SecurityGroups.V[i].ID == "sg-web" {
			r.SecurityGroups.V[i].Ingress = append(r.SecurityGroups.V[i].Ingress, ec2.Permission{Protocol: "tcp", FromPort: 9000, ToPort: 9000, PrefixListIDs: []string{"pl-0abc"}})
		}
	}
	snap := writeNetSnapshot(t, s)
	code, out, errOut := runNet(t, "net", "exposure", "--snapshot", snap, "--output", "json")
	if code != ExitOK || !strings.Contains(errOut, "could not be decided") || strings.Contains(out, "pl-0abc") {
		t.Fatalf("exit %d; stderr %q; stdout must stay the exposures only:\n%s", code, errOut, out)
	}
	code, out, _ = runNet(t, "net", "exposure", "--snapshot", snap, "--output", "json", "--include-unknown")
	if code != ExitOK || !strings.Contains(out, `"status": "unknown"`) || !strings.Contains(out, "pl-0abc") {
		t.Fatalf("exit %d; --include-unknown output:\n%s", code, out)
	}
	var items []map[string]any
	if err := json.Unmarshal([]byte(out), &items); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runNet(t, "net", "exposure", "--snapshot", snap)
	if code != ExitOK || !strings.Contains(out, "UNKNOWN (may be reachable") {
		t.Fatalf("text output lacks the unknown section:\n%s", out)
	}
}

func TestNetSanitizesHostileNames(t *testing.T) {
	snap := writeNetSnapshot(t, netSnapshot())
	_, out, _ := runNet(t, "net", "reach", "--snapshot", snap, "--from", "i-app", "--to", "i-db", "--port", "5432")
	if strings.Contains(out, "\x1b") {
		t.Fatalf("terminal escape reached the output:\n%q", out)
	}
	if !strings.Contains(out, `db\u001b[31mred`) {
		t.Errorf("hostile group name not shown escaped:\n%s", out)
	}
}
