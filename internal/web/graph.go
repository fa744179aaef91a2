package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/demarc-sec/demarc/internal/analyze/reach"
	"github.com/demarc-sec/demarc/internal/store"
)

// Graphs are built once per scan from its artifacts and kept in the scan's
// cache entry; each request then cuts a view out of them — the nodes that
// match a filter, or one node and its neighbours — capped at a number of
// nodes the browser draws comfortably, with a notice when nodes are left
// out. Node IDs are the resources' ARNs (or "internet", "admin"); the
// browser only ever sets them as text or attribute values.

// privescDoc is the privilege-escalation artifact. It decodes the JSON of
// privesc.Result without depending on its Go types, so that any producer
// of the shape {"paths":[{"from","to","hops":[{"technique","from","to",
// "permissions"}]}],"admins":[…]} can feed the graph.
type privescDoc struct {
	Paths []struct {
		From string `json:"from"`
		To   string `json:"to"`
		Hops []struct {
			Technique   string            `json:"technique"`
			Name        string            `json:"name"`
			From        string            `json:"from"`
			To          string            `json:"to"`
			Via         string            `json:"via"`
			Credentials string            `json:"credentials"`
			Permissions []json.RawMessage `json:"permissions"`
			Assumes     []string          `json:"assumes"`
		} `json:"hops"`
	} `json:"paths"`
	Admins  []string `json:"admins"`
	Unknown []struct {
		Principal string   `json:"principal"`
		Reasons   []string `json:"reasons"`
	} `json:"unknown"`
}

// permissionText renders one permission of a hop: privesc.Permission's
// fields when present, else the JSON itself.
func permissionText(raw json.RawMessage) string {
	var p struct {
		Policy     string `json:"policy"`
		Statement  any    `json:"statement"`
		Action     string `json:"action"`
		Resource   string `json:"resource"`
		PolicyKind string `json:"policy_kind"`
		Principal  string `json:"principal"`
	}
	if err := json.Unmarshal(raw, &p); err != nil || p.Action == "" {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return string(raw)
	}
	t := fmt.Sprintf("%s on %s: %s policy %q, statement %v", p.Action, p.Resource, p.PolicyKind, p.Policy, p.Statement)
	if p.Principal != "" {
		t += " (for " + p.Principal + ")"
	}
	return t
}

// gNode is a node of a graph as the browser receives it.
type gNode struct {
	ID     string   `json:"id"`
	Label  string   `json:"label"`
	Kind   string   `json:"kind"` // user, role, admin, internet, gateway, subnet, sg, lb, resource, …
	Col    int      `json:"col"`  // layout column, left to right
	Detail []string `json:"detail,omitempty"`
	Mark   string   `json:"mark,omitempty"` // "admin", "exposed", "unknown", "finding"
	URL    string   `json:"url,omitempty"`  // the node's findings
}

// gEdge is an edge; Detail lists its explanation.
type gEdge struct {
	From   string   `json:"from"`
	To     string   `json:"to"`
	Label  string   `json:"label"`
	Detail []string `json:"detail,omitempty"`
	Dashed bool     `json:"dashed,omitempty"` // undecided (unknown) or implied
}

// graph is a whole graph with adjacency.
type graph struct {
	Nodes []gNode
	Edges []gEdge
	index map[string]int
	adj   map[int][]int // node → edges touching it
	Note  string        // shown above the graph (e.g. unknown principals)
}

func newGraph() *graph { return &graph{index: map[string]int{}, adj: map[int][]int{}} }

func (g *graph) node(n gNode) int {
	if i, ok := g.index[n.ID]; ok {
		return i
	}
	g.index[n.ID] = len(g.Nodes)
	g.Nodes = append(g.Nodes, n)
	return len(g.Nodes) - 1
}

