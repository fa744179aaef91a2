package reach

import (
	"fmt"
	"sort"
)

// OpenRuleCheck says, for one network interface that uses a security group
// with a rule open to the internet, whether the port is in fact reachable
// from the internet, and if not which control stops it. Rules use it to
// lower the severity of "0.0.0.0/0 on port P" when nothing can get there
// (a private subnet, no public address, a NACL) instead of raising a
// critical false alarm; an Unknown verdict must stay at full severity.
type OpenRuleCheck struct {
	Region      string  `json:"region"`
	ENI         string  `json:"eni,omitempty"`
	ResourceARN string  `json:"resource_arn"` // the instance's ARN when the ENI is attached to one
	Verdict     Verdict `json:"verdict"`
	// StoppedBy is the control that blocks the path (NotReachable only):
	// ControlNotAttached, ControlPublicIP, ControlRoute, ControlNACLInbound,
	// ControlNACLOutbound, ControlSGInbound, ControlInterface.
	StoppedBy Control `json:"stopped_by,omitempty"`
	// Reason is one sentence naming the control (the route, the NACL rule
	// number, …), or why the verdict is unknown.
	Reason string `json:"reason"`
	// Path is the most open path judged (IPv4 or IPv6).
	Path Path `json:"path"`
}

// CheckOpenRule judges, for every network interface that uses the security
// group, whether the internet can reach it with the protocol (a name or
// number as in the rule) and port (ICMP: type). It returns one check per
// interface, sorted by interface ID, or a single ControlNotAttached check
// when no interface uses the group.
func (n *Network) CheckOpenRule(sgID, protocol string, port int) ([]OpenRuleCheck, error) {
	proto, err := ParseProtocol(protocol)
	if err != nil {
		return nil, err
	}
	if proto == protoAll {
		// "All traffic" is reachable if any TCP port is: judge the port
		// asked about over TCP, the protocol attackers use most.
		proto = protoTCP
	}
	if !hasPorts(proto) && !isICMP(proto) {
		port = -1
	}
	q := query{proto: proto, port: port, code: -1}
	for _, name := range n.names {
		r := n.regions[name]
		if r.sgs == nil || r.sgs[sgID] == nil {
			continue
		}
		users := r.sgUsers[sgID]
		if len(users) == 0 {
			if r.eniWhy != "" && !r.enisFromInsts {
				why := r.eniWhy + ": cannot tell what uses " + sgID
				return []OpenRuleCheck{{Region: name, Verdict: Unknown, StoppedBy: ControlNone, Reason: why,
					Path: Path{Verdict: Unknown, Unknown: []string{why}}}}, nil
			}
			hop := Hop{Control: ControlNotAttached, ID: sgID, Detail: fmt.Sprintf("security group %s is not attached to any network interface", sgID)}
			return []OpenRuleCheck{{Region: name, Verdict: NotReachable, StoppedBy: ControlNotAttached, Reason: hop.Detail,
				Path: Path{Verdict: NotReachable, Hops: []Hop{hop}, BlockedBy: &hop}}}, nil
		}
		c := newCtx(n, r)
		var out []OpenRuleCheck
		for _, e := range users {
			out = append(out, c.openRuleCheck(e, q))
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].ENI < out[j].ENI })
		return out, nil
	}
	return nil, fmt.Errorf("security group %q: %w", sgID, ErrNotFound)
}

// CheckENI judges one interface (ID or ARN, or an instance) the same way.
func (n *Network) CheckENI(ref, protocol string, port int) (OpenRuleCheck, error) {
	proto, err := ParseProtocol(protocol)
	if err != nil {
		return OpenRuleCheck{}, err
	}
	if proto == protoAll {
		proto = protoTCP
	}
	if !hasPorts(proto) && !isICMP(proto) {
		port = -1
	}
	t, err := n.resolve(ref)
	if err != nil {
		return OpenRuleCheck{}, err
	}
	if len(t.enis) == 0 {
		return OpenRuleCheck{}, fmt.Errorf("%q: no network interface: %w", ref, ErrNotFound)
	}
	c := newCtx(n, t.r)
	var bestCheck OpenRuleCheck
	for i, e := range t.enis {
		ch := c.openRuleCheck(e, query{proto: proto, port: port, code: -1})
		if i == 0 || ch.Verdict.rank() > bestCheck.Verdict.rank() {
			bestCheck = ch
		}
	}
	return bestCheck, nil
}

func (c *evalCtx) openRuleCheck(e *eni, q query) OpenRuleCheck {
	var paths []Path
	for _, f := range []fam{v4, v6} {
		if famOK(q.proto, f) {
			paths = append(paths, c.eniInternetPath(e, f, q))
		}
	}
	p := best(paths)
	ch := OpenRuleCheck{Region: c.r.name, ENI: e.ID, ResourceARN: e.arn, Verdict: p.Verdict, Path: p}
	switch p.Verdict {
	case NotReachable:
		// IPv4 is the usual path; name what stops it there.
		if p.BlockedBy != nil {
			ch.StoppedBy, ch.Reason = p.BlockedBy.Control, p.BlockedBy.Detail
		}
	case Unknown:
		ch.Reason = joinReasons(p.Unknown)
	default:
		ch.Reason = fmt.Sprintf("reachable from the internet on %s (sources %s)", q, joinCIDRs(p.Sources))
	}
	return ch
}

func joinReasons(rs []string) string {
	out := ""
	for i, r := range rs {
		if i > 0 {
			out += "; "
		}
		out += r
	}
	return out
}
