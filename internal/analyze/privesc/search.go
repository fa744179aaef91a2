package privesc

import (
	"fmt"
	"sort"
)

// hop is an edge applied to a concrete target principal.
type hop struct {
	e      *edge
	target *principal
}

type item struct {
	n    *node
	plan []hop
}

type pend struct {
	e    *edge
	from item
}

// searchResult is what a search from one principal found.
type searchResult struct {
	plan  []hop
	found bool
	// uncertain lists principals on the way whose permissions are not fully
	// known: without a path, the answer then rests on missing data.
	uncertain []string
}

// startNodes are the credential contexts a principal itself may act in.
func (a *Analysis) startNodes(p *principal) []*node {
	if p.isUser {
		out := []*node{a.node(p, CredLongTerm, nil), a.node(p, CredSession, nil)}
		if p.mfaPossible {
			out = append(out, a.node(p, CredSessionMFA, nil))
		}
		return out
	}
	out := []*node{a.node(p, CredSession, nil)}
	if p.trustNamesAWS {
		out = append(out, a.node(p, CredSessionMFA, nil))
	}
	return out
}

// isAdminPrincipal reports whether a principal is admin in one of its own
// credential contexts.
func (a *Analysis) isAdminPrincipal(p *principal) bool {
	for _, n := range a.startNodes(p) {
		if a.isAdmin(n) {
			return true
		}
	}
	return false
}

// search runs a shortest-first search from a principal until goal holds.
// Plans grow by one hop per technique; a change to another principal's
// permissions counts only once the attacker controls that principal too,
// and the plan then includes the hops that gave the control.
//
// The goal is tested when a node is first reached: a plan one hop longer
// than the plans being expanded cannot be beaten, so the search stops at
// once; a longer one (a merged plan) is kept until the buckets below it
// are exhausted.
func (a *Analysis) search(src *principal, goal func(*node) bool) *searchResult {
	res := &searchResult{}
	buckets := make([][]item, a.opts.MaxHops+1)
	cost := 0
	var best []hop
	found, done := false, false
	isGoal := map[*node]bool{}
	push := func(n *node, plan []hop) {
		if len(plan) >= len(buckets) || (found && len(plan) >= len(best)) {
			return
		}
		g, ok := isGoal[n]
		if !ok {
			g = goal(n)
			isGoal[n] = g
		}
		if g {
			best, found = plan, true
			done = len(plan) <= cost+1
			return
		}
		buckets[len(plan)] = append(buckets[len(plan)], item{n: n, plan: plan})
	}
	for _, n := range a.startNodes(src) {
		if _, ok := isGoal[n]; !ok {
			isGoal[n] = false // the principal itself is not the goal (admins are not searched)
			buckets[0] = append(buckets[0], item{n: n})
		}
	}
	visited := map[*node]bool{}
	controlled := map[*principal]item{}
	var order []*principal
	pending := map[*principal][]pend{}
	var joins []pend
	uncertain := map[string]bool{}

	modify := func(by item, e *edge, ctrl item, target *principal) {
		if e.kind == edgeJoin && ctrl.n.memberOf(e.mod.group) {
			return
		}
		n := a.node(target, ctrl.n.cred, withMod(ctrl.n.mods, e.mod))
		push(n, merge(by.plan, ctrl.plan, hop{e: e, target: target}))
	}
	for cost = 0; cost < len(buckets) && !done; cost++ {
		if found && len(best) <= cost+1 {
			break
		}
		for i := 0; i < len(buckets[cost]) && !done; i++ {
			it := buckets[cost][i]
			if visited[it.n] {
				continue
			}
			visited[it.n] = true
			for _, u := range it.n.p.sp.Unknown {
				uncertain[it.n.p.arn+": "+u] = true
			}
			for _, m := range it.n.mods {
				if m.group != nil {
					for _, u := range m.group.unknown {
						uncertain[u] = true
					}
				}
			}
			if _, ok := controlled[it.n.p]; !ok {
				controlled[it.n.p] = it
				order = append(order, it.n.p)
				for _, pe := range pending[it.n.p] {
					modify(pe.from, pe.e, it, it.n.p)
				}
				delete(pending, it.n.p)
				if it.n.p.isUser {
					for _, pe := range joins {
						modify(pe.from, pe.e, it, it.n.p)
					}
				}
			}
			a.expand(it.n, func(e *edge) bool {
				switch e.kind {
				case edgeBecome:
					push(a.node(e.target, e.cred, e.mods), extend(it.plan, hop{e: e, target: e.target}))
				case edgeModify:
					switch c, ok := controlled[e.target]; {
					case e.target == it.n.p:
						modify(it, e, it, e.target)
					case ok:
						modify(it, e, c, e.target)
					default:
						pending[e.target] = append(pending[e.target], pend{e: e, from: it})
					}
				case edgeJoin:
					joins = append(joins, pend{e: e, from: it})
					for _, u := range order {
						if u.isUser {
							ctrl := controlled[u]
							if u == it.n.p {
								ctrl = it
							}
							modify(it, e, ctrl, u)
						}
					}
				}
				return !done
			})
		}
	}
	if found {
		res.plan, res.found = best, true
		return res
	}
	for u := range uncertain {
		res.uncertain = append(res.uncertain, u)
	}
	sort.Strings(res.uncertain)
	return res
}

func extend(plan []hop, h hop) []hop {
	out := make([]hop, 0, len(plan)+1)
	out = append(out, plan...)
	return append(out, h)
}

// merge joins the plan of the acting node and the plan that gave control
// of the target, each hop once, then the new hop.
func merge(by, ctrl []hop, h hop) []hop {
	out := make([]hop, 0, len(by)+len(ctrl)+1)
	out = append(out, ctrl...)
	for _, x := range by {
		dup := false
		for _, y := range ctrl {
			if x == y {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, x)
		}
	}
	return append(out, h)
}

// toAdmin searches (once per principal) for the shortest path to admin.
func (a *Analysis) toAdmin(p *principal) *searchResult {
	if r, ok := a.searched[p.arn]; ok {
		return r
	}
	r := a.search(p, a.isAdmin)
	a.searched[p.arn] = r
	return r
}

// toTarget searches for the shortest path to a chosen principal.
func (a *Analysis) toTarget(p, target *principal) *searchResult {
	return a.search(p, func(n *node) bool { return n.p == target && n.p != p })
}

// lookup finds a principal of the snapshot by ARN.
func (a *Analysis) lookup(arn string) (*principal, error) {
	if p := a.ix.byARN[arn]; p != nil {
		return p, nil
	}
	return nil, fmt.Errorf("principal %s is not an IAM user or role of the snapshot of account %s", arn, a.ix.account)
}
