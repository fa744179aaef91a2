package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/testutil/moto"
)

// The network estate of TestNetworkExposure, in us-east-1 (docs/network.md):
//
//	vpc 10.20.0.0/16, igw attached
//	  pub-a  10.20.1.0/24  rtb-pub  (0.0.0.0/0 -> igw)   i-web (public IP; sg-admin: tcp 22, 80 from 0.0.0.0/0), NAT gateway, ALB node
//	  pub-b  10.20.2.0/24  rtb-pub                       ALB node
//	  priv   10.20.3.0/24  rtb-priv (0.0.0.0/0 -> nat)   i-private (no public IP; sg-admin, sg-db: tcp 5432 from 0.0.0.0/0), i-app (sg-app: tcp 8080 from sg-alb)
//	  noret  10.20.4.0/24  rtb-pub                       i-blocked (public IP; sg-admin); acl-noret allows everything in but only tcp 0-1023 out
//	web-alb: internet-facing ALB in pub-a and pub-b, sg-alb (tcp 80 from 0.0.0.0/0), HTTP 80 -> tg-app (HTTP 8080, i-app)
//
// What the internet reaches: i-web on 22 and 80 (public IP, route to the
// IGW, default NACL, sg-admin), the ALB on 80, and i-app on 8080 through it.
// Not: i-private (no public address; the NAT gateway carries only outbound
// connections), i-blocked (its NACL drops the responses to the clients'
// ephemeral ports), i-app directly (private).
const netAMI = "ami-0e2c8caa4b6378d8c"

// netEstate holds the IDs and ARNs the assertions name.
type netEstate struct {
	account                                string
	web, private, blocked, app             string // instance IDs
	sgAdmin, sgDB, sgApp, sgALB, alb       string
	webARN, privateARN, blockedARN, appARN string
}

func (e netEstate) instanceARN(id string) string {
	return "arn:aws:ec2:us-east-1:" + e.account + ":instance/" + id
}

type netBuilder struct {
	t   *testing.T
	ctx context.Context
	ec2 *ec2.Client
	elb *elb.Client
}

func (b netBuilder) must(err error, what string) {
	b.t.Helper()
	if err != nil {
		b.t.Fatalf("build %s: %v", what, err)
	}
}

func (b netBuilder) subnet(vpc, cidr, az string) string {
	out, err := b.ec2.CreateSubnet(b.ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String(cidr), AvailabilityZone: aws.String(az)})
	b.must(err, "subnet "+cidr)
	return aws.ToString(out.Subnet.SubnetId)
}

func (b netBuilder) routeTable(vpc string, route ec2.CreateRouteInput, subnets ...string) {
	out, err := b.ec2.CreateRouteTable(b.ctx, &ec2.CreateRouteTableInput{VpcId: aws.String(vpc)})
	b.must(err, "route table")
	route.RouteTableId = out.RouteTable.RouteTableId
	route.DestinationCidrBlock = aws.String("0.0.0.0/0")
	_, err = b.ec2.CreateRoute(b.ctx, &route)
	b.must(err, "default route")
	for _, sn := range subnets {
		_, err := b.ec2.AssociateRouteTable(b.ctx, &ec2.AssociateRouteTableInput{RouteTableId: out.RouteTable.RouteTableId, SubnetId: aws.String(sn)})
		b.must(err, "route table association")
	}
}

func (b netBuilder) sg(vpc, name string, perms ...ec2types.IpPermission) string {
	out, err := b.ec2.CreateSecurityGroup(b.ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(name), VpcId: aws.String(vpc)})
	b.must(err, "security group "+name)
	if len(perms) > 0 {
		_, err = b.ec2.AuthorizeSecurityGroupIngress(b.ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: out.GroupId, IpPermissions: perms})
		b.must(err, "ingress of "+name)
	}
	return aws.ToString(out.GroupId)
}

func netTCP(port int32, from string) ec2types.IpPermission {
	p := ec2types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port)}
	if strings.HasPrefix(from, "sg-") {
		p.UserIdGroupPairs = []ec2types.UserIdGroupPair{{GroupId: aws.String(from)}}
	} else {
		p.IpRanges = []ec2types.IpRange{{CidrIp: aws.String(from)}}
	}
	return p
}