func (g *graph) edge(e gEdge) {
	for _, ei := range g.adj[g.index[e.From]] {
		o := &g.Edges[ei]
		if o.From == e.From && o.To == e.To && o.Label == e.Label {
			return
		}
	}
	g.Edges = append(g.Edges, e)
	i := len(g.Edges) - 1
	g.adj[g.index[e.From]] = append(g.adj[g.index[e.From]], i)
	if e.To != e.From {
		g.adj[g.index[e.To]] = append(g.adj[g.index[e.To]], i)
	}
}

func principalKind(arn string) string {
	switch r := shortARN(arn); {
	case strings.HasPrefix(r, "user/"):
		return "user"
	case strings.HasPrefix(r, "role/"):
		return "role"
	case strings.HasPrefix(r, "group/"):
		return "group"
	}
	return "principal"
}

// privescGraph draws principals → technique → principal … → admin.
func privescGraph(d privescDoc, findingsURL func(arn string) string) *graph {
	g := newGraph()
	const admin = "admin"
	addPrincipal := func(arn string) {
		g.node(gNode{ID: arn, Label: shortARN(arn), Kind: principalKind(arn), URL: findingsURL(arn)})
	}
	hasAdmin := false
	ensureAdmin := func() {
		if !hasAdmin {
			g.node(gNode{ID: admin, Label: "administrator", Kind: "admin", Mark: "admin",
				Detail: []string{"Administrator-equivalent: allowed every action of a representative probe set on every resource."}})
			hasAdmin = true
		}
	}
	for _, p := range d.Paths {
		addPrincipal(p.From)
		for _, h := range p.Hops {
			addPrincipal(h.From)
			if h.To == admin {
				ensureAdmin()
			} else {
				addPrincipal(h.To)
			}
			detail := []string{}
			if h.Name != "" {
				detail = append(detail, h.Name)
			}
			if h.Credentials != "" {
				detail = append(detail, "acting with: "+h.Credentials)
			}
			if h.Via != "" {
				detail = append(detail, "via "+h.Via)
			}
			for _, pm := range h.Permissions {
				detail = append(detail, "allowed by "+permissionText(pm))
			}
			for _, a := range h.Assumes {
				detail = append(detail, "assumes: "+a)
			}
			g.edge(gEdge{From: h.From, To: h.To, Label: h.Technique, Detail: detail})
		}
		if p.To == admin && len(p.Hops) > 0 {
			if last := p.Hops[len(p.Hops)-1].To; last != admin {
				ensureAdmin()
				g.edge(gEdge{From: last, To: admin, Label: "admin-equivalent", Dashed: true})
			}
		} else if p.To != admin && p.To != "" {
			addPrincipal(p.To)
		}
	}
	for _, a := range d.Admins {
		ensureAdmin()
		addPrincipal(a)
		g.Nodes[g.index[a]].Mark = "admin"
		g.edge(gEdge{From: a, To: admin, Label: "admin-equivalent", Dashed: true})
	}
	for _, u := range d.Unknown {
		addPrincipal(u.Principal)
		n := &g.Nodes[g.index[u.Principal]]
		n.Mark = "unknown"
		for _, r := range u.Reasons {
			n.Detail = append(n.Detail, "no path found, but not proven: "+r)
		}
	}
	if len(d.Unknown) > 0 {
		g.Note = fmt.Sprintf("%d principal(s) have no path found but one cannot be ruled out (data missing); they are marked unknown.", len(d.Unknown))
	}
	// Columns: the farther from admin, the farther left.
	if hasAdmin {
		dist := map[int]int{g.index[admin]: 0}
		queue := []int{g.index[admin]}
		for len(queue) > 0 {
			n := queue[0]
			queue = queue[1:]
			for _, ei := range g.adj[n] {
				e := g.Edges[ei]
				if g.index[e.To] != n {
					continue
				}
				from := g.index[e.From]
				if _, ok := dist[from]; !ok {
					dist[from] = dist[n] + 1
					queue = append(queue, from)
				}
			}
		}
		maxD := 0
		for _, v := range dist {
			maxD = max(maxD, v)
		}
		for i := range g.Nodes {
			if v, ok := dist[i]; ok {
				g.Nodes[i].Col = maxD - v
			}
		}
	}
	return g
}

