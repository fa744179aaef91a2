package checks

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/analyze/reach"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/elbv2"
)

// Reachability rules: they judge what the internet can actually reach
// (public address, route to an attached internet gateway, network ACLs both
// ways, security groups, internet-facing load balancers) with the analyzer in
// internal/analyze/reach, instead of flagging every 0.0.0.0/0 pattern. The
// pattern rules of ec2.go stay as they are: CIS and FSBP ask for the pattern.

// netPort is a port attackers scan the internet for: remote administration,
// databases, caches, search engines and control planes that should never
// face the internet.
type netPort struct {
	proto string // tcp | udp
	port  int
	name  string
}

// netAdminPorts are the ports the reachability rules judge, sorted.
var netAdminPorts = []netPort{
	{"tcp", 21, "FTP"}, {"tcp", 22, "SSH"}, {"tcp", 23, "Telnet"}, {"tcp", 135, "MS RPC"}, {"tcp", 139, "NetBIOS"},
	{"tcp", 445, "SMB/CIFS"}, {"tcp", 1433, "SQL Server"}, {"tcp", 1521, "Oracle"}, {"tcp", 2375, "Docker API"},
	{"tcp", 2376, "Docker API (TLS)"}, {"tcp", 2379, "etcd"}, {"tcp", 2380, "etcd peer"}, {"tcp", 3306, "MySQL/MariaDB"},
	{"tcp", 3389, "RDP"}, {"tcp", 5432, "PostgreSQL"}, {"tcp", 5601, "Kibana"}, {"tcp", 5900, "VNC"},
	{"tcp", 5984, "CouchDB"}, {"tcp", 5985, "WinRM"}, {"tcp", 5986, "WinRM (HTTPS)"}, {"tcp", 6379, "Redis"},
	{"tcp", 9042, "Cassandra"}, {"tcp", 9200, "Elasticsearch/OpenSearch"}, {"tcp", 9300, "Elasticsearch transport"},
	{"tcp", 10250, "kubelet"}, {"tcp", 11211, "Memcached"}, {"udp", 11211, "Memcached"}, {"tcp", 27017, "MongoDB"},
}

func (p netPort) String() string { return fmt.Sprintf("%s/%d (%s)", p.proto, p.port, p.name) }

func (p netPort) protoNum() int {
	if p.proto == "udp" {
		return 17
	}
	return 6
}

func netPortsText() string {
	seen := map[int]bool{}
	var ps []string
	for _, p := range netAdminPorts {
		if !seen[p.port] {
			seen[p.port] = true
			ps = append(ps, fmt.Sprint(p.port))
		}
	}
	return strings.Join(ps, ", ")
}

const reachDocs = "https://docs.aws.amazon.com/vpc/latest/userguide/infrastructure-security.html"

