package reach

import (
	"fmt"
	"strconv"
	"strings"
)

// IANA protocol numbers the analyzer treats specially.
const (
	protoAll    = -1
	protoICMP   = 1
	protoTCP    = 6
	protoUDP    = 17
	protoICMPv6 = 58
)

// EphemeralLow and EphemeralHigh bound the client ports that return traffic
// of an inbound connection is addressed to. A client on the internet may pick
// any of them (Linux uses 32768-60999, Windows 49152-65535, NAT gateways and
// ELB 1024-65535), so a stateless NACL must let responses out to this range:
// https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html
const (
	EphemeralLow  = 1024
	EphemeralHigh = 65535
)

// ParseProtocol reads a protocol as written in security group rules, NACL
// entries or on the command line: a name (tcp, udp, icmp, icmpv6, all) or an
// IANA number; "-1" and "all" mean every protocol.
func ParseProtocol(s string) (int, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "-1", "all", "any":
		return protoAll, nil
	case "tcp":
		return protoTCP, nil
	case "udp":
		return protoUDP, nil
	case "icmp":
		return protoICMP, nil
	case "icmpv6", "icmp6":
		return protoICMPv6, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < -1 || n > 255 {
		return 0, fmt.Errorf("protocol %q: want tcp, udp, icmp, icmpv6, -1 or a number 0-255", s)
	}
	return n, nil
}

// ProtocolName is the display name of a protocol number.
func ProtocolName(p int) string {
	switch p {
	case protoAll:
		return "all"
	case protoTCP:
		return "tcp"
	case protoUDP:
		return "udp"
	case protoICMP:
		return "icmp"
	case protoICMPv6:
		return "icmpv6"
	}
	return strconv.Itoa(p)
}

// hasPorts reports whether a protocol carries ports (TCP and UDP). Security
// groups and NACLs ignore port ranges for any other protocol except ICMP,
// whose "ports" are types and codes.
func hasPorts(p int) bool { return p == protoTCP || p == protoUDP }

func isICMP(p int) bool { return p == protoICMP || p == protoICMPv6 }

// icmpFor is the ICMP protocol of an address family.
func icmpFor(f fam) int {
	if f == v6 {
		return protoICMPv6
	}
	return protoICMP
}

// famOK reports whether a protocol can travel over a family (ICMP is IPv4
// only, ICMPv6 IPv6 only).
func famOK(p int, f fam) bool {
	switch p {
	case protoICMP:
		return f == v4
	case protoICMPv6:
		return f == v6
	}
	return true
}

// query is one kind of packet: a protocol and, for TCP/UDP, a destination
// port; for ICMP, a type (port) and code (-1: any code).
type query struct {
	proto int
	port  int // TCP/UDP port, ICMP type, -1 for other protocols
	code  int // ICMP code, -1 for any
}

func (q query) String() string {
	switch {
	case hasPorts(q.proto):
		return fmt.Sprintf("%s/%d", ProtocolName(q.proto), q.port)
	case isICMP(q.proto):
		if q.code >= 0 {
			return fmt.Sprintf("%s type %d code %d", ProtocolName(q.proto), q.port, q.code)
		}
		return fmt.Sprintf("%s type %d", ProtocolName(q.proto), q.port)
	}
	return "protocol " + ProtocolName(q.proto)
}

// portSpace is the range of "ports" of a protocol: TCP/UDP ports, ICMP types,
// or the single value -1 for protocols without ports.
func portSpace(p int) (lo, hi int) {
	switch {
	case hasPorts(p):
		return 0, 65535
	case isICMP(p):
		return 0, 255
	}
	return -1, -1
}

// replyType is the ICMP type of the reply to a request type, for the request
// types that have one (echo, timestamp, information, address mask; ICMPv6
// echo). Other ICMP messages are one-way and need no return path.
func replyType(p, typ int) (int, bool) {
	if p == protoICMP {
		switch typ {
		case 8:
			return 0, true
		case 13:
			return 14, true
		case 15:
			return 16, true
		case 17:
			return 18, true
		}
		return 0, false
	}
	if p == protoICMPv6 && typ == 128 {
		return 129, true
	}
	return 0, false
}

// ParsePort reads "N/proto" (e.g. 22/tcp, 8/icmp for echo request, 8:0/icmp
// for type 8 code 0, 47 for GRE without ports written as "-/47") into a
// protocol and port. A bare number means TCP.
func ParsePort(s string) (proto, port, code int, err error) {
	s = strings.TrimSpace(s)
	num, pr, found := strings.Cut(s, "/")
	if !found {
		pr = "tcp"
	}
	proto, err = ParseProtocol(pr)
	if err != nil {
		return 0, 0, 0, err
	}
	if proto == protoAll {
		return 0, 0, 0, fmt.Errorf("port %q: name one protocol", s)
	}
	code = -1
	switch {
	case hasPorts(proto):
		port, err = strconv.Atoi(num)
		if err != nil || port < 0 || port > 65535 {
			return 0, 0, 0, fmt.Errorf("port %q: want 0-65535", s)
		}
	case isICMP(proto):
		t, c, hasCode := strings.Cut(num, ":")
		port, err = strconv.Atoi(t)
		if err != nil || port < 0 || port > 255 {
			return 0, 0, 0, fmt.Errorf("port %q: want an ICMP type 0-255", s)
		}
		if hasCode {
			code, err = strconv.Atoi(c)
			if err != nil || code < 0 || code > 255 {
				return 0, 0, 0, fmt.Errorf("port %q: want an ICMP code 0-255", s)
			}
		}
	default:
		port = -1
	}
	return proto, port, code, nil
}
