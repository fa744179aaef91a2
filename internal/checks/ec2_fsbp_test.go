package checks

import (
	"strings"
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
)

// addCompliantEC2FSBP completes every compliant EC2 region with what the FSBP
// hygiene and connectivity rules read, all of it compliant: an HVM running
// instance, an associated Elastic IP, an EC2 API endpoint in the VPC, a VPN
// with both tunnels up, a transit gateway that does not auto-accept, a
// Client VPN endpoint that logs, and a launch template without public IPs.
func addCompliantEC2FSBP(s *model.Snapshot) {
	for ri := range s.EC2 {
		r := &s.EC2[ri]
		name := r.Name
		meta := func(res string) core.Meta {
			return core.Meta{ARN: "arn:aws:ec2:" + name + ":" + acct + ":" + res, Account: acct, Region: name}
		}
		for i := range r.Instances.V {
			r.Instances.V[i].VirtualizationType = "hvm"
			r.Instances.V[i].StateTransitionTime = core.Known[*time.Time](nil)
		}
		no := false
		r.Addresses = core.Known([]ec2.Address{{Meta: meta("elastic-ip/eipalloc-1"), AllocationID: "eipalloc-1", PublicIP: "192.0.2.10",
			Domain: "vpc", AssociationID: "eipassoc-1", NetworkInterfaceID: "eni-lb-1"}})
		r.VPCEndpoints = core.Known([]ec2.VPCEndpoint{{Meta: meta("vpc-endpoint/vpce-ec2"), ID: "vpce-ec2", VPCID: "vpc-1",
			ServiceName: "com.amazonaws." + name + ".ec2", Type: "Interface", State: "available", OwnerID: acct}})
		r.VPNConnections = core.Known([]ec2.VPNConnection{{Meta: meta("vpn-connection/vpn-1"), ID: "vpn-1", State: "available", Type: "ipsec.1",
			VPNGatewayID: "vgw-1", Tunnels: []ec2.VPNTunnel{{OutsideIP: "198.51.100.1", Status: "UP"}, {OutsideIP: "198.51.100.2", Status: "UP"}}}})
		r.TransitGateways = core.Known([]ec2.TransitGateway{{Meta: meta("transit-gateway/tgw-1"), ID: "tgw-1", OwnerID: acct, State: "available",
			AutoAcceptSharedAttachments: "disable"}})
		r.ClientVPNEndpoints = core.Known([]ec2.ClientVPNEndpoint{{Meta: meta("client-vpn-endpoint/cvpn-endpoint-1"), ID: "cvpn-endpoint-1",
			Status: "available", ConnectionLogEnabled: core.Known(true), LogGroup: "client-vpn"}})
		r.LaunchTemplates = core.Known([]ec2.LaunchTemplate{{Meta: meta("launch-template/lt-1"), ID: "lt-1", Name: "web", DefaultVersion: 2, LatestVersion: 3,
			Default: core.Known(ec2.LaunchTemplateVersion{Number: 2, NetworkInterfaces: []ec2.LaunchTemplateENI{{DeviceIndex: 0, AssociatePublicIP: &no}}})}})
	}
}