func networkRules() []Rule {
	return []Rule{
		{
			ID:             "net-admin-port-internet-reachable",
			Title:          "No administration or database port is actually reachable from the internet",
			Service:        "vpc",
			Severity:       Critical,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{},
			Description: "demarc follows the internet to every instance, network interface and load balancer as AWS " +
				"would: a public IPv4 address or Elastic IP (or an IPv6 global address), a route from the subnet to an " +
				"internet gateway attached to the VPC, the subnet's network ACL inbound and outbound (stateless: the " +
				"responses to the client's ephemeral ports need an outbound rule), the security groups (stateful), and " +
				"internet-facing load balancers through their listeners to their targets. A resource FAILs when one of " +
				"the ports " + netPortsText() + " (remote administration, databases, caches, search, container and " +
				"cluster control planes) gets through every control; the message names the path hop by hop. " +
				"UNKNOWN when an input needed to decide was not collected.",
			Remediation: "Close the path at the control the finding names, ideally more than one:\n" +
				"  aws ec2 revoke-security-group-ingress --group-id SG --ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=0.0.0.0/0}]'\n" +
				"  aws ec2 disassociate-address --association-id eipassoc-…   # or launch without a public IP\n" +
				"  aws ec2 create-network-acl-entry --network-acl-id ACL --ingress --rule-number 50 --protocol tcp \\\n" +
				"      --port-range From=22,To=22 --cidr-block 0.0.0.0/0 --rule-action deny\n" +
				"Reach instances through SSM Session Manager or a VPN instead of an open port, and keep databases in private subnets.\n" +
				"Terraform: aws_vpc_security_group_ingress_rule { cidr_ipv4 = \"10.0.0.0/8\" … } instead of \"0.0.0.0/0\";\n" +
				"  aws_instance { associate_public_ip_address = false }; aws_network_acl_rule { rule_action = \"deny\" … }",
			Links: []string{
				"https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html",
				"https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html",
				"https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html",
				"https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html",
			},
			Check: checkAdminPortReachable,
		},
		{
			ID:             "net-open-sg-not-reachable",
			Title:          "Security group rules open to 0.0.0.0/0 or ::/0 on administration or database ports (judged by actual reachability)",
			Service:        "vpc",
			Severity:       Low,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{},
			Description: "A security group rule that opens one of the ports " + netPortsText() + " to 0.0.0.0/0 or ::/0 " +
				"is a latent exposure even when nothing can use it today. demarc asks its reachability analyzer, for " +
				"every network interface that uses the group, whether the internet can in fact get there, and names " +
				"the control that stops it (no public address, no route to an internet gateway, a network ACL rule, " +
				"or the group being attached to nothing). Such a rule FAILs at low severity with that explanation, " +
				"instead of the critical alarm a pattern scanner raises; if the port is in fact reachable the message " +
				"says so and net-admin-port-internet-reachable FAILs critically. PASS when the group has no such rule.",
			Remediation: "Remove the latent exposure before a route, an Elastic IP or a NACL change makes it real:\n" +
				"  aws ec2 revoke-security-group-ingress --group-id SG --security-group-rule-ids sgr-…\n" +
				"  aws ec2 authorize-security-group-ingress --group-id SG --ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=10.0.0.0/8}]'\n" +
				"Terraform: aws_vpc_security_group_ingress_rule { cidr_ipv4 = \"10.0.0.0/8\" … } or referenced_security_group_id = aws_security_group.bastion.id",
			Links: []string{
				"https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
				"https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html",
				"https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html",
			},
			Check: checkOpenSGNotReachable,
		},
	}
}

// regionNetwork indexes one region of the snapshot for the analyzer, or
// returns nil when the region's EC2/VPC data was not collected.
func regionNetwork(s *model.Snapshot, name string) *reach.Network {
	for i := range s.EC2 {
		if s.EC2[i].Name != name {
			continue
		}
		sub := *s
		sub.EC2 = s.EC2[i : i+1]
		sub.ELBv2 = nil
		for j := range s.ELBv2 {
			if s.ELBv2[j].Name == name {
				sub.ELBv2 = s.ELBv2[j : j+1]
			}
		}
		return reach.New(&sub)
	}
	return nil
}

// judgedENI reports whether the analyzer judges an interface on its own:
// load balancer and NAT gateway interfaces are judged through their service,
// and an interface attached to nothing carries no traffic.
func judgedENI(e ec2.NetworkInterface) bool {
	switch {
	case strings.HasPrefix(e.Description, "ELB "),
		e.InterfaceType == "nat_gateway", e.InterfaceType == "natGateway",
		strings.EqualFold(e.Status, "available"):
		return false
	}
	return true
}

// arnLabel names a resource for a message: "instance i-1", "load balancer
// app/web/1", or the ARN itself.
func arnLabel(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return arn
	}
	kind, id, ok := strings.Cut(parts[5], "/")
	if !ok {
		return arn
	}
	switch kind {
	case "instance":
		return "instance " + id
	case "network-interface":
		return "network interface " + id
	case "loadbalancer":
		return "load balancer " + id
	case "targetgroup":
		return "target group " + id
	}
	return strings.ReplaceAll(kind, "-", " ") + " " + id
}

// exposureFinding collects what the rule found for one resource.
type exposureFinding struct {
	arn      string
	reached  []netPort
	paths    map[netPort][]string
	unknowns []string
}

