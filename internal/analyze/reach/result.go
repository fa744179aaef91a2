package reach

import "strings"

// Verdict is the answer to a reachability question. Unknown is never a pass:
// it says some input was not collected (or cannot be known, like the
// contents of a prefix list) and carries the reason.
type Verdict string

// Verdicts, from best to worst for an attacker.
const (
	Reachable    Verdict = "reachable"
	Unknown      Verdict = "unknown"
	NotReachable Verdict = "not-reachable"
)

func (v Verdict) rank() int {
	switch v {
	case Reachable:
		return 2
	case Unknown:
		return 1
	}
	return 0
}

// worst returns the lower of two verdicts (a chain is only as open as its
// most closed link).
func worst(a, b Verdict) Verdict {
	if a.rank() < b.rank() {
		return a
	}
	return b
}

// Control names the kind of control a hop is, and the one that stops a path.
type Control string

// Controls.
const (
	ControlNone          Control = ""
	ControlSource        Control = "source"
	ControlDestination   Control = "destination"
	ControlPublicIP      Control = "public-ip"       // no public IPv4 / global IPv6 address
	ControlRoute         Control = "route"           // no route to an attached internet gateway (or to the peer)
	ControlNACLInbound   Control = "nacl-inbound"    // a NACL inbound rule (or the * default deny)
	ControlNACLOutbound  Control = "nacl-outbound"   // a NACL outbound rule: request or return traffic
	ControlSGInbound     Control = "sg-inbound"      // no security group inbound rule allows it
	ControlSGOutbound    Control = "sg-outbound"     // no security group outbound rule allows it (new connections only)
	ControlScheme        Control = "lb-scheme"       // load balancer is internal
	ControlListener      Control = "lb-listener"     // no listener on the port
	ControlTarget        Control = "lb-target"       // not a registered target
	ControlPeering       Control = "peering"         // peering connection missing or not active
	ControlNotAttached   Control = "not-attached"    // the security group is attached to nothing
	ControlInterface     Control = "interface"       // the interface cannot accept inbound connections (NAT gateway …)
	ControlNotCollected  Control = "not-collected"   // an input is unknown
	ControlTransitGW     Control = "transit-gateway" // routes through a transit gateway, not collected
	ControlMiddlebox     Control = "middlebox"       // routes through an appliance the analyzer cannot see into
	ControlAddressFamily Control = "address-family"  // the protocol cannot travel over this family
)

// Hop is one step of an explanation: the control, the resource, and what it
// did, naming the route, the NACL rule number or the security group rule.
type Hop struct {
	Control Control `json:"control"`
	ID      string  `json:"id,omitempty"`
	Detail  string  `json:"detail"`
}

// String renders "control id: detail".
func (h Hop) String() string {
	var b strings.Builder
	b.WriteString(string(h.Control))
	if h.ID != "" {
		b.WriteString(" ")
		b.WriteString(h.ID)
	}
	b.WriteString(": ")
	b.WriteString(h.Detail)
	return b.String()
}

// Path is one way a source may reach a target (directly over one address
// family, or through one load balancer node), judged hop by hop.
type Path struct {
	Verdict Verdict `json:"verdict"`
	Family  string  `json:"family"`        // IPv4 | IPv6
	Via     string  `json:"via,omitempty"` // load balancer ARN when the path goes through one
	Hops    []Hop   `json:"hops"`
	// BlockedBy is the hop that stops the path (NotReachable only).
	BlockedBy *Hop `json:"blocked_by,omitempty"`
	// Unknown lists why the path could not be decided (Unknown only).
	Unknown []string `json:"unknown,omitempty"`
	// Sources are the source addresses that get through every control, as
	// CIDRs ("0.0.0.0/0" when every internet address does).
	Sources []string `json:"sources,omitempty"`
}

// Strings renders the hops as text.
func (p Path) Strings() []string {
	out := make([]string, len(p.Hops))
	for i, h := range p.Hops {
		out[i] = h.String()
	}
	return out
}

// Result answers one question: can From reach To on Protocol/Port.
type Result struct {
	Verdict  Verdict `json:"verdict"`
	From     string  `json:"from"`
	To       string  `json:"to"`
	Protocol string  `json:"protocol"`
	Port     int     `json:"port"`           // TCP/UDP port or ICMP type; -1 for protocols without ports
	Code     int     `json:"code,omitempty"` // ICMP code, -1 any
	// Paths are every way that was judged: reachable first, then unknown,
	// then blocked, each with its hops.
	Paths []Path `json:"paths"`
}

// finish sets the verdict from the paths and orders them.
func (r *Result) finish() {
	r.Verdict = NotReachable
	for _, p := range r.Paths {
		if p.Verdict.rank() > r.Verdict.rank() {
			r.Verdict = p.Verdict
		}
	}
	stableSortPaths(r.Paths)
}

func stableSortPaths(ps []Path) {
	// Insertion sort keeps the evaluation order within a verdict.
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j].Verdict.rank() > ps[j-1].Verdict.rank(); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

// Exposure is one resource reachable from the internet on a protocol and a
// contiguous port range (ICMP: type range), with the path that gets there.
// The JSON field names are a stable interface (docs/network.md).
type Exposure struct {
	ResourceARN string   `json:"resource_arn"`
	Protocol    string   `json:"protocol"`
	FromPort    int      `json:"from_port"`
	ToPort      int      `json:"to_port"`
	Path        []string `json:"path"`
}

// UnknownExposure is a resource that may be reachable from the internet, but
// an input needed to decide was not collected.
type UnknownExposure struct {
	ResourceARN string   `json:"resource_arn"`
	Protocol    string   `json:"protocol,omitempty"`
	FromPort    int      `json:"from_port"`
	ToPort      int      `json:"to_port"`
	Path        []string `json:"path,omitempty"`
	Status      string   `json:"status"` // always "unknown"
	Reason      string   `json:"reason"`
}

// Report is the answer to "what can the internet reach".
type Report struct {
	Exposures []Exposure        `json:"exposures"`
	Unknown   []UnknownExposure `json:"unknown,omitempty"`
}

// For returns the part of the report about one resource.
func (r *Report) For(arn string) *Report {
	out := &Report{Exposures: []Exposure{}}
	for _, e := range r.Exposures {
		if e.ResourceARN == arn {
			out.Exposures = append(out.Exposures, e)
		}
	}
	for _, u := range r.Unknown {
		if u.ResourceARN == arn {
			out.Unknown = append(out.Unknown, u)
		}
	}
	return out
}

// Reachable reports whether some path is definitely open.
func (r *Result) Reachable() bool { return r.Verdict == Reachable }