func ec2FSBPFixtures() map[string]fixture {
	yes := true
	return map[string]fixture{
		"ec2-stopped-instance-age": failWhen(func(s *model.Snapshot) {
			i := &ec2At(s, "us-east-1").Instances.V[0]
			i.State, i.StateTransitionReason, i.StateTransitionTime = "stopped", "User initiated (2025-04-01 12:00:00 GMT)", core.Known(agoP(61))
		}),
		"ec2-vpc-ec2-endpoint": failWhen(func(s *model.Snapshot) { ec2At(s, "us-east-1").VPCEndpoints = core.Known([]ec2.VPCEndpoint{}) }),
		"ec2-eip-unused": failWhen(func(s *model.Snapshot) {
			a := &ec2At(s, "us-east-1").Addresses.V[0]
			a.AssociationID, a.NetworkInterfaceID = "", ""
		}),
		"ec2-nacl-unused": failWhen(func(s *model.Snapshot) { ec2At(s, "us-east-1").NetworkACLs.V[0].SubnetIDs = []string{} }),
		"ec2-instance-single-eni": failWhen(func(s *model.Snapshot) {
			ec2At(s, "us-east-1").Instances.V[0].NetworkInterfaceIDs = []string{"eni-1", "eni-2"}
		}),
		"ec2-vpn-tunnels-up": failWhen(func(s *model.Snapshot) {
			ec2At(s, "us-east-1").VPNConnections.V[0].Tunnels[1].Status = "DOWN"
		}),
		"ec2-sg-unused": failWhen(func(s *model.Snapshot) {
			r := ec2At(s, "us-east-1")
			r.SecurityGroups.V = append(r.SecurityGroups.V, ec2.SecurityGroup{Meta: core.Meta{ARN: "arn:aws:ec2:us-east-1:" + acct + ":security-group/sg-old",
				Account: acct, Region: "us-east-1"}, ID: "sg-old", Name: "old", VPCID: "vpc-1", OwnerID: acct})
		}),
		"ec2-tgw-no-auto-accept": failWhen(func(s *model.Snapshot) {
			ec2At(s, "us-east-1").TransitGateways.V[0].AutoAcceptSharedAttachments = "enable"
		}),
		"ec2-instance-not-paravirtual": failWhen(func(s *model.Snapshot) { ec2At(s, "us-east-1").Instances.V[0].VirtualizationType = "paravirtual" }),
		"ec2-launch-template-no-public-ip": failWhen(func(s *model.Snapshot) {
			ec2At(s, "us-east-1").LaunchTemplates.V[0].Default.V.NetworkInterfaces[0].AssociatePublicIP = &yes
		}),
		"ec2-client-vpn-connection-logging": failWhen(func(s *model.Snapshot) {
			ec2At(s, "us-east-1").ClientVPNEndpoints.V[0].ConnectionLogEnabled = core.Known(false)
		}),
	}
}

// byID runs a rule and maps the last ARN segment ("i-1") to its status.
func byID(t *testing.T, id string, s *model.Snapshot, region string) map[string]Result {
	t.Helper()
	out := map[string]Result{}
	for _, r := range run(t, id, s) {
		if r.Region == region {
			out[r.ResourceARN[strings.LastIndex(r.ResourceARN, "/")+1:]] = r
		}
	}
	return out
}

func TestStoppedInstanceAge(t *testing.T) {
	at := func(days int) core.Val[*time.Time] { return core.Known(agoP(days)) }
	cases := []struct {
		name  string
		state string
		time  core.Val[*time.Time]
		want  Status
	}{
		{"running", "running", core.Known[*time.Time](nil), Pass},
		{"stopped 5 days", "stopped", at(5), Pass},
		{"stopped exactly 30 days", "stopped", at(30), Pass},
		{"stopped 31 days", "stopped", at(31), Fail},
		// ec2-stopped-instance: NON_COMPLIANT when the time cannot be determined.
		{"stopped, no time in the reason", "stopped", core.Known[*time.Time](nil), Fail},
		{"stopped, time not collected", "stopped", core.Val[*time.Time]{}, Unknown},
		{"stopping", "stopping", core.Known[*time.Time](nil), Pass},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			i := &ec2At(s, "us-east-1").Instances.V[0]
			i.State, i.StateTransitionTime = c.state, c.time
			if got := byID(t, "ec2-stopped-instance-age", s, "us-east-1")["i-1"]; got.Status != c.want {
				t.Errorf("got %s (%s), want %s", got.Status, got.Message, c.want)
			}
		})
	}
	// Without a collection time an age cannot be measured.
	s := compliantSnapshot()
	s.CollectedAt = time.Time{}
	i := &ec2At(s, "us-east-1").Instances.V[0]
	i.State, i.StateTransitionTime = "stopped", at(100)
	if got := byID(t, "ec2-stopped-instance-age", s, "us-east-1")["i-1"]; got.Status != Unknown {
		t.Errorf("no collection time: got %s", got.Status)
	}
	if _, judged := byID(t, "ec2-stopped-instance-age", compliantSnapshot(), "us-east-1")["i-old"]; judged {
		t.Error("terminated instance was judged")
	}
}

