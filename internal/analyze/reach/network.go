package reach

import (
	"fmt"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/elbv2"
)

// Network is an index of a snapshot's VPC networking, built once by New and
// read-only afterwards, so one Network can answer many questions, from
// several goroutines. It keeps pointers into the snapshot, which must not be
// changed while the Network is in use.
type Network struct {
	account   string
	arnPrefix string
	regions   map[string]*region
	names     []string // region names, sorted
}

// region is one region's index. A list that was not collected is nil in the
// maps and its reason is kept, so every question can answer UNKNOWN with why.
type region struct {
	name string

	vpcs    map[string]*ec2.VPC
	subnets map[string]*ec2.Subnet

	routeTables   map[string]*ec2.RouteTable // by ID
	rtBySubnet    map[string]*ec2.RouteTable // explicit associations
	mainRT        map[string]*ec2.RouteTable // by VPC
	rtWhy         string                     // why route tables are unknown
	igws          map[string]*ec2.InternetGateway
	igwWhy        string
	eigws         map[string]*ec2.InternetGateway
	nacls         map[string]*ec2.NetworkACL
	naclBySubnet  map[string]*ec2.NetworkACL
	defaultNACL   map[string]*ec2.NetworkACL // by VPC
	naclWhy       string
	sgs           map[string]*ec2.SecurityGroup
	sgWhy         string
	peerings      map[string]*ec2.PeeringConnection
	peerWhy       string
	instances     map[string]*ec2.Instance
	enis          []*eni // sorted by ID
	eniByID       map[string]*eni
	eniByIP       map[string]*eni // private IPv4/IPv6 address → ENI
	eniWhy        string          // why ENIs are unknown (then enis may come from instances)
	enisFromInsts bool

	lbs     []*lb
	lbByARN map[string]*lb
	lbWhy   string            // why load balancers are unknown ("" when known)
	elbENIs map[string][]*eni // "app/name/id" → the load balancer's ENIs
	sgUsers map[string][]*eni // security group ID → ENIs that use it
}

// eni is a network interface with what reachability needs precomputed.
type eni struct {
	ec2.NetworkInterface
	arn        string // ARN reported for it: the instance's when attached to one
	instance   *ec2.Instance
	pubV4      []string // public IPv4 addresses (incl. Elastic IPs)
	gua        []string // IPv6 global unicast addresses
	privV4     set
	privV6     set
	synthetic  bool   // built from an instance because ENIs were not collected
	elbKey     string // "app/name/id" when the ENI belongs to a load balancer
	skipReason string // why exposure does not evaluate it on its own
}

// lb is a load balancer with its region's lookups.
type lb struct {
	*elbv2.LoadBalancer
	key string // "app/name/id" or "net/name/id", from the ARN
}

// New indexes a snapshot.
func New(s *model.Snapshot) *Network {
	n := &Network{account: s.AccountID, arnPrefix: s.ARNPrefix(), regions: map[string]*region{}}
	for i := range s.EC2 {
		r := n.indexEC2(&s.EC2[i])
		n.regions[r.name] = r
	}
	for i := range s.ELBv2 {
		er := &s.ELBv2[i]
		r := n.regions[er.Name]
		if r == nil {
			r = n.indexEC2(&ec2.Region{Name: er.Name})
			n.regions[r.name] = r
		}
		r.indexELB(er)
	}
	for name, r := range n.regions {
		if r.lbByARN == nil && r.lbWhy == "" {
			r.lbWhy = "load balancers not collected"
		}
		n.names = append(n.names, name)
	}
	sort.Strings(n.names)
	return n
}

