package privesc

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// ToAdmin is the Query.To value (and Path.To) for "administrator".
const ToAdmin = "admin"

// Hop is one technique of a path.
type Hop struct {
	Technique string `json:"technique"`
	Name      string `json:"name"`
	// From is the principal whose permissions perform the technique; To
	// is the principal gained (or whose permissions were changed).
	From string `json:"from"`
	To   string `json:"to"`
	Gain Gain   `json:"gain"`
	// Via is the resource acted on when it is not To: the group, policy,
	// instance or function.
	Via string `json:"via,omitempty"`
	// Credentials is the credential context From acts with (long-term
	// access key, session without MFA, session with MFA).
	Credentials string `json:"credentials"`
	// Permissions are the statements that allow every step.
	Permissions []Permission `json:"permissions"`
	// Assumes lists what the hop takes for granted that the snapshot
	// cannot show.
	Assumes []string `json:"assumes,omitempty"`
}

// Path is a chain of hops from a principal to admin or to a target.
type Path struct {
	From string `json:"from"`
	To   string `json:"to"`
	Hops []Hop  `json:"hops"`
}

// Summary renders the path on one line: "sts:AssumeRole (alice → role/a), …".
func (p *Path) Summary() string {
	parts := make([]string, len(p.Hops))
	for i, h := range p.Hops {
		via := ""
		if h.Via != "" {
			via = " via " + shortARN(h.Via)
		}
		parts[i] = fmt.Sprintf("%s (%s → %s%s)", h.Technique, shortARN(h.From), shortARN(h.To), via)
	}
	return strings.Join(parts, ", ")
}

func shortARN(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) == 6 {
		return f[5]
	}
	return arn
}

// Uncertain is a principal without a path whose answer rests on data the
// snapshot lacks.
type Uncertain struct {
	Principal string   `json:"principal"`
	Reasons   []string `json:"reasons"`
}

// Result is the answer to a Query. Lists are never nil.
type Result struct {
	Paths []Path `json:"paths"`
	// Admins are the principals that already are admin-equivalent.
	Admins []string `json:"admins"`
	// Unknown lists principals for which "no path" could not be proven.
	Unknown []Uncertain `json:"unknown"`
}

// Query selects paths: From a principal ARN ("" for every principal) To
// admin ("" or ToAdmin) or a principal ARN.
type Query struct {
	From string
	To   string
}

// Verdict is the analysis of one principal, for rules.
type Verdict struct {
	ARN   string
	Admin bool
	// Path is the shortest path to admin, nil when none was found.
	Path *Path
	// Unknown says why "no path" is not proven (empty when it is, or when
	// a path was found).
	Unknown []string
}

// Verdicts analyzes every principal of the snapshot, sorted by ARN.
func (a *Analysis) Verdicts() []Verdict {
	out := make([]Verdict, 0, len(a.ix.principals))
	for _, p := range a.ix.principals {
		v := Verdict{ARN: p.arn}
		if a.isAdminPrincipal(p) {
			v.Admin = true
			out = append(out, v)
			continue
		}
		r := a.toAdmin(p)
		if r.found {
			path := a.path(p, ToAdmin, r.plan)
			v.Path = &path
		} else {
			v.Unknown = append(append(v.Unknown, a.ix.incomplete...), r.uncertain...)
		}
		out = append(out, v)
	}
	return out
}

// Admins lists the admin-equivalent principals, sorted.
func (a *Analysis) Admins() []string {
	out := []string{}
	for _, p := range a.ix.principals {
		if a.isAdminPrincipal(p) {
			out = append(out, p.arn)
		}
	}
	return out
}

// Run answers a query: the shortest path from each selected principal,
// shortest first.
func (a *Analysis) Run(q Query) (*Result, error) {
	res := &Result{Paths: []Path{}, Admins: a.Admins(), Unknown: []Uncertain{}}
	sources := a.ix.principals
	if q.From != "" {
		p, err := a.lookup(q.From)
		if err != nil {
			return nil, fmt.Errorf("--from: %w", err)
		}
		sources = []*principal{p}
	}
	var target *principal
	if q.To != "" && q.To != ToAdmin {
		p, err := a.lookup(q.To)
		if err != nil {
			return nil, fmt.Errorf("--to: %w", err)
		}
		target = p
	}
	for _, p := range sources {
		var r *searchResult
		to := ToAdmin
		if target != nil {
			if p == target {
				continue
			}
			r, to = a.toTarget(p, target), target.arn
		} else {
			if a.isAdminPrincipal(p) {
				continue
			}
			r = a.toAdmin(p)
		}
		if r.found {
			res.Paths = append(res.Paths, a.path(p, to, r.plan))
			continue
		}
		if why := append(append([]string(nil), a.ix.incomplete...), r.uncertain...); len(why) > 0 {
			res.Unknown = append(res.Unknown, Uncertain{Principal: p.arn, Reasons: why})
		}
	}
	sort.SliceStable(res.Paths, func(i, j int) bool {
		if len(res.Paths[i].Hops) != len(res.Paths[j].Hops) {
			return len(res.Paths[i].Hops) < len(res.Paths[j].Hops)
		}
		return res.Paths[i].From < res.Paths[j].From
	})
	return res, nil
}