func TestEC2EndpointMatching(t *testing.T) {
	cases := []struct {
		name, service, state string
		want                 Status
	}{
		{"interface endpoint", "com.amazonaws.us-east-1.ec2", "available", Pass},
		{"pending endpoint exists", "com.amazonaws.us-east-1.ec2", "pending", Pass},
		{"FIPS endpoint", "com.amazonaws.us-east-1.ec2-fips", "available", Pass},
		{"ec2messages is not the EC2 API", "com.amazonaws.us-east-1.ec2messages", "available", Fail},
		{"another region's service", "com.amazonaws.eu-west-1.ec2", "available", Fail},
		{"S3 gateway endpoint", "com.amazonaws.us-east-1.s3", "available", Fail},
		{"deleted endpoint", "com.amazonaws.us-east-1.ec2", "deleted", Fail},
		{"rejected endpoint", "com.amazonaws.us-east-1.ec2", "rejected", Fail},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			e := &ec2At(s, "us-east-1").VPCEndpoints.V[0]
			e.ServiceName, e.State = c.service, c.state
			if got := byID(t, "ec2-vpc-ec2-endpoint", s, "us-east-1")["vpc-1"]; got.Status != c.want {
				t.Errorf("got %s (%s), want %s", got.Status, got.Message, c.want)
			}
		})
	}
	// The endpoint must be in the VPC itself.
	s := compliantSnapshot()
	ec2At(s, "us-east-1").VPCEndpoints.V[0].VPCID = "vpc-other"
	if got := byID(t, "ec2-vpc-ec2-endpoint", s, "us-east-1")["vpc-1"]; got.Status != Fail {
		t.Errorf("endpoint in another VPC: got %s", got.Status)
	}
	s = compliantSnapshot()
	ec2At(s, "us-east-1").VPCEndpoints = core.Unknown[[]ec2.VPCEndpoint](core.ReasonAccessDenied)
	if got := byID(t, "ec2-vpc-ec2-endpoint", s, "us-east-1")["vpc-1"]; got.Status != Unknown || !strings.Contains(got.Message, "access denied") {
		t.Errorf("unreadable endpoints: got %s %q", got.Status, got.Message)
	}
}

func TestSGUnused(t *testing.T) {
	s := compliantSnapshot()
	r := ec2At(s, "us-east-1")
	g := func(id, name, owner string) ec2.SecurityGroup {
		return ec2.SecurityGroup{Meta: core.Meta{ARN: "arn:aws:ec2:us-east-1:" + owner + ":security-group/" + id}, ID: id, Name: name, OwnerID: owner}
	}
	r.SecurityGroups.V = append(r.SecurityGroups.V,
		g("sg-lambda", "lambda", acct),            // on a Lambda ENI
		g("sg-inst", "inst", acct),                // on an instance only
		g("sg-ref", "referenced", acct),           // referenced by another group's rule, attached nowhere
		g("sg-default2", "default", acct),         // a default group, even unused: not judged
		g("sg-foreign", "shared", "210987654321")) // another account's group: not judged
	r.NetworkInterfaces.V = append(r.NetworkInterfaces.V, ec2.NetworkInterface{ID: "eni-l", InterfaceType: "lambda", RequesterManaged: true,
		SecurityGroupIDs: []string{"sg-lambda"}})
	r.Instances.V[0].SecurityGroupIDs = []string{"sg-inst"}
	sgNamed(s, "us-east-1", "web").Ingress = append(sgNamed(s, "us-east-1", "web").Ingress,
		ec2.Permission{Protocol: "tcp", FromPort: 5432, ToPort: 5432, GroupRefs: []ec2.GroupRef{{GroupID: "sg-ref"}}})
	got := byID(t, "ec2-sg-unused", s, "us-east-1")
	want := map[string]Status{"sg-web": Pass, "sg-lambda": Pass, "sg-inst": Pass, "sg-ref": Fail}
	for id, w := range want {
		if got[id].Status != w {
			t.Errorf("%s: got %s (%s), want %s", id, got[id].Status, got[id].Message, w)
		}
	}
	for _, id := range []string{"sg-default", "sg-default2", "sg-foreign"} {
		if _, judged := got[id]; judged {
			t.Errorf("%s was judged", id)
		}
	}
	// ENIs unreadable: attached-by-instance still passes, the rest is unknown.
	r.NetworkInterfaces = core.Unknown[[]ec2.NetworkInterface](core.ReasonThrottled)
	got = byID(t, "ec2-sg-unused", s, "us-east-1")
	if got["sg-inst"].Status != Pass || got["sg-ref"].Status != Unknown || got["sg-web"].Status != Unknown {
		t.Errorf("unreadable ENIs: %+v", got)
	}
}