func (b netBuilder) instance(subnet string, public bool, sgs ...string) string {
	out, err := b.ec2.RunInstances(b.ctx, &ec2.RunInstancesInput{
		ImageId: aws.String(netAMI), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		NetworkInterfaces: []ec2types.InstanceNetworkInterfaceSpecification{{
			DeviceIndex: aws.Int32(0), SubnetId: aws.String(subnet), Groups: sgs, AssociatePublicIpAddress: aws.Bool(public),
		}},
	})
	b.must(err, "instance")
	return aws.ToString(out.Instances[0].InstanceId)
}

func buildNetEstate(t *testing.T, srv *moto.Server) netEstate {
	cfg := srv.Config("us-east-1", srv.Account)
	b := netBuilder{t: t, ctx: context.Background(), ec2: ec2.NewFromConfig(cfg), elb: elb.NewFromConfig(cfg)}
	e := netEstate{account: srv.Account}

	vpcOut, err := b.ec2.CreateVpc(b.ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.20.0.0/16")})
	b.must(err, "vpc")
	vpc := aws.ToString(vpcOut.Vpc.VpcId)
	igw, err := b.ec2.CreateInternetGateway(b.ctx, &ec2.CreateInternetGatewayInput{})
	b.must(err, "internet gateway")
	_, err = b.ec2.AttachInternetGateway(b.ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: igw.InternetGateway.InternetGatewayId, VpcId: aws.String(vpc)})
	b.must(err, "attach internet gateway")

	pubA := b.subnet(vpc, "10.20.1.0/24", "us-east-1a")
	pubB := b.subnet(vpc, "10.20.2.0/24", "us-east-1b")
	priv := b.subnet(vpc, "10.20.3.0/24", "us-east-1a")
	noret := b.subnet(vpc, "10.20.4.0/24", "us-east-1a")
	b.routeTable(vpc, ec2.CreateRouteInput{GatewayId: igw.InternetGateway.InternetGatewayId}, pubA, pubB, noret)

	eip, err := b.ec2.AllocateAddress(b.ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc})
	b.must(err, "elastic IP")
	nat, err := b.ec2.CreateNatGateway(b.ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(pubA), AllocationId: eip.AllocationId})
	b.must(err, "NAT gateway")
	b.routeTable(vpc, ec2.CreateRouteInput{NatGatewayId: nat.NatGateway.NatGatewayId}, priv)

	// acl-noret: everything in, but only tcp 0-1023 out, so the responses to
	// a client's ephemeral port (1024-65535) are dropped.
	acl, err := b.ec2.CreateNetworkAcl(b.ctx, &ec2.CreateNetworkAclInput{VpcId: aws.String(vpc)})
	b.must(err, "network ACL")
	for _, en := range []ec2.CreateNetworkAclEntryInput{
		{RuleNumber: aws.Int32(100), Egress: aws.Bool(false), Protocol: aws.String("-1"), RuleAction: ec2types.RuleActionAllow, CidrBlock: aws.String("0.0.0.0/0")},
		{RuleNumber: aws.Int32(100), Egress: aws.Bool(true), Protocol: aws.String("6"), RuleAction: ec2types.RuleActionAllow, CidrBlock: aws.String("0.0.0.0/0"),
			PortRange: &ec2types.PortRange{From: aws.Int32(0), To: aws.Int32(1023)}},
	} {
		en.NetworkAclId = acl.NetworkAcl.NetworkAclId
		_, err := b.ec2.CreateNetworkAclEntry(b.ctx, &en)
		b.must(err, "network ACL entry")
	}
	assoc, err := b.ec2.DescribeNetworkAcls(b.ctx, &ec2.DescribeNetworkAclsInput{Filters: []ec2types.Filter{{Name: aws.String("association.subnet-id"), Values: []string{noret}}}})
	b.must(err, "network ACL association")
	var assocID *string
	for _, a := range assoc.NetworkAcls {
		for _, as := range a.Associations {
			if aws.ToString(as.SubnetId) == noret {
				assocID = as.NetworkAclAssociationId
			}
		}
	}
	if assocID == nil {
		t.Fatalf("no network ACL association for subnet %s", noret)
	}
	_, err = b.ec2.ReplaceNetworkAclAssociation(b.ctx, &ec2.ReplaceNetworkAclAssociationInput{AssociationId: assocID, NetworkAclId: acl.NetworkAcl.NetworkAclId})
	b.must(err, "replace network ACL association")

	e.sgAdmin = b.sg(vpc, "admin", netTCP(22, "0.0.0.0/0"), netTCP(80, "0.0.0.0/0"))
	e.sgDB = b.sg(vpc, "db", netTCP(5432, "0.0.0.0/0"))
	e.sgALB = b.sg(vpc, "alb", netTCP(80, "0.0.0.0/0"))
	e.sgApp = b.sg(vpc, "app", netTCP(8080, e.sgALB))

	e.web = b.instance(pubA, true, e.sgAdmin)
	e.private = b.instance(priv, false, e.sgAdmin, e.sgDB)
	e.blocked = b.instance(noret, true, e.sgAdmin)
	e.app = b.instance(priv, false, e.sgApp)
	e.webARN, e.privateARN, e.blockedARN, e.appARN = e.instanceARN(e.web), e.instanceARN(e.private), e.instanceARN(e.blocked), e.instanceARN(e.app)

	lb, err := b.elb.CreateLoadBalancer(b.ctx, &elb.CreateLoadBalancerInput{Name: aws.String("web-alb"), Subnets: []string{pubA, pubB},
		SecurityGroups: []string{e.sgALB}, Scheme: elbtypes.LoadBalancerSchemeEnumInternetFacing, Type: elbtypes.LoadBalancerTypeEnumApplication})
	b.must(err, "load balancer")
	e.alb = aws.ToString(lb.LoadBalancers[0].LoadBalancerArn)
	tg, err := b.elb.CreateTargetGroup(b.ctx, &elb.CreateTargetGroupInput{Name: aws.String("tg-app"), Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(8080), VpcId: aws.String(vpc), TargetType: elbtypes.TargetTypeEnumInstance})
	b.must(err, "target group")
	_, err = b.elb.RegisterTargets(b.ctx, &elb.RegisterTargetsInput{TargetGroupArn: tg.TargetGroups[0].TargetGroupArn,
		Targets: []elbtypes.TargetDescription{{Id: aws.String(e.app)}}})
	b.must(err, "register target")
	_, err = b.elb.CreateListener(b.ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(e.alb), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(80),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tg.TargetGroups[0].TargetGroupArn}}})
	b.must(err, "listener")
	return e
}