func checkAdminPortReachable(s *model.Snapshot) []Result {
	var out []Result
	for _, name := range snapshotRegions(s) {
		n := regionNetwork(s, name)
		if n == nil {
			out = append(out, UnknownR(regionalARN(s, "ec2", name, "instance/*"), name,
				"EC2/VPC data for region %s was not collected: what the internet can reach there is unknown", name))
			continue
		}
		out = append(out, adminExposure(s, name, n)...)
	}
	return out
}

func adminExposure(s *model.Snapshot, region string, n *reach.Network) []Result {
	found := map[string]*exposureFinding{}
	var order []string
	get := func(arn string) *exposureFinding {
		f := found[arn]
		if f == nil {
			f = &exposureFinding{arn: arn, paths: map[netPort][]string{}}
			found[arn] = f
			order = append(order, arn)
		}
		return f
	}
	// Every resource the analyzer can judge gets a result, so a PASS says
	// "judged and closed", not "not looked at".
	if r := s.EC2Region(region); r != nil {
		if enis, ok := r.NetworkInterfaces.Get(); ok {
			for _, e := range enis {
				if !judgedENI(e) {
					continue
				}
				if arn, err := n.ResourceARN(e.ID); err == nil {
					get(arn)
				}
			}
		}
		if insts, ok := r.Instances.Get(); ok {
			for _, in := range insts {
				if !liveInstance(in) {
					continue
				}
				if arn, err := n.ResourceARN(in.ID); err == nil {
					get(arn)
				}
			}
		}
	}
	for _, er := range s.ELBv2 {
		if er.Name != region {
			continue
		}
		lbs, _ := er.LoadBalancers.Get()
		for _, l := range lbs {
			get(l.ARN)
		}
	}

	rep := n.Exposure()
	for _, e := range rep.Exposures {
		for _, p := range netAdminPorts {
			if e.Protocol == p.proto && e.FromPort <= p.port && p.port <= e.ToPort {
				f := get(e.ResourceARN)
				f.reached = append(f.reached, p)
				f.paths[p] = e.Path
			}
		}
	}
	for _, u := range rep.Unknown {
		var hit []string
		for _, p := range netAdminPorts {
			if (u.Protocol == "" || u.Protocol == p.proto || u.Protocol == "all") && (u.FromPort < 0 || u.FromPort <= p.port && p.port <= u.ToPort) {
				hit = append(hit, fmt.Sprintf("%s/%d", p.proto, p.port))
			}
		}
		if len(hit) == 0 {
			continue
		}
		what := "every admin/database port"
		if u.FromPort >= 0 {
			what = strings.Join(hit, ", ")
		}
		get(u.ResourceARN).unknowns = append(get(u.ResourceARN).unknowns, what+": "+u.Reason)
	}

	sort.Strings(order)
	out := make([]Result, 0, len(order))
	for _, arn := range order {
		f := found[arn]
		label := arnLabel(arn)
		switch {
		case len(f.reached) > 0:
			var ports []string
			for _, p := range f.reached {
				ports = append(ports, p.String())
			}
			first := f.reached[0]
			path := f.paths[first]
			// Ask for the exact port: the exposure path is that of the first
			// port of a merged range, which may go through other rules.
			if res, err := n.ReachFromInternet(arn, first.protoNum(), first.port, -1); err == nil && res.Reachable() {
				path = res.Paths[0].Strings()
			}
			msg := fmt.Sprintf("%s is reachable from the internet on %s; path for %s: %s",
				label, strings.Join(ports, ", "), first, strings.Join(path, " -> "))
			if len(f.unknowns) > 0 {
				msg += "; also unknown: " + strings.Join(f.unknowns, "; ")
			}
			out = append(out, FailR(arn, region, "%s", msg))
		case len(f.unknowns) > 0:
			out = append(out, UnknownR(arn, region, "%s: whether the internet can reach an admin or database port is unknown: %s",
				label, strings.Join(f.unknowns, "; ")))
		default:
			out = append(out, PassR(arn, region, "%s: none of the %d administration and database ports (SSH, RDP, databases, caches, …) is reachable from the internet", label, len(netAdminPorts)))
		}
	}
	return out
}