func (n *Network) indexEC2(e *ec2.Region) *region {
	r := &region{
		name: e.Name, vpcs: map[string]*ec2.VPC{}, subnets: map[string]*ec2.Subnet{},
		elbENIs: map[string][]*eni{}, sgUsers: map[string][]*eni{}, eniByID: map[string]*eni{},
		eniByIP: map[string]*eni{}, instances: map[string]*ec2.Instance{},
	}
	if v, ok := e.VPCs.Get(); ok {
		for i := range v {
			r.vpcs[v[i].ID] = &v[i]
		}
	}
	if v, ok := e.Subnets.Get(); ok {
		for i := range v {
			r.subnets[v[i].ID] = &v[i]
		}
	}
	if v, ok := e.RouteTables.Get(); ok {
		r.routeTables, r.rtBySubnet, r.mainRT = map[string]*ec2.RouteTable{}, map[string]*ec2.RouteTable{}, map[string]*ec2.RouteTable{}
		for i := range v {
			rt := &v[i]
			r.routeTables[rt.ID] = rt
			for _, a := range rt.Associations {
				if a.Main {
					r.mainRT[rt.VPCID] = rt
				}
				if a.SubnetID != "" {
					r.rtBySubnet[a.SubnetID] = rt
				}
			}
		}
	} else {
		r.rtWhy = "route tables " + e.RouteTables.Why()
	}
	if v, ok := e.InternetGateways.Get(); ok {
		r.igws = map[string]*ec2.InternetGateway{}
		for i := range v {
			r.igws[v[i].ID] = &v[i]
		}
	} else {
		r.igwWhy = "internet gateways " + e.InternetGateways.Why()
	}
	if v, ok := e.EgressOnlyGateways.Get(); ok {
		r.eigws = map[string]*ec2.InternetGateway{}
		for i := range v {
			r.eigws[v[i].ID] = &v[i]
		}
	}
	if v, ok := e.NetworkACLs.Get(); ok {
		r.nacls, r.naclBySubnet, r.defaultNACL = map[string]*ec2.NetworkACL{}, map[string]*ec2.NetworkACL{}, map[string]*ec2.NetworkACL{}
		for i := range v {
			a := &v[i]
			r.nacls[a.ID] = a
			if a.IsDefault {
				r.defaultNACL[a.VPCID] = a
			}
			for _, sn := range a.SubnetIDs {
				r.naclBySubnet[sn] = a
			}
		}
	} else {
		r.naclWhy = "network ACLs " + e.NetworkACLs.Why()
	}
	if v, ok := e.SecurityGroups.Get(); ok {
		r.sgs = map[string]*ec2.SecurityGroup{}
		for i := range v {
			r.sgs[v[i].ID] = &v[i]
		}
	} else {
		r.sgWhy = "security groups " + e.SecurityGroups.Why()
	}
	if v, ok := e.PeeringConnections.Get(); ok {
		r.peerings = map[string]*ec2.PeeringConnection{}
		for i := range v {
			r.peerings[v[i].ID] = &v[i]
		}
	} else {
		r.peerWhy = "VPC peering connections " + e.PeeringConnections.Why()
	}
	if v, ok := e.Instances.Get(); ok {
		for i := range v {
			r.instances[v[i].ID] = &v[i]
		}
	}
	if v, ok := e.NetworkInterfaces.Get(); ok {
		for i := range v {
			r.addENI(n, &eni{NetworkInterface: v[i]})
		}
	} else {
		r.eniWhy = "network interfaces " + e.NetworkInterfaces.Why()
		// Fall back on the instances' own view of their primary interface, so
		// a snapshot without ENIs still answers for instances.
		if insts, ok := e.Instances.Get(); ok {
			r.enisFromInsts = true
			for i := range insts {
				in := &insts[i]
				if in.SubnetID == "" || strings.EqualFold(in.State, "terminated") {
					continue
				}
				ni := ec2.NetworkInterface{
					ID: "eni-of-" + in.ID, VPCID: in.VPCID, SubnetID: in.SubnetID, InterfaceType: "interface",
					Status: "in-use", SecurityGroupIDs: in.SecurityGroupIDs, InstanceID: in.ID,
				}
				ni.Region = e.Name
				if in.PrivateIP != "" {
					ni.PrivateIPs = []string{in.PrivateIP}
				}
				if in.PublicIP != "" {
					ni.PublicIPs = []string{in.PublicIP}
				}
				r.addENI(n, &eni{NetworkInterface: ni, synthetic: true})
			}
		}
	}
	sort.Slice(r.enis, func(i, j int) bool { return r.enis[i].ID < r.enis[j].ID })
	return r
}

func (r *region) addENI(n *Network, e *eni) {
	for _, ip := range e.PrivateIPs {
		if f, x, ok := parseAddr(ip); ok && f == v4 {
			e.privV4 = union(e.privV4, singleton(x))
			r.eniByIP[ip] = e
		}
	}
	for _, ip := range e.PublicIPs {
		if f, _, ok := parseAddr(ip); ok && f == v4 {
			e.pubV4 = append(e.pubV4, ip)
		}
	}
	for _, ip := range e.IPv6Addresses {
		f, x, ok := parseAddr(ip)
		if !ok || f != v6 {
			continue
		}
		e.privV6 = union(e.privV6, singleton(x))
		r.eniByIP[ip] = e
		if isPublic(v6, x) {
			e.gua = append(e.gua, ip)
		}
	}
	if e.InstanceID != "" {
		e.instance = r.instances[e.InstanceID]
	}
	// The instance record may carry a public address its primary interface
	// lacks (collected at different moments): missing it would hide an
	// exposure, so take it.
	if in := e.instance; in != nil && len(e.pubV4) == 0 && in.PublicIP != "" {
		for _, ip := range e.PrivateIPs {
			if ip == in.PrivateIP {
				e.pubV4 = []string{in.PublicIP}
			}
		}
	}
	switch {
	case e.instance != nil && e.instance.ARN != "":
		e.arn = e.instance.ARN
	case e.InstanceID != "":
		e.arn = fmt.Sprintf("%s:ec2:%s:%s:instance/%s", n.arnPrefix, r.name, n.owner(e.instance), e.InstanceID)
	case e.ARN != "":
		e.arn = e.ARN
	default:
		e.arn = fmt.Sprintf("%s:ec2:%s:%s:network-interface/%s", n.arnPrefix, r.name, n.account, e.ID)
	}
	// Interfaces that belong to a managed service are judged through that
	// service, not on their own.
	desc := e.Description
	switch {
	case strings.HasPrefix(desc, "ELB app/"), strings.HasPrefix(desc, "ELB net/"), strings.HasPrefix(desc, "ELB gwy/"):
		e.elbKey = strings.TrimPrefix(desc, "ELB ")
		e.skipReason = "load balancer interface: judged through its load balancer (listeners and targets)"
		r.elbENIs[e.elbKey] = append(r.elbENIs[e.elbKey], e)
	case e.InterfaceType == "nat_gateway" || e.InterfaceType == "natGateway":
		e.skipReason = "NAT gateway interface: a NAT gateway drops connections the internet initiates"
	case strings.EqualFold(e.Status, "available"):
		e.skipReason = "interface is not attached to anything"
	}
	for _, sg := range e.SecurityGroupIDs {
		r.sgUsers[sg] = append(r.sgUsers[sg], e)
	}
	r.enis = append(r.enis, e)
	r.eniByID[e.ID] = e
}