// exposureItem is one element of `demarc net exposure --output json`.
type exposureItem struct {
	ResourceARN string   `json:"resource_arn"`
	Protocol    string   `json:"protocol"`
	FromPort    int      `json:"from_port"`
	ToPort      int      `json:"to_port"`
	Path        []string `json:"path"`
	Status      string   `json:"status"`
	Reason      string   `json:"reason"`
}

func (x exposureItem) key() string {
	return x.ResourceARN + " " + x.Protocol + " " + itoa(x.FromPort) + "-" + itoa(x.ToPort)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestNetworkExposure(t *testing.T) {
	t.Parallel()
	srv := moto.Start(t)
	e := buildNetEstate(t, srv)
	env := moto.EnvFor(srv.URL, moto.AccessKey, moto.SecretKey)
	snap := filepath.Join(t.TempDir(), "net.json.gz")

	r := demarc(t, env, "collect", "--region", "us-east-1", "--role-arn", moto.RoleARN(e.account), "-o", snap)
	if r.Exit != 0 {
		t.Fatalf("demarc collect: exit %d\n%s", r.Exit, r.Stderr)
	}
	s, err := model.Load(snap)
	if err != nil {
		t.Fatal(err)
	}
	if s.AccountID != e.account {
		t.Fatalf("collected account %s, want %s", s.AccountID, e.account)
	}
	if len(s.EC2) != 1 || !s.EC2[0].NetworkInterfaces.Ok || len(s.ELBv2) != 1 || !s.ELBv2[0].LoadBalancers.Ok {
		t.Fatalf("the binary did not collect EC2 and ELBv2 (internal/collect/all.go must list ec2.New() and elbv2.New()); errors: %+v", s.Errors)
	}

	r = demarc(t, env, "net", "exposure", "--snapshot", snap, "--output", "json", "--include-unknown")
	if r.Exit != 0 {
		t.Fatalf("demarc net exposure: exit %d\n%s", r.Exit, r.Stderr)
	}
	dump(t, "exposure", r.Stdout)
	var items []exposureItem
	if err := json.Unmarshal([]byte(r.Stdout), &items); err != nil {
		t.Fatalf("exposure JSON: %v\n%s", err, r.Stdout)
	}
	var got []string
	for _, x := range items {
		if x.Status == "unknown" {
			t.Errorf("undecided exposure (every input is collected): %+v", x)
			continue
		}
		got = append(got, x.key())
		if len(x.Path) == 0 {
			t.Errorf("%s: no path", x.key())
		}
	}
	want := []string{
		e.webARN + " tcp 22-22",
		e.webARN + " tcp 80-80",
		e.alb + " tcp 80-80",
		e.appARN + " tcp 8080-8080",
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("exposures differ\ngot:\n  %s\nwant:\n  %s\n(i-web %s, i-private %s, i-blocked %s, i-app %s)",
			strings.Join(got, "\n  "), strings.Join(want, "\n  "), e.web, e.private, e.blocked, e.app)
	}
	for _, x := range items {
		if x.ResourceARN == e.appARN && !strings.Contains(strings.Join(x.Path, "\n"), "web-alb") {
			t.Errorf("i-app is exposed through web-alb; path:\n%s", strings.Join(x.Path, "\n"))
		}
	}

	// Why the others are closed, hop by hop.
	for _, c := range []struct {
		to, port, control string
	}{
		{e.blocked, "22/tcp", "nacl-outbound"},
		{e.private, "22/tcp", "public-ip"},
		{e.app, "8080/tcp", ""}, // reachable through the ALB
	} {
		r := demarc(t, env, "net", "reach", "--snapshot", snap, "--to", c.to, "--port", c.port, "--output", "json")
		var res struct {
			Verdict string `json:"verdict"`
			Paths   []struct {
				Verdict   string `json:"verdict"`
				BlockedBy *struct {
					Control string `json:"control"`
				} `json:"blocked_by"`
			} `json:"paths"`
		}
		if err := json.Unmarshal([]byte(r.Stdout), &res); err != nil {
			t.Errorf("net reach %s: %v (exit %d)\n%s%s", c.to, err, r.Exit, r.Stdout, r.Stderr)
			continue
		}
		if c.control == "" {
			if res.Verdict != "reachable" {
				t.Errorf("net reach %s %s: %s, want reachable", c.to, c.port, res.Verdict)
			}
			continue
		}
		if res.Verdict != "not-reachable" || len(res.Paths) == 0 || res.Paths[0].BlockedBy == nil || res.Paths[0].BlockedBy.Control != c.control {
			t.Errorf("net reach %s %s: %s\n%s", c.to, c.port, res.Verdict, r.Stdout)
		}
	}

	// The rules built on the analyzer, from the same snapshot.
	r = demarc(t, env, "scan", "--snapshot", snap, "--output", "json")
	if r.Exit != 0 {
		t.Fatalf("demarc scan: exit %d\n%s", r.Exit, r.Stderr)
	}
	d := parseScan(t, r)
	for _, c := range []struct{ rule, arn, want, has string }{
		{"net-admin-port-internet-reachable", e.webARN, "FAIL", "tcp/22 (SSH)"},
		{"net-admin-port-internet-reachable", e.privateARN, "PASS", ""},
		{"net-admin-port-internet-reachable", e.blockedARN, "PASS", ""},
		{"net-admin-port-internet-reachable", e.appARN, "PASS", ""},
		{"net-admin-port-internet-reachable", e.alb, "PASS", ""},
		{"net-open-sg-not-reachable", "security-group/" + e.sgAdmin, "FAIL", "IS reachable"},
		{"net-open-sg-not-reachable", "security-group/" + e.sgDB, "FAIL", "stopped by public-ip"},
		{"net-open-sg-not-reachable", "security-group/" + e.sgApp, "PASS", ""},
		// The CIS pattern rule keeps flagging the group that nothing reaches.
		{"ec2-sg-high-risk-ports", "security-group/" + e.sgDB, "FAIL", ""},
	} {
		var found bool
		for _, x := range d.Results {
			if x.RuleID != c.rule || !strings.HasSuffix(x.ResourceARN, c.arn) {
				continue
			}
			found = true
			if x.Status != c.want || !strings.Contains(x.Message, c.has) {
				t.Errorf("%s on %s: %s %q, want %s containing %q", c.rule, c.arn, x.Status, x.Message, c.want, c.has)
			}
		}
		if !found {
			t.Errorf("%s: no result for %s", c.rule, c.arn)
		}
	}
	if os.Getenv("DEMARC_E2E_DUMP") != "" {
		dump(t, "scan", r.Stdout)
	}
}
