package checks

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
)

func ec2Fixtures() map[string]fixture {
	addIngress := func(p ec2.Permission) func(s *model.Snapshot) {
		return func(s *model.Snapshot) {
			g := sgNamed(s, "us-east-1", "web")
			g.Ingress = append(g.Ingress, p)
		}
	}
	return mergeFixtures(ec2FSBPFixtures(), map[string]fixture{
		"ec2-sg-ssh-open-to-internet":            failWhen(addIngress(ec2.Permission{Protocol: "tcp", FromPort: 22, ToPort: 22, IPv4Ranges: []string{"0.0.0.0/0"}})),
		"ec2-sg-rdp-open-to-internet":            failWhen(addIngress(ec2.Permission{Protocol: "tcp", FromPort: 3389, ToPort: 3389, IPv6Ranges: []string{"::/0"}})),
		"ec2-sg-admin-ports-ipv4":                failWhen(addIngress(ec2.Permission{Protocol: "tcp", FromPort: 0, ToPort: 65535, IPv4Ranges: []string{"0.0.0.0/0"}})),
		"ec2-sg-admin-ports-ipv6":                failWhen(addIngress(ec2.Permission{Protocol: "-1", FromPort: -1, ToPort: -1, IPv6Ranges: []string{"::/0"}})),
		"ec2-sg-cifs-restricted":                 failWhen(addIngress(ec2.Permission{Protocol: "tcp", FromPort: 445, ToPort: 445, IPv4Ranges: []string{"0.0.0.0/0"}})),
		"ec2-sg-high-risk-ports":                 failWhen(addIngress(ec2.Permission{Protocol: "tcp", FromPort: 3306, ToPort: 3306, IPv4Ranges: []string{"0.0.0.0/0"}})),
		"ec2-sg-unrestricted-unauthorized-ports": failWhen(addIngress(ec2.Permission{Protocol: "tcp", FromPort: 8443, ToPort: 8443, IPv4Ranges: []string{"0.0.0.0/0"}})),
		"ec2-default-sg-restricts-all": failWhen(func(s *model.Snapshot) {
			g := sgNamed(s, "us-east-1", "default")
			g.Egress = []ec2.Permission{{Protocol: "-1", IPv4Ranges: []string{"0.0.0.0/0"}}}
		}),
		"ec2-nacl-admin-ports": failWhen(func(s *model.Snapshot) {
			a := &ec2At(s, "us-east-1").NetworkACLs.V[0]
			a.Entries = append(a.Entries, ec2.NACLEntry{RuleNumber: 90, Protocol: "6", Action: "allow", CIDR: "0.0.0.0/0", HasPorts: true, PortFrom: 22, PortTo: 22})
		}),
		"ec2-ebs-default-encryption": failWhen(func(s *model.Snapshot) { ec2At(s, "eu-west-1").EBSEncryptionByDefault = core.Known(false) }),
		"ec2-ebs-volume-encrypted":   failWhen(func(s *model.Snapshot) { ec2At(s, "us-east-1").Volumes.V[0].Encrypted = false }),
		"ec2-imdsv2-required":        failWhen(func(s *model.Snapshot) { ec2At(s, "us-east-1").Instances.V[0].Metadata.HTTPTokens = "optional" }),
		"ec2-ebs-snapshot-not-public": failWhen(func(s *model.Snapshot) {
			sn := &ec2At(s, "us-east-1").Snapshots.V[0]
			sn.CreateVolumePermissions.V = append(sn.CreateVolumePermissions.V, ec2.VolumePermission{Group: "all"})
		}),
		"ec2-instance-no-public-ip":    failWhen(func(s *model.Snapshot) { ec2At(s, "us-east-1").Instances.V[0].PublicIP = "198.51.100.7" }),
		"ec2-subnet-no-auto-public-ip": failWhen(func(s *model.Snapshot) { ec2At(s, "us-east-1").Subnets.V[0].MapPublicIPOnLaunch = true }),
		"ec2-vpc-flow-logs":            failWhen(func(s *model.Snapshot) { ec2At(s, "us-east-1").FlowLogs = core.Known([]ec2.FlowLog{}) }),
	})
}