func (n *Network) owner(in *ec2.Instance) string {
	if in != nil && in.Account != "" {
		return in.Account
	}
	return n.account
}

func (r *region) indexELB(er *elbv2.Region) {
	v, ok := er.LoadBalancers.Get()
	if !ok {
		r.lbWhy = "load balancers " + er.LoadBalancers.Why()
		return
	}
	r.lbWhy = ""
	r.lbByARN = map[string]*lb{}
	for i := range v {
		l := &lb{LoadBalancer: &v[i], key: lbKey(v[i].ARN)}
		r.lbs = append(r.lbs, l)
		r.lbByARN[l.ARN] = l
	}
	sort.Slice(r.lbs, func(i, j int) bool { return r.lbs[i].ARN < r.lbs[j].ARN })
	// An ELB interface whose load balancer is in the model is judged through
	// the load balancer (listeners, target groups).
	for key, enis := range r.elbENIs {
		for _, l := range r.lbs {
			if l.key == key {
				for _, e := range enis {
					e.skipReason = "load balancer interface: judged through load balancer " + l.ARN
				}
			}
		}
	}
}

// lbKey is the "app/name/id" tail of a load balancer ARN, which is also how
// its network interfaces are described ("ELB app/name/id").
func lbKey(arn string) string {
	_, after, ok := strings.Cut(arn, ":loadbalancer/")
	if !ok {
		return ""
	}
	return after
}

// routeTableFor returns the subnet's route table: the explicitly associated
// one, else the VPC's main route table.
// https://docs.aws.amazon.com/vpc/latest/userguide/subnet-route-tables.html
func (r *region) routeTableFor(subnetID, vpcID string) (rt *ec2.RouteTable, explicit bool, why string) {
	if r.routeTables == nil {
		return nil, false, r.rtWhy
	}
	if rt := r.rtBySubnet[subnetID]; rt != nil {
		return rt, true, ""
	}
	if vpcID == "" {
		if sn := r.subnets[subnetID]; sn != nil {
			vpcID = sn.VPCID
		}
	}
	if rt := r.mainRT[vpcID]; rt != nil {
		return rt, false, ""
	}
	return nil, false, fmt.Sprintf("no route table associated with subnet %s and no main route table recorded for VPC %s", subnetID, vpcID)
}

// naclFor returns the subnet's network ACL: the associated one, else the
// VPC's default network ACL.
// https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html
func (r *region) naclFor(subnetID, vpcID string) (*ec2.NetworkACL, string) {
	if r.nacls == nil {
		return nil, r.naclWhy
	}
	if a := r.naclBySubnet[subnetID]; a != nil {
		return a, ""
	}
	if vpcID == "" {
		if sn := r.subnets[subnetID]; sn != nil {
			vpcID = sn.VPCID
		}
	}
	if a := r.defaultNACL[vpcID]; a != nil {
		return a, ""
	}
	return nil, fmt.Sprintf("no network ACL associated with subnet %s and no default network ACL recorded for VPC %s", subnetID, vpcID)
}

// igwAttached reports whether an internet gateway is attached to a VPC; ok
// is false when internet gateways were not collected.
func (r *region) igwAttached(id, vpcID string) (attached, ok bool) {
	if r.igws == nil {
		return false, false
	}
	g := r.igws[id]
	if g == nil {
		return false, true
	}
	for _, v := range g.AttachedVPC {
		if v == vpcID {
			return true, true
		}
	}
	return false, true
}

// vpcOf returns an ENI's VPC ID, from the subnet when the ENI lacks it.
func (r *region) vpcOf(e *eni) string {
	if e.VPCID != "" {
		return e.VPCID
	}
	if sn := r.subnets[e.SubnetID]; sn != nil {
		return sn.VPCID
	}
	return ""
}

// Regions lists the regions in the index, sorted.
func (n *Network) Regions() []string { return append([]string(nil), n.names...) }
