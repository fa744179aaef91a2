package reach

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
)

// syntheticEstate builds a region with the acceptance criterion's size:
// 10,000 ENIs, 5,000 security groups and 500 NACLs, in 50 VPCs of 10
// subnets (half public), each subnet with its own NACL.
func syntheticEstate(enis, sgs, nacls int) *model.Snapshot {
	rng := rand.New(rand.NewSource(1))
	const vpcs = 50
	subnetsPerVPC := nacls / vpcs
	sgsPerVPC := sgs / vpcs
	enisPerSubnet := enis / nacls
	r := ec2.Region{Name: "us-east-1"}
	var (
		vpcList  []ec2.VPC
		subnets  []ec2.Subnet
		rts      []ec2.RouteTable
		igws     []ec2.InternetGateway
		aclList  []ec2.NetworkACL
		groups   []ec2.SecurityGroup
		ifaces   []ec2.NetworkInterface
		tcpPorts = []int32{22, 80, 443, 3306, 5432, 6379, 8080, 9200, 27017}
	)
	for v := 0; v < vpcs; v++ {
		vpc := fmt.Sprintf("vpc-%04d", v)
		cidr := fmt.Sprintf("10.%d.0.0/16", v)
		v6 := fmt.Sprintf("2600:1f18:%x::/56", v)
		vpcList = append(vpcList, ec2.VPC{ID: vpc, CIDRs: []string{cidr}, IPv6CIDRs: []string{v6}})
		igw := fmt.Sprintf("igw-%04d", v)
		igws = append(igws, ec2.InternetGateway{ID: igw, AttachedVPC: []string{vpc}})
		local := []ec2.Route{{DestinationCIDR: cidr, GatewayID: "local", State: "active"}, {DestinationIPv6CIDR: v6, GatewayID: "local", State: "active"}}
		pub := ec2.RouteTable{ID: fmt.Sprintf("rtb-pub-%04d", v), VPCID: vpc, Routes: append(append([]ec2.Route(nil), local...),
			ec2.Route{DestinationCIDR: "0.0.0.0/0", GatewayID: igw, State: "active"}, ec2.Route{DestinationIPv6CIDR: "::/0", GatewayID: igw, State: "active"})}
		priv := ec2.RouteTable{ID: fmt.Sprintf("rtb-priv-%04d", v), VPCID: vpc, Associations: []ec2.RouteAssociation{{Main: true}},
			Routes: append(append([]ec2.Route(nil), local...), ec2.Route{DestinationCIDR: "0.0.0.0/0", NATGatewayID: fmt.Sprintf("nat-%04d", v), State: "active"})}
		var sgIDs []string
		for g := 0; g < sgsPerVPC; g++ {
			id := fmt.Sprintf("sg-%04d-%03d", v, g)
			sgIDs = append(sgIDs, id)
			var in []ec2.Permission
			for k := 0; k < 3+rng.Intn(4); k++ {
				p := tcpPorts[rng.Intn(len(tcpPorts))]
				switch rng.Intn(6) {
				case 0:
					in = append(in, perm("tcp", p, p, "0.0.0.0/0", "::/0"))
				case 1:
					in = append(in, perm("tcp", 8000, 8000+int32(rng.Intn(200)), "0.0.0.0/0"))
				case 2:
					in = append(in, perm("tcp", p, p, "10.0.0.0/8"))
				case 3:
					in = append(in, perm("tcp", p, p, fmt.Sprintf("sg-%04d-%03d", v, rng.Intn(sgsPerVPC))))
				case 4:
					in = append(in, perm("icmp", 8, -1, "0.0.0.0/0"))
				default:
					in = append(in, perm("udp", 53, 53, fmt.Sprintf("%d.%d.0.0/16", 1+rng.Intn(200), rng.Intn(256))))
				}
			}
			groups = append(groups, ec2.SecurityGroup{ID: id, VPCID: vpc, Ingress: in, Egress: allEgress()})
		}
		for s := 0; s < subnetsPerVPC; s++ {
			sn := fmt.Sprintf("subnet-%04d-%02d", v, s)
			public := s%2 == 0
			subnets = append(subnets, ec2.Subnet{ID: sn, VPCID: vpc, CIDR: fmt.Sprintf("10.%d.%d.0/24", v, s), IPv6CIDRs: []string{fmt.Sprintf("2600:1f18:%x:%x::/64", v, s)}})
			if public {
				pub.Associations = append(pub.Associations, ec2.RouteAssociation{SubnetID: sn})
			}
			es := []ec2.NACLEntry{
				entry(100, false, "6", "deny", fmt.Sprintf("%d.0.0.0/8", 1+rng.Intn(200)), 0, 0),
				entry(110, false, "6", "allow", "0.0.0.0/0", 22, 22),
				entry(120, false, "6", "allow", "0.0.0.0/0", 80, 443),
				entry(130, false, "6", "allow", "0.0.0.0/0", 1024, 65535),
				entry(140, false, "17", "allow", "0.0.0.0/0", 53, 53),
				entry(150, false, "1", "allow", "0.0.0.0/0", -1, -1),
				entry(160, false, "-1", "allow", "::/0", 0, 0),
				entry(100, true, "6", "allow", "0.0.0.0/0", 1024, 65535),
				entry(110, true, "6", "allow", "0.0.0.0/0", 80, 443),
				entry(120, true, "17", "allow", "0.0.0.0/0", 1024, 65535),
				entry(130, true, "1", "allow", "0.0.0.0/0", -1, -1),
				entry(140, true, "-1", "allow", "::/0", 0, 0),
			}
			aclList = append(aclList, ec2.NetworkACL{ID: fmt.Sprintf("acl-%04d-%02d", v, s), VPCID: vpc, Entries: es, SubnetIDs: []string{sn}})
			for e := 0; e < enisPerSubnet; e++ {
				id := fmt.Sprintf("eni-%04d-%02d-%03d", v, s, e)
				ni := ec2.NetworkInterface{ID: id, VPCID: vpc, SubnetID: sn, InterfaceType: "interface", Status: "in-use",
					PrivateIPs:       []string{fmt.Sprintf("10.%d.%d.%d", v, s, 10+e)},
					SecurityGroupIDs: []string{sgIDs[rng.Intn(len(sgIDs))], sgIDs[rng.Intn(len(sgIDs))]},
				}
				if public && e%2 == 0 {
					ni.PublicIPs = []string{fmt.Sprintf("54.%d.%d.%d", v, s, 10+e)}
				}
				if public && e%5 == 0 {
					ni.IPv6Addresses = []string{fmt.Sprintf("2600:1f18:%x:%x::%x", v, s, 10+e)}
				}
				ifaces = append(ifaces, ni)
			}
		}
		rts = append(rts, pub, priv)
	}
	r.VPCs, r.Subnets, r.RouteTables = core.Known(vpcList), core.Known(subnets), core.Known(rts)
	r.InternetGateways, r.EgressOnlyGateways, r.NATGateways = core.Known(igws), core.Known([]ec2.InternetGateway{}), core.Known([]ec2.NATGateway{})
	r.NetworkACLs, r.SecurityGroups, r.NetworkInterfaces = core.Known(aclList), core.Known(groups), core.Known(ifaces)
	r.Instances, r.PeeringConnections = core.Known([]ec2.Instance{}), core.Known([]ec2.PeeringConnection{})
	s := model.New("111122223333", "aws", []string{"us-east-1"})
	s.EC2 = []ec2.Region{r}
	return s
}