// sgCase runs every SG rule over a web group with one extra ingress rule.
func TestSecurityGroupPortSemantics(t *testing.T) {
	type want map[string]Status
	const (
		ssh, rdp, v4, v6, cifs, risk, auth = "ec2-sg-ssh-open-to-internet", "ec2-sg-rdp-open-to-internet", "ec2-sg-admin-ports-ipv4",
			"ec2-sg-admin-ports-ipv6", "ec2-sg-cifs-restricted", "ec2-sg-high-risk-ports", "ec2-sg-unrestricted-unauthorized-ports"
	)
	cases := []struct {
		name string
		perm ec2.Permission
		want want
	}{
		{"all protocols from 0.0.0.0/0", ec2.Permission{Protocol: "-1", FromPort: -1, ToPort: -1, IPv4Ranges: []string{"0.0.0.0/0"}},
			want{ssh: Fail, rdp: Fail, v4: Fail, v6: Pass, cifs: Fail, risk: Fail, auth: Fail}},
		{"tcp range 20-25 covers 22", ec2.Permission{Protocol: "tcp", FromPort: 20, ToPort: 25, IPv4Ranges: []string{"0.0.0.0/0"}},
			want{ssh: Fail, rdp: Pass, v4: Fail, v6: Pass, cifs: Pass, risk: Fail, auth: Fail}},
		{"tcp range 23-3388 covers neither admin port", ec2.Permission{Protocol: "tcp", FromPort: 23, ToPort: 3388, IPv4Ranges: []string{"0.0.0.0/0"}},
			want{ssh: Pass, rdp: Pass, v4: Pass, v6: Pass, cifs: Fail, risk: Fail, auth: Fail}},
		{"protocol number 6 is tcp", ec2.Permission{Protocol: "6", FromPort: 3389, ToPort: 3389, IPv6Ranges: []string{"::/0"}},
			want{ssh: Pass, rdp: Fail, v4: Pass, v6: Fail, cifs: Pass, risk: Fail, auth: Fail}},
		{"udp 22 is not SSH", ec2.Permission{Protocol: "udp", FromPort: 22, ToPort: 22, IPv4Ranges: []string{"0.0.0.0/0"}},
			want{ssh: Pass, rdp: Pass, v4: Pass, v6: Pass, cifs: Pass, risk: Fail, auth: Fail}},
		{"ssh from a private range", ec2.Permission{Protocol: "tcp", FromPort: 22, ToPort: 22, IPv4Ranges: []string{"10.0.0.0/8", "192.0.2.0/24"}},
			want{ssh: Pass, rdp: Pass, v4: Pass, v6: Pass, cifs: Pass, risk: Pass, auth: Pass}},
		{"ssh from another security group", ec2.Permission{Protocol: "tcp", FromPort: 22, ToPort: 22, GroupRefs: []ec2.GroupRef{{GroupID: "sg-bastion"}}},
			want{ssh: Pass, rdp: Pass, v4: Pass, v6: Pass, cifs: Pass, risk: Pass, auth: Pass}},
		{"https from anywhere is authorized", ec2.Permission{Protocol: "tcp", FromPort: 80, ToPort: 80, IPv4Ranges: []string{"0.0.0.0/0"}, IPv6Ranges: []string{"::/0"}},
			want{ssh: Pass, rdp: Pass, v4: Pass, v6: Pass, cifs: Pass, risk: Pass, auth: Pass}},
		{"icmp from anywhere", ec2.Permission{Protocol: "icmp", FromPort: -1, ToPort: -1, IPv4Ranges: []string{"0.0.0.0/0"}},
			want{ssh: Pass, rdp: Pass, v4: Pass, v6: Pass, cifs: Pass, risk: Pass, auth: Pass}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			g := sgNamed(s, "us-east-1", "web")
			g.Ingress = append(g.Ingress, c.perm)
			for id, want := range c.want {
				for _, r := range run(t, id, s) {
					if r.ResourceARN != g.ARN {
						continue
					}
					if r.Status != want {
						t.Errorf("%s: got %s (%s), want %s", id, r.Status, r.Message, want)
					}
				}
			}
		})
	}
}