var (
	reIGW    = regexp.MustCompile(`\bigw-[0-9a-z]+`)
	reSubnet = regexp.MustCompile(`\bsubnet-[0-9a-z]+`)
)

// splitHop parses a reach hop string, "control id: detail".
func splitHop(h string) (control, id, detail string) {
	head, detail, ok := strings.Cut(h, ": ")
	if !ok {
		return "", "", h
	}
	control, id, _ = strings.Cut(head, " ")
	return control, id, detail
}

// exposureGraph draws internet → gateway → subnet/NACL → (load balancer)
// → security group → resource, one chain per exposed port range.
func exposureGraph(rep reach.Report, names map[string]string, findingsURL func(arn string) string) *graph {
	g := newGraph()
	const internet = "internet"
	g.node(gNode{ID: internet, Label: "internet", Kind: "internet", Col: 0})
	chain := func(arn, proto string, from, to int, path []string, unknown bool, reason string) {
		label := proto
		switch {
		case from < 0:
		case from == to:
			label += " " + strconv.Itoa(from)
		default:
			label += " " + strconv.Itoa(from) + "-" + strconv.Itoa(to)
		}
		if proto == "" {
			label = "any"
		}
		prev := internet
		var notes []string
		for _, h := range path {
			control, id, detail := splitHop(h)
			var n gNode
			switch control {
			case "route":
				if gw := reIGW.FindString(detail); gw != "" {
					n = gNode{ID: "gw:" + gw, Label: gw, Kind: "gateway", Col: 1}
				} else {
					n = gNode{ID: "rt:" + id, Label: id, Kind: "route-table", Col: 1}
				}
			case "nacl-inbound":
				sub := reSubnet.FindString(detail)
				lbl := id
				if sub != "" {
					lbl = sub + " / " + id
				}
				n = gNode{ID: "nacl:" + sub + ":" + id, Label: lbl, Kind: "subnet", Col: 2}
			case "sg-inbound":
				n = gNode{ID: "sg:" + id, Label: id, Kind: "sg", Col: 4}
			case "lb-listener", "lb-scheme", "lb-target":
				n = gNode{ID: "lb:" + id, Label: shortARN(id), Kind: "lb", Col: 3}
			default:
				notes = append(notes, h)
				continue
			}
			n.Detail = []string{h}
			i := g.node(n)
			if len(g.Nodes[i].Detail) < 8 && !contains(g.Nodes[i].Detail, h) {
				g.Nodes[i].Detail = append(g.Nodes[i].Detail, h)
			}
			if n.ID != prev {
				g.edge(gEdge{From: prev, To: n.ID, Label: "", Dashed: unknown})
			}
			prev = n.ID
		}
		rl := shortARN(arn)
		if nm := names[arn]; nm != "" && nm != rl {
			rl += " (" + nm + ")"
		}
		ri := g.node(gNode{ID: arn, Label: rl, Kind: "resource", Col: 5, URL: findingsURL(arn)})
		mark := "exposed"
		if unknown {
			mark = "unknown"
			notes = append(notes, "undecided: "+reason)
		}
		if g.Nodes[ri].Mark != "exposed" {
			g.Nodes[ri].Mark = mark
		}
		g.edge(gEdge{From: prev, To: arn, Label: label, Detail: notes, Dashed: unknown})
	}
	for _, e := range rep.Exposures {
		chain(e.ResourceARN, e.Protocol, e.FromPort, e.ToPort, e.Path, false, "")
	}
	for _, u := range rep.Unknown {
		chain(u.ResourceARN, u.Protocol, u.FromPort, u.ToPort, u.Path, true, u.Reason)
	}
	if len(rep.Unknown) > 0 {
		g.Note = fmt.Sprintf("%d possible exposure(s) could not be decided (an input was not collected); they are drawn dashed and marked unknown.", len(rep.Unknown))
	}
	return g
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// graphView is the JSON a graph request returns.
type graphView struct {
	Kind       string  `json:"kind"`
	Nodes      []gNode `json:"nodes"`
	Edges      []gEdge `json:"edges"`
	TotalNodes int     `json:"total_nodes"`
	TotalEdges int     `json:"total_edges"`
	Truncated  bool    `json:"truncated"`
	Notice     string  `json:"notice,omitempty"`
	Note       string  `json:"note,omitempty"`
	Focus      string  `json:"focus,omitempty"`
	Query      string  `json:"query,omitempty"`
	Matches    int     `json:"matches"`
	Error      string  `json:"error,omitempty"`
}

// Node caps of a view.
const (
	defaultMaxNodes = 150
	limitMaxNodes   = 2000
)

// view cuts what the browser draws out of the whole graph: with focus,
// the node and its neighbours up to depth hops; with q, the nodes whose
// label or ID contains it and their neighbours; else everything. At most
// maxNodes nodes, the focused and matching nodes first, then those with
// the most edges.
func (g *graph) view(kind, q, focus string, depth, maxNodes int) graphView {
	v := graphView{Kind: kind, Nodes: []gNode{}, Edges: []gEdge{}, TotalNodes: len(g.Nodes), TotalEdges: len(g.Edges),
		Focus: focus, Query: q, Note: g.Note}
	pri := map[int]int{} // selected node → priority (lower first)
	switch {
	case focus != "":
		fi, ok := g.index[focus]
		if !ok {
			v.Error = "no node " + focus + " in this graph"
			return v
		}
		pri[fi] = 0
		frontier := []int{fi}
		for d := 1; d <= depth; d++ {
			var next []int
			for _, n := range frontier {
				for _, ei := range g.adj[n] {
					e := g.Edges[ei]
					for _, m := range []int{g.index[e.From], g.index[e.To]} {
						if _, ok := pri[m]; !ok {
							pri[m] = d
							next = append(next, m)
						}
					}
				}
			}
			frontier = next
		}
		v.Matches = 1
	case q != "":
		lq := strings.ToLower(q)
		for i, n := range g.Nodes {
			if strings.Contains(strings.ToLower(n.Label), lq) || strings.Contains(strings.ToLower(n.ID), lq) {
				pri[i] = 0
				v.Matches++
			}
		}
		for i := range g.Nodes {
			if pri[i] != 0 {
				continue
			}
			if _, ok := pri[i]; !ok {
				continue
			}
			for _, ei := range g.adj[i] {
				e := g.Edges[ei]
				for _, m := range []int{g.index[e.From], g.index[e.To]} {
					if _, ok := pri[m]; !ok {
						pri[m] = 1
					}
				}
			}
		}
	default:
		for i := range g.Nodes {
			pri[i] = 1
		}
		v.Matches = len(g.Nodes)
	}
	sel := make([]int, 0, len(pri))
	for i := range pri {
		// The anchor every path leads to or starts from (admin,
		// internet) stays in any view that reaches it.
		if k := g.Nodes[i].Kind; (k == "admin" || k == "internet") && pri[i] > 0 {
			pri[i] = 0
		}
		sel = append(sel, i)
	}
	sort.Slice(sel, func(a, b int) bool {
		na, nb := sel[a], sel[b]
		if pri[na] != pri[nb] {
			return pri[na] < pri[nb]
		}
		if da, db := len(g.adj[na]), len(g.adj[nb]); da != db {
			return da > db
		}
		return g.Nodes[na].ID < g.Nodes[nb].ID
	})
	if len(sel) > maxNodes {
		v.Truncated = true
		sel = sel[:maxNodes]
	}
	keep := map[int]bool{}
	for _, i := range sel {
		keep[i] = true
	}
	sort.Ints(sel)
	for _, i := range sel {
		v.Nodes = append(v.Nodes, g.Nodes[i])
	}
	for ei, e := range g.Edges {
		if keep[g.index[e.From]] && keep[g.index[e.To]] {
			v.Edges = append(v.Edges, g.Edges[ei])
		}
	}
	if v.Truncated {
		v.Notice = fmt.Sprintf("Showing %s of %s nodes (cap %d) and the %s edges between them. Filter, or click a node to focus on it and its neighbours, to see the rest.",
			thousands(len(v.Nodes)), thousands(len(pri)), maxNodes, thousands(len(v.Edges)))
	}
	return v
}

// graphOf returns the scan's graph of a kind, built on first use.
func (s *Server) graphOf(r *http.Request, e *scanEntry, kind string) (*graph, error) {
	base := fmt.Sprintf("/s/%d/findings?resource=", e.id)
	findingsURL := func(arn string) string {
		if !strings.HasPrefix(arn, "arn:") {
			return ""
		}
		return base + urlQueryEscape(arn)
	}
	switch kind {
	case "privesc":
		return derived(e, "graph:privesc", func() (*graph, error) {
			d, err := doc[privescDoc](r.Context(), s, e, store.ArtifactPrivesc)
			if err != nil {
				return nil, err
			}
			return privescGraph(d, findingsURL), nil
		})
	case "exposure":
		return derived(e, "graph:exposure", func() (*graph, error) {
			rep, err := doc[reach.Report](r.Context(), s, e, store.ArtifactExposure)
			if err != nil {
				return nil, err
			}
			names := map[string]string{}
			if inv, err := doc[Inventory](r.Context(), s, e, store.ArtifactInventory); err == nil {
				for _, it := range inv.Resources {
					if it.Name != "" {
						names[it.ARN] = it.Name
					}
				}
			}
			return exposureGraph(rep, names, findingsURL), nil
		})
	}
	return nil, errNotFound
}

// graphJSON serves a view of a graph: ?q=, ?focus=, ?depth=1..3, ?max=.
func (s *Server) graphJSON(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	writeJSON := func(code int, v any) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(code)
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(true) // <, >, & as \u escapes: inert even if sniffed as HTML
		enc.Encode(v)
	}
	id, err := scanID(r)
	if err != nil || (kind != "privesc" && kind != "exposure") {
		writeJSON(http.StatusNotFound, graphView{Kind: kind, Error: "no such graph"})
		return
	}
	e, err := s.entry(r.Context(), id)
	if err != nil {
		code := http.StatusInternalServerError
		if isNotFound(err) {
			code = http.StatusNotFound
		}
		writeJSON(code, graphView{Kind: kind, Error: "no such scan"})
		return
	}
	g, err := s.graphOf(r, e, kind)
	if err != nil {
		code, msg := http.StatusOK, graphError(kind, err)
		if !isNoArtifact(err) && !isAnalysisFailure(err) {
			s.log.Error("web: graph", "scan", id, "kind", kind, "err", err)
			code, msg = http.StatusInternalServerError, "the graph could not be built; the server log has the details"
		}
		writeJSON(code, graphView{Kind: kind, Nodes: []gNode{}, Edges: []gEdge{}, Error: msg})
		return
	}
	q := r.URL.Query()
	depth, _ := strconv.Atoi(q.Get("depth"))
	depth = min(max(depth, 1), 3)
	maxNodes, _ := strconv.Atoi(q.Get("max"))
	if maxNodes <= 0 {
		maxNodes = defaultMaxNodes
	}
	maxNodes = min(max(maxNodes, 10), limitMaxNodes)
	writeJSON(http.StatusOK, g.view(kind, strings.TrimSpace(q.Get("q")), q.Get("focus"), depth, maxNodes))
}