// path renders a plan with its explanations.
func (a *Analysis) path(src *principal, to string, plan []hop) Path {
	out := Path{From: src.arn, To: to, Hops: make([]Hop, 0, len(plan))}
	for _, h := range plan {
		e := h.e
		hp := Hop{Technique: e.tech.ID, Name: e.tech.Name, From: e.from.p.arn, To: h.target.arn, Gain: e.tech.Gain,
			Via: e.via, Credentials: e.from.cred.String(), Permissions: []Permission{}, Assumes: e.assumes}
		for _, r := range e.reqs {
			hp.Permissions = append(hp.Permissions, a.explain(r)...)
		}
		out.Hops = append(out.Hops, hp)
	}
	return out
}

// WriteText writes a human summary of a result. Names from the snapshot
// are escaped so that a hostile policy or principal name cannot forge
// lines or drive the terminal.
func WriteText(w io.Writer, r *Result) error {
	var b strings.Builder
	if len(r.Paths) == 0 {
		b.WriteString("No privilege-escalation path found.\n")
	}
	for _, p := range r.Paths {
		fmt.Fprintf(&b, "%s → %s (%d hop%s)\n", safe(p.From), safe(p.To), len(p.Hops), plural(len(p.Hops)))
		for i, h := range p.Hops {
			fmt.Fprintf(&b, "  %d. %s: %s → %s", i+1, h.Technique, safe(h.From), safe(h.To))
			if h.Via != "" {
				fmt.Fprintf(&b, " via %s", safe(h.Via))
			}
			fmt.Fprintf(&b, " [%s, as %s]\n", h.Gain, h.Credentials)
			for _, pm := range h.Permissions {
				who := ""
				if pm.Principal != "" {
					who = " for " + pm.Principal
				}
				fmt.Fprintf(&b, "     %s on %s%s: %s policy %s statement %s\n", pm.Action, safe(pm.Resource), who, pm.PolicyKind,
					strconv.Quote(pm.Policy), safe(fmt.Sprint(pm.Statement)))
			}
			for _, as := range h.Assumes {
				fmt.Fprintf(&b, "     assumes: %s\n", as)
			}
		}
	}
	if len(r.Admins) > 0 {
		b.WriteString("Already admin-equivalent:\n")
		for _, a := range r.Admins {
			fmt.Fprintf(&b, "  %s\n", safe(a))
		}
	}
	for _, u := range r.Unknown {
		fmt.Fprintf(&b, "Unknown (no path found, but data is missing) for %s:\n", safe(u.Principal))
		for _, why := range u.Reasons {
			fmt.Fprintf(&b, "  %s\n", safe(why))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// safe escapes control and invisible formatting characters.
func safe(s string) string {
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			q := strconv.QuoteToASCII(s)
			return q[1 : len(q)-1]
		}
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// WriteDOT writes the paths of a result as a Graphviz digraph: principals
// are nodes ("admin" is one), hops are edges labelled with the technique.
func WriteDOT(w io.Writer, r *Result) error {
	var b strings.Builder
	b.WriteString("digraph privesc {\n  rankdir=LR;\n  node [shape=box];\n")
	nodes := map[string]bool{}
	type key struct{ from, to, tech string }
	edges := map[key]bool{}
	var order []key
	addEdge := func(k key) {
		if !edges[k] {
			edges[k] = true
			order = append(order, k)
		}
	}
	for _, p := range r.Paths {
		nodes[p.From] = true
		for _, h := range p.Hops {
			nodes[h.From], nodes[h.To] = true, true
			addEdge(key{h.From, h.To, h.Technique})
		}
		if p.To == ToAdmin && len(p.Hops) > 0 {
			addEdge(key{p.Hops[len(p.Hops)-1].To, ToAdmin, "admin-equivalent"})
		}
	}
	for _, a := range r.Admins {
		nodes[a] = true
		addEdge(key{a, ToAdmin, "admin-equivalent"})
	}
	if len(order) > 0 {
		fmt.Fprintf(&b, "  %q [shape=doubleoctagon];\n", ToAdmin)
	}
	names := make([]string, 0, len(nodes))
	for n := range nodes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  %q [label=%q];\n", n, shortARN(n))
	}
	for _, k := range order {
		fmt.Fprintf(&b, "  %q -> %q [label=%q];\n", k.from, k.to, k.tech)
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}