func TestNACLRuleOrdering(t *testing.T) {
	e := func(n int32, action, proto, cidr string, from, to int32) ec2.NACLEntry {
		x := ec2.NACLEntry{RuleNumber: n, Protocol: proto, Action: action, HasPorts: from >= 0, PortFrom: from, PortTo: to}
		if strings.Contains(cidr, ":") {
			x.IPv6CIDR = cidr
		} else {
			x.CIDR = cidr
		}
		return x
	}
	deny := e(32767, "deny", "-1", "0.0.0.0/0", -1, -1)
	cases := []struct {
		name    string
		entries []ec2.NACLEntry
		want    Status
	}{
		{"implicit deny only", []ec2.NACLEntry{deny}, Pass},
		{"allow ssh from anywhere", []ec2.NACLEntry{e(100, "allow", "6", "0.0.0.0/0", 22, 22), deny}, Fail},
		{"earlier deny wins", []ec2.NACLEntry{e(100, "allow", "6", "0.0.0.0/0", 22, 22), e(50, "deny", "6", "0.0.0.0/0", 22, 22), deny}, Pass},
		{"later deny loses", []ec2.NACLEntry{e(100, "allow", "6", "0.0.0.0/0", 22, 22), e(150, "deny", "6", "0.0.0.0/0", 22, 22), deny}, Fail},
		{"earlier deny of another port does not help", []ec2.NACLEntry{e(50, "deny", "6", "0.0.0.0/0", 80, 80), e(100, "allow", "6", "0.0.0.0/0", 0, 65535), deny}, Fail},
		{"earlier narrow deny does not close the internet", []ec2.NACLEntry{e(50, "deny", "-1", "198.51.100.0/24", -1, -1), e(100, "allow", "-1", "0.0.0.0/0", -1, -1), deny}, Fail},
		{"allow all traffic", []ec2.NACLEntry{e(100, "allow", "-1", "0.0.0.0/0", -1, -1), deny}, Fail},
		{"allow rdp range", []ec2.NACLEntry{e(100, "allow", "6", "0.0.0.0/0", 3000, 4000), deny}, Fail},
		{"allow udp 22 only", []ec2.NACLEntry{e(100, "allow", "17", "0.0.0.0/0", 22, 22), deny}, Pass},
		{"allow ssh from a private range", []ec2.NACLEntry{e(100, "allow", "6", "10.0.0.0/8", 22, 22), deny}, Pass},
		{"allow ssh from ::/0", []ec2.NACLEntry{e(100, "allow", "6", "::/0", 22, 22), deny}, Fail},
		{"egress allow is not ingress", []ec2.NACLEntry{func() ec2.NACLEntry {
			x := e(100, "allow", "-1", "0.0.0.0/0", -1, -1)
			x.Egress = true
			return x
		}(), deny}, Pass},
		{"deny all traffic first", []ec2.NACLEntry{e(1, "deny", "-1", "0.0.0.0/0", -1, -1), e(100, "allow", "-1", "0.0.0.0/0", -1, -1)}, Pass},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			ec2At(s, "us-east-1").NetworkACLs.V[0].Entries = c.entries
			for _, r := range run(t, "ec2-nacl-admin-ports", s) {
				if r.Region == "us-east-1" && r.Status != c.want {
					t.Errorf("got %s (%s), want %s", r.Status, r.Message, c.want)
				}
			}
		})
	}
}

