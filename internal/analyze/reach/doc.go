// Package reach answers what the internet (or another resource of the
// account) can actually reach in a snapshot's VPCs, and why — or which
// control stops it.
//
// It models the controls a packet meets, with the AWS behaviour each encodes
// (the golden tests cite the documentation page for every scenario):
//
//   - addressing: the internet reaches an interface only through a public
//     IPv4 address or Elastic IP, or an IPv6 global unicast address;
//   - routes: a subnet uses its explicitly associated route table, else its
//     VPC's main route table; the longest matching prefix wins; blackhole
//     routes are ignored; the responses to an internet client must leave
//     through an internet gateway attached to the VPC (a NAT gateway or an
//     egress-only internet gateway carries only connections initiated from
//     inside); peering connections must be active and are not transitive;
//     transit gateway route tables are not collected, so paths through one
//     are unknown;
//   - network ACLs: stateless, evaluated in rule-number order, first match
//     wins, default deny ("*"); both directions, so the responses to the
//     client's ephemeral ports (1024-65535) need an outbound rule too; a
//     subnet uses its associated ACL, else the VPC's default ACL;
//   - security groups: stateful, so only inbound rules decide an inbound
//     connection (responses are automatic) and only outbound rules decide a
//     connection the resource opens; rules add up across groups; CIDRs, IPv6,
//     prefix lists (contents not collected: unknown), references to other
//     groups (never matched by internet traffic), protocol -1, port ranges,
//     ICMP types and codes;
//   - load balancers: internet-facing ones only, on their listeners; the
//     target's security group must allow the load balancer's security group
//     or its nodes' addresses (or the clients', when a Network Load Balancer
//     preserves client IPs).
//
// The analyzer works on sets of source addresses rather than on 0.0.0.0/0
// alone, so a route to the internet gateway for one /24, a NACL that denies
// a /8 or a group open to 0.0.0.0/1 are judged exactly. Every answer is
// Reachable, NotReachable or Unknown; Unknown is never a pass and always
// carries the reason. It imports no AWS SDK: it reads the snapshot model.
package reach