// openAdminRule is one admin port a security group opens to the internet.
type openAdminRule struct {
	port    netPort
	sources []string
	rule    string
}

// openAdminRules lists the admin ports a group opens to 0.0.0.0/0 or ::/0.
func openAdminRules(g ec2.SecurityGroup) []openAdminRule {
	var out []openAdminRule
	seen := map[netPort]int{}
	for _, perm := range g.Ingress {
		src := internetSources(perm, true, true)
		if len(src) == 0 {
			continue
		}
		for _, p := range netAdminPorts {
			if !permCovers(perm, p.proto, int32(p.port)) {
				continue
			}
			if i, ok := seen[p]; ok {
				out[i].sources = uniq(append(out[i].sources, src...))
				continue
			}
			seen[p] = len(out)
			out = append(out, openAdminRule{port: p, sources: src, rule: describePerm(perm)})
		}
	}
	return out
}

func checkOpenSGNotReachable(s *model.Snapshot) []Result {
	return eachEC2Region(s, "security-group/*", func(r *ec2.Region) []Result {
		groups, unk := knownList(r.SecurityGroups, regionalARN(s, "ec2", r.Name, "security-group/*"), r.Name, "security groups")
		if unk != nil {
			return unk
		}
		var n *reach.Network
		viaLB := mayEnterThroughLB(s, r.Name)
		out := make([]Result, 0, len(groups))
		for _, g := range groups {
			arn, region := sgARN(s, r.Name, g), regionOr(g.Meta, r.Name)
			opens := openAdminRules(g)
			if len(opens) == 0 {
				out = append(out, PassR(arn, region, "security group %s (%s) opens no administration or database port to 0.0.0.0/0 or ::/0", g.ID, g.Name))
				continue
			}
			if n == nil {
				n = regionNetwork(s, r.Name)
			}
			out = append(out, judgeOpenGroup(n, viaLB, g, arn, region, opens))
		}
		return out
	})
}

// eniVerdict is the analyzer's answer for one interface of a group.
type eniVerdict struct {
	who     string
	verdict reach.Verdict
	text    string
}

func judgeOpenGroup(n *reach.Network, viaLB bool, g ec2.SecurityGroup, arn, region string, opens []openAdminRule) Result {
	var reachable, unknown, blocked []string
	// Once every interface is stopped by a control that ignores ports (no
	// public address, no route, attached to nothing), the answer holds for
	// every other port: reuse it instead of asking again.
	var portFree []reach.OpenRuleCheck
	for _, o := range opens {
		head := fmt.Sprintf("%s open to %s by rule %s", o.port, strings.Join(o.sources, ", "), o.rule)
		checks, err := portFree, error(nil)
		if checks == nil {
			checks, err = n.CheckOpenRule(g.ID, o.port.proto, o.port.port)
			if err == nil && portIndependent(checks) {
				portFree = checks
			}
		}
		if err != nil {
			if errors.Is(err, reach.ErrNotFound) {
				err = fmt.Errorf("the analyzer does not know the group: %w", err)
			}
			unknown = append(unknown, fmt.Sprintf("%s: %v", head, err))
			continue
		}
		var vs []eniVerdict
		for _, c := range checks {
			vs = append(vs, eniJudgement(n, viaLB, c, o.port))
		}
		var open, unk, shut []string
		for _, v := range vs {
			switch v.verdict {
			case reach.Reachable:
				open = append(open, v.who+": "+v.text)
			case reach.Unknown:
				unk = append(unk, v.who+": "+v.text)
			default:
				shut = append(shut, v.who+": "+v.text)
			}
		}
		switch {
		case len(open) > 0:
			reachable = append(reachable, fmt.Sprintf("%s IS reachable from the internet (see net-admin-port-internet-reachable): %s", head, capList(open)))
		case len(unk) > 0:
			unknown = append(unknown, fmt.Sprintf("%s: reachability unknown: %s", head, capList(unk)))
		default:
			blocked = append(blocked, fmt.Sprintf("%s, but not reachable from the internet: %s", head, capList(shut)))
		}
	}
	who := fmt.Sprintf("security group %s (%s)", g.ID, g.Name)
	switch {
	case len(reachable) > 0:
		return FailR(arn, region, "%s: %s", who, strings.Join(append(append(reachable, blocked...), unknown...), "; "))
	case len(unknown) > 0:
		// A port whose reachability is unknown may be open: never report
		// the group as merely latent.
		return UnknownR(arn, region, "%s: %s", who, strings.Join(append(unknown, blocked...), "; "))
	}
	return FailR(arn, region, "%s: latent exposure: %s", who, strings.Join(blocked, "; "))
}