func TestInstanceSingleENI(t *testing.T) {
	cases := []struct {
		name    string
		own     []string
		enis    []ec2.NetworkInterface
		enisUnk bool
		want    Status
	}{
		{"one from the ENI list", nil, nil, false, Pass},
		{"same ENI in both sources", []string{"eni-1"}, nil, false, Pass},
		{"second ENI only in the ENI list", []string{"eni-1"}, []ec2.NetworkInterface{{ID: "eni-2", InstanceID: "i-1", InterfaceType: "efa"}}, false, Fail},
		{"two on the instance", []string{"eni-1", "eni-3"}, nil, false, Fail},
		{"none reported, ENI list unreadable", nil, nil, true, Unknown},
		{"one on the instance, ENI list unreadable", []string{"eni-1"}, nil, true, Pass},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			r := ec2At(s, "us-east-1")
			r.Instances.V[0].NetworkInterfaceIDs = c.own
			r.NetworkInterfaces.V = append(r.NetworkInterfaces.V, c.enis...)
			if c.enisUnk {
				r.NetworkInterfaces = core.Unknown[[]ec2.NetworkInterface](core.ReasonAccessDenied)
			}
			if got := byID(t, "ec2-instance-single-eni", s, "us-east-1")["i-1"]; got.Status != c.want {
				t.Errorf("got %s (%s), want %s", got.Status, got.Message, c.want)
			}
		})
	}
}

func TestVPNTunnels(t *testing.T) {
	tun := func(st ...string) []ec2.VPNTunnel {
		var out []ec2.VPNTunnel
		for i, x := range st {
			out = append(out, ec2.VPNTunnel{OutsideIP: "198.51.100." + string(rune('1'+i)), Status: x})
		}
		return out
	}
	cases := []struct {
		name    string
		state   string
		tunnels []ec2.VPNTunnel
		want    Status // "" = not judged
	}{
		{"both up", "available", tun("UP", "UP"), Pass},
		{"one down", "available", tun("UP", "DOWN"), Fail},
		{"both down", "available", tun("DOWN", "DOWN"), Fail},
		{"pending with tunnels down", "pending", tun("DOWN", "DOWN"), Fail},
		{"no telemetry", "available", nil, Unknown},
		{"one tunnel reported", "available", tun("UP"), Unknown},
		{"status missing", "available", tun("UP", ""), Unknown},
		{"deleted", "deleted", tun("DOWN", "DOWN"), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			v := &ec2At(s, "us-east-1").VPNConnections.V[0]
			v.State, v.Tunnels = c.state, c.tunnels
			got, judged := byID(t, "ec2-vpn-tunnels-up", s, "us-east-1")["vpn-1"]
			if c.want == "" {
				if judged {
					t.Errorf("deleted connection judged: %+v", got)
				}
				return
			}
			if got.Status != c.want {
				t.Errorf("got %s (%s), want %s", got.Status, got.Message, c.want)
			}
		})
	}
}