func TestEC2UnknownPropagation(t *testing.T) {
	// A region whose EC2 data was never collected yields UNKNOWN for it.
	s := compliantSnapshot()
	s.EC2 = s.EC2[:1] // drop us-east-1
	for _, r := range ec2Rules() {
		st := statuses(r.Check(s))
		if st[Unknown] == 0 {
			t.Errorf("%s: no UNKNOWN for the missing region (%v)", r.ID, st)
		}
	}
	// An unreadable list yields UNKNOWN with the reason, never PASS.
	s = compliantSnapshot()
	r := ec2At(s, "us-east-1")
	r.SecurityGroups = core.Unknown[[]ec2.SecurityGroup](core.ReasonAccessDenied)
	r.Instances = core.Unknown[[]ec2.Instance](core.ReasonThrottled)
	r.FlowLogs = core.Unknown[[]ec2.FlowLog](core.ReasonAccessDenied)
	r.EBSEncryptionByDefault = core.Unknown[bool](core.ReasonAccessDenied)
	for _, id := range []string{"ec2-sg-ssh-open-to-internet", "ec2-default-sg-restricts-all", "ec2-imdsv2-required", "ec2-vpc-flow-logs", "ec2-ebs-default-encryption"} {
		var found bool
		for _, x := range run(t, id, s) {
			if x.Region == "us-east-1" {
				if x.Status != Unknown || !(strings.Contains(x.Message, "access denied") || strings.Contains(x.Message, "throttled")) {
					t.Errorf("%s: got %s %q", id, x.Status, x.Message)
				}
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no result for us-east-1", id)
		}
	}
}

func TestIMDSv2States(t *testing.T) {
	s := compliantSnapshot()
	insts := &ec2At(s, "us-east-1").Instances.V
	*insts = append(*insts,
		ec2.Instance{ID: "i-stopped", State: "stopped", Metadata: ec2.MetadataOptions{HTTPTokens: "optional"}},
		ec2.Instance{ID: "i-disabled", State: "running", Metadata: ec2.MetadataOptions{HTTPTokens: "optional", HTTPEndpoint: "disabled"}},
		ec2.Instance{ID: "i-unreported", State: "running"},
	)
	got := map[string]Status{}
	for _, r := range run(t, "ec2-imdsv2-required", s) {
		got[r.ResourceARN[strings.LastIndex(r.ResourceARN, "/")+1:]] = r.Status
	}
	want := map[string]Status{"i-1": Pass, "i-stopped": Fail, "i-disabled": Fail, "i-unreported": Unknown}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: got %s, want %s", id, got[id], w)
		}
	}
	if _, judged := got["i-old"]; judged {
		t.Error("terminated instance was judged")
	}
}

func TestDefaultSGNeedsNoRulesEitherWay(t *testing.T) {
	s := compliantSnapshot()
	g := sgNamed(s, "us-east-1", "default")
	g.Ingress = []ec2.Permission{{Protocol: "-1", GroupRefs: []ec2.GroupRef{{GroupID: g.ID}}}}
	if st := statuses(run(t, "ec2-default-sg-restricts-all", s)); st[Fail] != 1 {
		t.Errorf("self-referencing default ingress should fail: %v", st)
	}
}

func TestSnapshotSharing(t *testing.T) {
	s := compliantSnapshot()
	sn := &ec2At(s, "us-east-1").Snapshots.V[0]
	sn.CreateVolumePermissions = core.Unknown[[]ec2.VolumePermission](core.ReasonAccessDenied)
	if st := statuses(run(t, "ec2-ebs-snapshot-not-public", s)); st[Unknown] != 1 {
		t.Errorf("unreadable permissions should be UNKNOWN: %v", st)
	}
}

func TestInstancePublicIPViaENI(t *testing.T) {
	s := compliantSnapshot()
	r := ec2At(s, "us-east-1")
	r.NetworkInterfaces.V = append(r.NetworkInterfaces.V, ec2.NetworkInterface{ID: "eni-2", InstanceID: "i-1", PublicIPs: []string{"203.0.113.5"}})
	if st := statuses(run(t, "ec2-instance-no-public-ip", s)); st[Fail] != 1 {
		t.Errorf("EIP on a secondary ENI should fail: %v", st)
	}
}

func TestFlowLogVariants(t *testing.T) {
	cases := []struct {
		log  ec2.FlowLog
		want Status
	}{
		{ec2.FlowLog{ID: "f", ResourceID: "vpc-1", TrafficType: "REJECT", Status: "ACTIVE"}, Pass},
		{ec2.FlowLog{ID: "f", ResourceID: "vpc-1", TrafficType: "ACCEPT", Status: "ACTIVE"}, Fail},
		{ec2.FlowLog{ID: "f", ResourceID: "subnet-1", TrafficType: "ALL", Status: "ACTIVE"}, Fail},
	}
	for _, c := range cases {
		s := compliantSnapshot()
		ec2At(s, "us-east-1").FlowLogs = core.Known([]ec2.FlowLog{c.log})
		for _, r := range run(t, "ec2-vpc-flow-logs", s) {
			if r.Region == "us-east-1" && r.Status != c.want {
				t.Errorf("%+v: got %s (%s), want %s", c.log, r.Status, r.Message, c.want)
			}
		}
	}
}