// eniJudgement turns the analyzer's open-rule check into a verdict line. A
// direct path that is closed may still be open through an internet-facing
// load balancer (a Network Load Balancer that preserves client IPs lets the
// internet's addresses reach the 0.0.0.0/0 rule from a private subnet), so
// the full question is asked before calling the rule latent.
//
// viaLB is false when the region has no load balancer the internet can enter
// through (all known, none internet-facing): the question is then skipped.
func eniJudgement(n *reach.Network, viaLB bool, c reach.OpenRuleCheck, p netPort) eniVerdict {
	who := c.ENI
	if c.ResourceARN != "" && !strings.Contains(c.ResourceARN, ":network-interface/") {
		who = fmt.Sprintf("%s (%s)", c.ENI, arnLabel(c.ResourceARN))
	}
	if who == "" {
		who = "no interface"
	}
	v := eniVerdict{who: who, verdict: c.Verdict}
	switch c.Verdict {
	case reach.Reachable:
		v.text = c.Reason
		return v
	case reach.Unknown:
		v.text = c.Reason
		return v
	}
	v.text = fmt.Sprintf("stopped by %s: %s", c.StoppedBy, c.Reason)
	if c.ENI == "" || !viaLB {
		return v
	}
	full, err := n.ReachFromInternet(c.ENI, p.protoNum(), p.port, -1)
	if err != nil || full.Verdict == reach.NotReachable {
		return v
	}
	for _, path := range full.Paths {
		if path.Verdict != full.Verdict {
			continue
		}
		v.verdict = full.Verdict
		if full.Verdict == reach.Reachable {
			v.text = "reachable through " + orDirect(path.Via) + ": " + strings.Join(path.Strings(), " -> ")
		} else {
			v.text = "through " + orDirect(path.Via) + ": unknown: " + strings.Join(path.Unknown, "; ")
		}
		break
	}
	return v
}

// portIndependent reports whether every check is closed by a control that
// does not look at ports or protocols.
func portIndependent(checks []reach.OpenRuleCheck) bool {
	if len(checks) == 0 {
		return false
	}
	for _, c := range checks {
		if c.Verdict != reach.NotReachable {
			return false
		}
		switch c.StoppedBy {
		case reach.ControlPublicIP, reach.ControlRoute, reach.ControlNotAttached, reach.ControlInterface:
		default:
			return false
		}
	}
	return true
}

// mayEnterThroughLB reports whether the internet may enter a region's VPCs
// through a load balancer: one is internet-facing, or the region's load
// balancers (or their listeners) are not known.
func mayEnterThroughLB(s *model.Snapshot, region string) bool {
	er := elbv2Region(s, region)
	if er == nil {
		return true
	}
	lbs, ok := er.LoadBalancers.Get()
	if !ok {
		return true
	}
	for _, l := range lbs {
		if l.Scheme == elbv2.SchemeInternetFacing && l.Type != elbv2.TypeGateway {
			return true
		}
	}
	return false
}

func orDirect(via string) string {
	if via == "" {
		return "a direct path"
	}
	return arnLabel(via)
}

// capList joins at most five items and counts the rest.
func capList(xs []string) string {
	const max = 5
	if len(xs) <= max {
		return strings.Join(xs, "; ")
	}
	return strings.Join(xs[:max], "; ") + fmt.Sprintf("; and %d more", len(xs)-max)
}

// elbv2Region returns the ELBv2 state of a region, or nil.
func elbv2Region(s *model.Snapshot, name string) *elbv2.Region {
	for i := range s.ELBv2 {
		if s.ELBv2[i].Name == name {
			return &s.ELBv2[i]
		}
	}
	return nil
}