func TestEC2FSBPEdgeCases(t *testing.T) {
	// EC2.12: an address attached by instance ID alone is in use.
	s := compliantSnapshot()
	a := &ec2At(s, "us-east-1").Addresses.V[0]
	a.AssociationID, a.NetworkInterfaceID, a.InstanceID = "", "", "i-1"
	if got := byID(t, "ec2-eip-unused", s, "us-east-1")["eipalloc-1"]; got.Status != Pass {
		t.Errorf("EIP on an instance: %s", got.Status)
	}
	// EC2.16: an unassociated default NACL fails too (AWS's control does not exempt it).
	s = compliantSnapshot()
	ec2At(s, "us-east-1").NetworkACLs.V[0].SubnetIDs = nil
	if got := byID(t, "ec2-nacl-unused", s, "us-east-1")["acl-1"]; got.Status != Fail {
		t.Errorf("unassociated default NACL: %s", got.Status)
	}
	// EC2.23: unreported option is unknown; a shared-in gateway is its owner's.
	s = compliantSnapshot()
	tg := &ec2At(s, "us-east-1").TransitGateways.V[0]
	tg.AutoAcceptSharedAttachments = ""
	if got := byID(t, "ec2-tgw-no-auto-accept", s, "us-east-1")["tgw-1"]; got.Status != Unknown {
		t.Errorf("unreported auto-accept: %s", got.Status)
	}
	tg.AutoAcceptSharedAttachments, tg.OwnerID = "enable", "210987654321"
	if _, judged := byID(t, "ec2-tgw-no-auto-accept", s, "us-east-1")["tgw-1"]; judged {
		t.Error("another account's transit gateway was judged")
	}
	// EC2.24: a missing virtualization type is unknown, not HVM.
	s = compliantSnapshot()
	ec2At(s, "us-east-1").Instances.V[0].VirtualizationType = ""
	if got := byID(t, "ec2-instance-not-paravirtual", s, "us-east-1")["i-1"]; got.Status != Unknown {
		t.Errorf("unreported virtualization: %s", got.Status)
	}
	// EC2.25: only the default version counts; an unreadable one is unknown;
	// an interface that leaves the choice to the subnet passes.
	s = compliantSnapshot()
	lt := &ec2At(s, "us-east-1").LaunchTemplates.V[0]
	lt.Default.V.NetworkInterfaces = append(lt.Default.V.NetworkInterfaces, ec2.LaunchTemplateENI{DeviceIndex: 1})
	if got := byID(t, "ec2-launch-template-no-public-ip", s, "us-east-1")["lt-1"]; got.Status != Pass {
		t.Errorf("unset AssociatePublicIpAddress: %s", got.Status)
	}
	lt.Default = core.Unknown[ec2.LaunchTemplateVersion](core.ReasonAccessDenied)
	if got := byID(t, "ec2-launch-template-no-public-ip", s, "us-east-1")["lt-1"]; got.Status != Unknown {
		t.Errorf("unreadable default version: %s", got.Status)
	}
	// EC2.51: unreported logging is unknown; a deleted endpoint is not judged.
	s = compliantSnapshot()
	e := &ec2At(s, "us-east-1").ClientVPNEndpoints.V[0]
	e.ConnectionLogEnabled = core.Val[bool]{}
	if got := byID(t, "ec2-client-vpn-connection-logging", s, "us-east-1")["cvpn-endpoint-1"]; got.Status != Unknown {
		t.Errorf("unreported logging: %s", got.Status)
	}
	e.Status, e.ConnectionLogEnabled = "deleted", core.Known(false)
	if _, judged := byID(t, "ec2-client-vpn-connection-logging", s, "us-east-1")["cvpn-endpoint-1"]; judged {
		t.Error("deleted Client VPN endpoint was judged")
	}
}

// TestEC2FSBPUnknownLists: every new list, when unreadable, yields UNKNOWN
// with the reason for its region, never PASS.
func TestEC2FSBPUnknownLists(t *testing.T) {
	s := compliantSnapshot()
	r := ec2At(s, "us-east-1")
	r.Addresses = core.Unknown[[]ec2.Address](core.ReasonAccessDenied)
	r.VPNConnections = core.Unknown[[]ec2.VPNConnection](core.ReasonAccessDenied)
	r.TransitGateways = core.Unknown[[]ec2.TransitGateway](core.ReasonAccessDenied)
	r.ClientVPNEndpoints = core.Unknown[[]ec2.ClientVPNEndpoint](core.ReasonNotSupported)
	r.LaunchTemplates = core.Unknown[[]ec2.LaunchTemplate](core.ReasonAccessDenied)
	for _, id := range []string{"ec2-eip-unused", "ec2-vpn-tunnels-up", "ec2-tgw-no-auto-accept", "ec2-client-vpn-connection-logging",
		"ec2-launch-template-no-public-ip"} {
		found := false
		for _, x := range run(t, id, s) {
			if x.Region != "us-east-1" {
				continue
			}
			found = true
			if x.Status != Unknown || !(strings.Contains(x.Message, "access denied") || strings.Contains(x.Message, "not supported")) {
				t.Errorf("%s: got %s %q", id, x.Status, x.Message)
			}
		}
		if !found {
			t.Errorf("%s: no result for us-east-1", id)
		}
	}
}