func TestSyntheticEstateShape(t *testing.T) {
	s := syntheticEstate(10000, 5000, 500)
	r := s.EC2[0]
	if len(r.NetworkInterfaces.V) != 10000 || len(r.SecurityGroups.V) != 5000 || len(r.NetworkACLs.V) != 500 {
		t.Fatalf("estate: %d ENIs, %d SGs, %d NACLs", len(r.NetworkInterfaces.V), len(r.SecurityGroups.V), len(r.NetworkACLs.V))
	}
	rep := New(s).Exposure()
	if len(rep.Exposures) == 0 {
		t.Fatal("synthetic estate exposes nothing; the benchmark would measure nothing")
	}
	t.Logf("%d exposures, %d unknown", len(rep.Exposures), len(rep.Unknown))
}

// BenchmarkExposure is the acceptance benchmark: index the snapshot and list
// every exposure of 10,000 ENIs, 5,000 security groups and 500 NACLs.
func BenchmarkExposure(b *testing.B) {
	s := syntheticEstate(10000, 5000, 500)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, ok := processCPU()
	for i := 0; i < b.N; i++ {
		rep := New(s).Exposure()
		if len(rep.Exposures) == 0 {
			b.Fatal("no exposures")
		}
	}
	// Wall time (ns/op) depends on what else the machine runs; CPU time
	// (including the garbage collector's) is the cost of the work.
	if cpu1, ok2 := processCPU(); ok && ok2 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkReach is one question on the same estate, index included.
func BenchmarkReach(b *testing.B) {
	s := syntheticEstate(10000, 5000, 500)
	n := New(s)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := n.ReachFromInternet("eni-0025-04-000", protoTCP, 22, -1); err != nil {
			b.Fatal(err)
		}
	}
}
