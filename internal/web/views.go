package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/demarc-sec/demarc/internal/analyze/reach"
	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/frameworks"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/responsibility"
	"github.com/demarc-sec/demarc/internal/store"
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

func isNotFound(err error) bool {
	return errors.Is(err, store.ErrNotFound) || errors.Is(err, errNotFound)
}

func isNoArtifact(err error) bool { return errors.Is(err, store.ErrNoArtifact) }

func isAnalysisFailure(err error) bool {
	var a analysisError
	return errors.As(err, &a)
}

// graphError explains a graph that cannot be drawn.
func graphError(kind string, err error) string {
	if isNoArtifact(err) {
		return "This scan was recorded without the " + kind + " analysis (by a demarc that did not record it), so there is no graph to draw. Scan again with this demarc."
	}
	return err.Error()
}

// artifactNote explains a missing or failed artifact on a page; empty when
// err is nil.
func artifactNote(what string, err error) string {
	switch {
	case err == nil:
		return ""
	case isNoArtifact(err):
		return "This scan was recorded without " + what + "."
	case isAnalysisFailure(err):
		return "The " + what + " could not be computed: " + err.Error()
	}
	return "The " + what + " could not be read: " + err.Error()
}

// ---- scores, stats ----

// stats returns a scan's stats without building its index when the index
// is not already there (the overview reads many scans).
func (s *Server) stats(ctx context.Context, e *scanEntry) (*scanStats, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stats != nil {
		return e.stats, nil
	}
	var st store.ScanStats
	if err := s.withStore(func() error {
		var err error
		st, err = s.q.ScanStats(ctx, e.id)
		return err
	}); err != nil {
		return nil, err
	}
	e.stats = &scanStats{metas: st.Rules, counts: st.Counts}
	return e.stats, nil
}

// scores returns a scan's scores: recorded, or rebuilt from its counts
// (rebuilt reports true).
func (s *Server) scores(ctx context.Context, e *scanEntry) (sc Scores, rebuilt bool, err error) {
	sc, err = doc[Scores](ctx, s, e, store.ArtifactScores)
	if !isNoArtifact(err) {
		return sc, false, err
	}
	sc, err = derived(e, "scores:rebuilt", func() (Scores, error) {
		st, err := s.stats(ctx, e)
		if err != nil {
			return Scores{}, err
		}
		return scoresFromStats(st, s.opts.Rules)
	})
	return sc, true, err
}

func (s *Server) frameworkReports(ctx context.Context, e *scanEntry) (reps []frameworks.Report, rebuilt bool, err error) {
	reps, err = doc[[]frameworks.Report](ctx, s, e, store.ArtifactFrameworks)
	if !isNoArtifact(err) {
		return reps, false, err
	}
	reps, err = derived(e, "frameworks:rebuilt", func() ([]frameworks.Report, error) {
		st, err := s.stats(ctx, e)
		if err != nil {
			return nil, err
		}
		return frameworksFromStats(st, s.opts.Rules)
	})
	return reps, true, err
}

// ---- overview ----

type sevCount struct {
	Severity string
	N        int
	URL      string
}

type coverageGroup struct {
	Reason string
	N      int
}

type card struct {
	Scan          store.Scan
	Scans         int
	URL           string
	Scores        Scores
	ScoresNote    string
	Rebuilt       bool
	Fails         []sevCount
	FailTotal     int
	Coverage      []coverageGroup
	CoverageTotal int
	ScoreChart    chartSVG
	FailChart     chartSVG
}

type overviewBody struct {
	Cards []card
}

func (s *Server) overview(r *http.Request) (string, page, error) {
	ctx := r.Context()
	var accts []store.AccountInfo
	if err := s.withStore(func() error {
		var err error
		accts, err = s.q.Accounts(ctx)
		return err
	}); err != nil {
		return "", page{}, err
	}
	body := overviewBody{}
	for _, a := range accts {
		var scans []store.Scan
		if err := s.withStore(func() error {
			var err error
			scans, err = s.opts.Store.Scans(ctx, store.Filter{AccountID: a.AccountID, Limit: 30})
			return err
		}); err != nil {
			return "", page{}, err
		}
		if len(scans) == 0 {
			continue
		}
		c, err := s.card(ctx, scans)
		if err != nil {
			return "", page{}, err
		}
		c.Scans = a.Scans
		body.Cards = append(body.Cards, c)
	}
	return "overview", page{Title: "Overview", Active: "overview", Body: body}, nil
}

// card summarizes scans[0] with the trend of scans (newest first).
func (s *Server) card(ctx context.Context, scans []store.Scan) (card, error) {
	sc := scans[0]
	e := s.remember(sc)
	c := card{Scan: sc, URL: fmt.Sprintf("/s/%d/", sc.ID)}
	scores, rebuilt, err := s.scores(ctx, e)
	switch {
	case err == nil:
		c.Scores, c.Rebuilt = scores, rebuilt
	case isAnalysisFailure(err):
		c.ScoresNote = artifactNote("scores", err)
	default:
		return c, err
	}
	fails := c.Scores.FailBySeverity
	for _, sev := range severities {
		n := fails[sev]
		c.FailTotal += n
		c.Fails = append(c.Fails, sevCount{Severity: sev, N: n,
			URL: fmt.Sprintf("/s/%d/findings?status=FAIL&severity=%s&suppressed=hide", sc.ID, sev)})
	}
	byReason := map[string]int{}
	for _, ce := range sc.Coverage {
		byReason[ce.Reason]++
	}
	for r, n := range byReason {
		c.Coverage = append(c.Coverage, coverageGroup{Reason: r, N: n})
	}
	sort.Slice(c.Coverage, func(i, j int) bool {
		if c.Coverage[i].N != c.Coverage[j].N {
			return c.Coverage[i].N > c.Coverage[j].N
		}
		return c.Coverage[i].Reason < c.Coverage[j].Reason
	})
	c.CoverageTotal = len(sc.Coverage)
	pts, keys := s.trend(ctx, scans, e, scores)
	c.ScoreChart, c.FailChart = scoreChart(pts, keys), failChart(pts)
	return c, nil
}

// trend reads the scores of each scan (oldest first). Scans without a
// scores artifact show their summary's FAIL counts and no score, except
// the current one, whose scores were already computed.
func (s *Server) trend(ctx context.Context, scans []store.Scan, cur *scanEntry, curScores Scores) ([]trendPoint, []string) {
	var pts []trendPoint
	keySet := map[string]bool{}
	for i := len(scans) - 1; i >= 0; i-- {
		sc := scans[i]
		p := trendPoint{ScanID: sc.ID, URL: fmt.Sprintf("/s/%d/", sc.ID), When: sc.CollectedAt,
			Scores: map[string]float64{}, Names: map[string]string{}}
		var scores Scores
		var err error
		if sc.ID == cur.id {
			scores = curScores
		} else {
			scores, err = doc[Scores](ctx, s, s.remember(sc), store.ArtifactScores)
		}
		if err == nil && scores.FailBySeverity != nil {
			for _, f := range scores.Frameworks {
				p.Scores[f.Key], p.Names[f.Key] = f.Score, f.Name
				keySet[f.Key] = true
			}
			p.Fails = scores.FailBySeverity
		} else {
			p.Fails, p.FailsApprox = sc.Summary.FailBySev, true
		}
		pts = append(pts, p)
	}
	var keys []string
	for _, k := range frameworks.Keys() {
		if keySet[k] {
			keys = append(keys, k)
		}
	}
	return pts, keys
}

// ---- scans ----

type scansBody struct {
	Scans     []store.Scan
	Truncated bool
}

func (s *Server) scansPage(r *http.Request) (string, page, error) {
	const limit = 500
	var scans []store.Scan
	if err := s.withStore(func() error {
		var err error
		scans, err = s.opts.Store.Scans(r.Context(), store.Filter{Limit: limit + 1})
		return err
	}); err != nil {
		return "", page{}, err
	}
	b := scansBody{Scans: scans}
	if len(scans) > limit {
		b.Scans, b.Truncated = scans[:limit], true
	}
	return "scans", page{Title: "Scans", Active: "scans", Body: b}, nil
}

// ---- one scan ----

type scanBody struct {
	Card       card
	Previous   *store.Scan
	NewCount   int
	NewKnown   bool
	Coverage   []core.CollectError
	Frameworks []FrameworkScore
	Notes      []string
	Findings   string // URL of the scan's findings
}

func (s *Server) scanOverview(r *http.Request) (string, page, error) {
	e, p, err := s.scanPage(r, "scan", "Scan")
	if err != nil {
		return "", page{}, err
	}
	ctx := r.Context()
	var scans []store.Scan
	if err := s.withStore(func() error {
		var err error
		scans, err = s.opts.Store.Scans(ctx, store.Filter{AccountID: e.scan.AccountID, Before: &e.scan, Limit: 29})
		return err
	}); err != nil {
		return "", page{}, err
	}
	c, err := s.card(ctx, append([]store.Scan{e.scan}, scans...))
	if err != nil {
		return "", page{}, err
	}
	b := scanBody{Card: c, Coverage: e.scan.Coverage, Frameworks: c.Scores.Frameworks, Findings: p.Scan.Base + "/findings"}
	if b.Previous, err = s.previous(ctx, e); err != nil {
		return "", page{}, err
	}
	if b.Previous != nil {
		nf, known, err := s.newFails(ctx, e)
		if err != nil {
			return "", page{}, err
		}
		if known {
			b.NewCount, b.NewKnown = nf.n, true
		}
	}
	if c.Rebuilt {
		b.Notes = append(b.Notes, "This scan was recorded without the dashboard's analyses: scores, framework reports and the matrix are rebuilt from its findings; the graphs and the inventory are not available.")
	}
	if c.ScoresNote != "" {
		b.Notes = append(b.Notes, c.ScoresNote)
	}
	p.Title = "Scan " + strconv.FormatInt(e.scan.ID, 10)
	p.Body = b
	return "scan", p, nil
}

// ---- frameworks ----

type frameworkBody struct {
	Report  frameworks.Report
	Rebuilt bool
	Base    string
	Rows    []controlRow
}

type controlRow struct {
	frameworks.ControlResult
	URL string
}

func (s *Server) frameworkPage(r *http.Request) (string, page, error) {
	e, p, err := s.scanPage(r, "scan", "Framework")
	if err != nil {
		return "", page{}, err
	}
	reps, rebuilt, err := s.frameworkReports(r.Context(), e)
	if err != nil {
		return "", page{}, err
	}
	key := r.PathValue("key")
	for _, rep := range reps {
		if rep.Framework != key {
			continue
		}
		b := frameworkBody{Report: rep, Rebuilt: rebuilt, Base: p.Scan.Base}
		for _, c := range rep.Controls {
			row := controlRow{ControlResult: c}
			if len(c.Rules) > 0 {
				row.URL = p.Scan.Base + "/findings?control=" + url.QueryEscape(key+":"+c.ID)
			}
			b.Rows = append(b.Rows, row)
		}
		p.Title, p.Body = rep.Name+" "+rep.Version, b
		return "framework", p, nil
	}
	return "", page{}, fmt.Errorf("framework %q: %w", key, errNotFound)
}

// ---- matrix ----

type matrixCell struct {
	Owner   string // "aws", "customer", ""
	Status  string
	Title   string
	Counts  string
	URL     string
	Layer   string
	Service string
}

type matrixRow struct {
	Service  responsibility.Service
	Cells    []matrixCell
	Customer string // the row's worst customer status
}

type matrixCol struct {
	Layer, Description, Owner string
}

type matrixBody struct {
	Account      string
	Source       string
	Cols         []matrixCol
	AWSCols      int
	CustCols     int
	Rows         []matrixRow
	Attestations []string
	Note         string
}

func (s *Server) matrix(ctx context.Context, e *scanEntry) (responsibility.Matrix, string, error) {
	m, err := doc[responsibility.Matrix](ctx, s, e, store.ArtifactResponsibility)
	if !isNoArtifact(err) {
		return m, "", err
	}
	m, err = derived(e, "matrix:rebuilt", func() (responsibility.Matrix, error) {
		st, err := s.stats(ctx, e)
		if err != nil {
			return responsibility.Matrix{}, err
		}
		rc, err := s.resourceCounts(ctx, e)
		if err != nil {
			return responsibility.Matrix{}, err
		}
		return matrixFromStats(st, rc, e.scan.AccountID, s.opts.Rules)
	})
	return m, "This scan was recorded without the matrix; it is rebuilt from the findings: a service counts as in use when a rule reported on it (S3 always).", err
}

func (s *Server) resourceCounts(ctx context.Context, e *scanEntry) ([]store.ResourceCount, error) {
	return derived(e, "resources", func() ([]store.ResourceCount, error) {
		var rc []store.ResourceCount
		err := s.withStore(func() error {
			var err error
			rc, err = s.q.ResourceCounts(ctx, e.id)
			return err
		})
		return rc, err
	})
}

func (s *Server) matrixPage(r *http.Request) (string, page, error) {
	e, p, err := s.scanPage(r, "matrix", "Shared responsibility")
	if err != nil {
		return "", page{}, err
	}
	m, note, err := s.matrix(r.Context(), e)
	if err != nil && !isAnalysisFailure(err) {
		return "", page{}, err
	}
	b := matrixBody{Account: e.scan.AccountID, Source: m.Source, Note: note}
	if err != nil {
		b.Note = artifactNote("shared-responsibility matrix", err)
	}
	// Columns in the order they first appear: AWS's layers, then yours.
	seen := map[string]bool{}
	var awsCols, custCols []matrixCol
	for _, svc := range m.Services {
		for _, l := range svc.AWS {
			if !seen["a:"+l.Layer] {
				seen["a:"+l.Layer] = true
				awsCols = append(awsCols, matrixCol{Layer: l.Layer, Description: l.Description, Owner: "aws"})
				if len(b.Attestations) == 0 {
					b.Attestations = l.Attestations
				}
			}
		}
		for _, l := range svc.Customer {
			if !seen["c:"+l.Layer] {
				seen["c:"+l.Layer] = true
				custCols = append(custCols, matrixCol{Layer: l.Layer, Description: l.Description, Owner: "customer"})
			}
		}
	}
	b.Cols = append(awsCols, custCols...)
	b.AWSCols, b.CustCols = len(awsCols), len(custCols)
	for _, svc := range m.Services {
		row := matrixRow{Service: svc, Customer: svc.CustomerStatus}
		aws := map[string]responsibility.AWSLayer{}
		for _, l := range svc.AWS {
			aws[l.Layer] = l
		}
		cust := map[string]responsibility.CustomerLayer{}
		for _, l := range svc.Customer {
			cust[l.Layer] = l
		}
		for _, col := range b.Cols {
			cell := matrixCell{Layer: col.Layer, Service: svc.Name}
			if col.Owner == "aws" {
				if l, ok := aws[col.Layer]; ok {
					cell.Owner, cell.Status = "aws", "AWS"
					cell.Title = l.Description + ". Attested under: " + strings.Join(l.Attestations, ", ")
				}
			} else if l, ok := cust[col.Layer]; ok {
				cell.Owner, cell.Status, cell.Title = "customer", l.Status, l.Description
				var parts []string
				for _, st := range []string{"FAIL", "UNKNOWN", "PASS", "MANUAL"} {
					if n := l.Counts[st]; n > 0 {
						parts = append(parts, thousands(n)+" "+st)
					}
				}
				cell.Counts = strings.Join(parts, " · ")
				if len(l.Rules) > 0 {
					v := url.Values{"rule": l.Rules}
					cell.URL = p.Scan.Base + "/findings?" + v.Encode()
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		b.Rows = append(b.Rows, row)
	}
	p.Body = b
	return "matrix", p, nil
}

// ---- findings ----

type facetLink struct {
	Value  string
	Label  string
	N      int
	URL    string
	Active bool
}

type facet struct {
	Name  string // query parameter
	Title string
	Links []facetLink
}

type option struct {
	Value, Label string
	Selected     bool
}

type findingRow struct {
	store.StoredFinding
	URL string
}

type findingsBody struct {
	Base      string
	Filter    filter
	Rows      []findingRow
	Total     int
	From, To  int
	Page      int
	Pages     int
	PrevURL   string
	NextURL   string
	FirstURL  string
	LastURL   string
	ClearURL  string
	Facets    []facet
	Controls  []option
	Rules     []option
	Layers    []option
	Sizes     []option
	Size      int
	HasPrev   bool // the scan has a previous scan (new-since-last works)
	Previous  *store.Scan
	FromIndex bool
	Chips     []facetLink // active filters, each link removes it
}

const defaultPageSize = 50

func (s *Server) findingsPage(r *http.Request) (string, page, error) {
	e, p, err := s.scanPage(r, "findings", "Findings")
	if err != nil {
		return "", page{}, err
	}
	ctx := r.Context()
	qv := r.URL.Query()
	f := parseFilter(qv)
	size := defaultPageSize
	if v := qv.Get("size"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 10 || size > 500 {
			return "", page{}, badRequest("size must be a number from 10 to 500")
		}
	}
	pg := 1
	if v := qv.Get("page"); v != "" {
		if pg, err = strconv.Atoi(v); err != nil || pg < 1 || pg > 1_000_000 {
			return "", page{}, badRequest("page must be a positive number")
		}
	}
	prev, err := s.previous(ctx, e)
	if err != nil {
		return "", page{}, err
	}
	if f.NewOnly && prev == nil {
		f.NewOnly = false
	}
	parts := indexParts{arns: f.Text != "" || f.Resource != "", msgs: f.Text != "", fails: f.NewOnly}
	st, ix, err := s.data(ctx, e, parts)
	if err != nil {
		return "", page{}, err
	}
	var prevID int64
	if prev != nil {
		prevID = prev.ID
	}
	offset := (pg - 1) * size
	var (
		rows  []store.StoredFinding
		total int
	)
	if ix != nil {
		var (
			arns, msgs *textCol
			news       *newFails
		)
		if parts.arns || parts.msgs {
			if arns, msgs, err = s.text(ctx, e, ix, parts.arns, parts.msgs); err != nil {
				return "", page{}, err
			}
		}
		if f.NewOnly {
			if news, _, err = s.newFails(ctx, e); err != nil {
				return "", page{}, err
			}
		}
		seqs, n := ix.search(f, st.metas, arns, msgs, news, offset, size)
		total = n
		if len(seqs) > 0 {
			if err := s.withStore(func() error {
				var err error
				rows, err = s.q.FindingsBySeq(ctx, e.id, seqs, prevID)
				return err
			}); err != nil {
				return "", page{}, err
			}
		}
	} else {
		fq := store.FindingQuery{ScanID: e.id, PrevScanID: prevID, RuleRefs: f.ruleRefs(st.metas),
			Regions: f.Regions, Resource: f.Resource, Text: f.Text, NewOnly: f.NewOnly, Order: f.Order,
			Offset: offset, Limit: size}
		for _, x := range f.Statuses {
			fq.Statuses = append(fq.Statuses, checks.Status(x))
		}
		switch f.Suppressed {
		case "only":
			t := true
			fq.Suppressed = &t
		case "hide":
			fl := false
			fq.Suppressed = &fl
		}
		var res store.FindingPage
		if err := s.withStore(func() error {
			var err error
			res, err = s.q.QueryFindings(ctx, fq)
			return err
		}); err != nil {
			return "", page{}, err
		}
		rows, total = res.Findings, res.Total
	}

	base := p.Scan.Base + "/findings"
	link := func(f filter, pg int) string {
		v := f.values()
		if pg > 1 {
			v.Set("page", strconv.Itoa(pg))
		}
		if size != defaultPageSize {
			v.Set("size", strconv.Itoa(size))
		}
		if len(v) == 0 {
			return base
		}
		return base + "?" + v.Encode()
	}
	b := findingsBody{Base: base, Filter: f, Total: total, Page: pg, Size: size, HasPrev: prev != nil, Previous: prev,
		FromIndex: ix != nil, ClearURL: base}
	b.Pages = max(1, (total+size-1)/size)
	if total > 0 && offset < total {
		b.From, b.To = offset+1, min(offset+size, total)
	}
	if pg > 1 {
		b.PrevURL, b.FirstURL = link(f, min(pg-1, b.Pages)), link(f, 1)
	}
	if pg < b.Pages {
		b.NextURL, b.LastURL = link(f, pg+1), link(f, b.Pages)
	}
	for _, r := range rows {
		b.Rows = append(b.Rows, findingRow{StoredFinding: r, URL: fmt.Sprintf("%s/%d", base, r.Seq)})
	}
	for _, sz := range []int{25, 50, 100, 250, 500} {
		b.Sizes = append(b.Sizes, option{Value: strconv.Itoa(sz), Label: strconv.Itoa(sz), Selected: sz == size})
	}
	s.facets(&b, st, f, link)
	p.Body = b
	return "findings", p, nil
}

// facets counts the scan's findings per value of each dimension (over the
// whole scan) and links each value: a click selects it alone, a click on
// the selected value clears the dimension.
func (s *Server) facets(b *findingsBody, st *scanStats, f filter, link func(filter, int) string) {
	type dim struct {
		name, title string
		get         func(filter) []string
		set         func(*filter, []string)
		key         func(store.CountRow, store.RuleMeta) string
		order       []string
	}
	dims := []dim{
		{"status", "Status", func(f filter) []string { return f.Statuses }, func(f *filter, v []string) { f.Statuses = v },
			func(c store.CountRow, _ store.RuleMeta) string { return string(c.Status) }, []string{"FAIL", "UNKNOWN", "MANUAL", "PASS"}},
		{"severity", "Severity", func(f filter) []string { return f.Severities }, func(f *filter, v []string) { f.Severities = v },
			func(_ store.CountRow, m store.RuleMeta) string { return string(m.Severity) }, severities},
		{"service", "Service", func(f filter) []string { return f.Services }, func(f *filter, v []string) { f.Services = v },
			func(_ store.CountRow, m store.RuleMeta) string { return m.Service }, nil},
		{"region", "Region", func(f filter) []string { return f.Regions }, func(f *filter, v []string) { f.Regions = v },
			func(c store.CountRow, _ store.RuleMeta) string { return c.Region }, nil},
	}
	for _, d := range dims {
		counts := map[string]int{}
		for _, c := range st.counts {
			counts[d.key(c, st.metas[c.RuleRef])] += c.N
		}
		values := make([]string, 0, len(counts))
		for _, v := range d.order {
			if counts[v] > 0 {
				values = append(values, v)
			}
		}
		if d.order == nil {
			for v := range counts {
				values = append(values, v)
			}
			sort.Strings(values)
		}
		fc := facet{Name: d.name, Title: d.title}
		cur := d.get(f)
		for _, v := range values {
			active := len(cur) == 1 && cur[0] == v
			nf := f
			if active {
				d.set(&nf, nil)
			} else {
				d.set(&nf, []string{v})
			}
			fc.Links = append(fc.Links, facetLink{Value: v, Label: v, N: counts[v], URL: link(nf, 1), Active: active || contains(cur, v)})
		}
		b.Facets = append(b.Facets, fc)
		for _, v := range cur {
			nf := f
			var rest []string
			for _, x := range cur {
				if x != v {
					rest = append(rest, x)
				}
			}
			d.set(&nf, rest)
			b.Chips = append(b.Chips, facetLink{Label: d.title + ": " + v, URL: link(nf, 1)})
		}
	}
	// Selects for controls, rules and layers, from the scan's rules.
	ctrl, rules, layers := map[string]bool{}, map[string]string{}, map[string]bool{}
	for _, m := range st.metas {
		for k, ids := range m.Frameworks {
			for _, id := range ids {
				ctrl[k+":"+id] = true
			}
		}
		rules[m.RuleID] = m.Title
		layers[m.Responsibility] = true
	}
	b.Controls = options(ctrl, f.Controls, nil)
	b.Rules = options(nil, f.Rules, rules)
	b.Layers = options(layers, f.Layers, nil)
	for _, x := range []struct {
		title string
		vals  []string
		set   func(*filter, []string)
	}{
		{"Control", f.Controls, func(f *filter, v []string) { f.Controls = v }},
		{"Rule", f.Rules, func(f *filter, v []string) { f.Rules = v }},
		{"Layer", f.Layers, func(f *filter, v []string) { f.Layers = v }},
	} {
		if len(x.vals) > 0 {
			nf := f
			x.set(&nf, nil)
			label := x.title + ": " + strings.Join(x.vals, ", ")
			if len(x.vals) > 3 {
				label = fmt.Sprintf("%s: %d selected", x.title, len(x.vals))
			}
			b.Chips = append(b.Chips, facetLink{Label: label, URL: link(nf, 1)})
		}
	}
	for _, x := range []struct {
		on    bool
		label string
		clear func(*filter)
	}{
		{f.Resource != "", "Resource contains: " + f.Resource, func(f *filter) { f.Resource = "" }},
		{f.Text != "", "Text: " + f.Text, func(f *filter) { f.Text = "" }},
		{f.Suppressed == "only", "Suppressed only", func(f *filter) { f.Suppressed = "" }},
		{f.Suppressed == "hide", "Suppressed hidden", func(f *filter) { f.Suppressed = "" }},
		{f.NewOnly, "New since the previous scan", func(f *filter) { f.NewOnly = false }},
	} {
		if x.on {
			nf := f
			x.clear(&nf)
			b.Chips = append(b.Chips, facetLink{Label: x.label, URL: link(nf, 1)})
		}
	}
}

// options builds a sorted select list; labels maps value → label.
func options(set map[string]bool, selected []string, labels map[string]string) []option {
	var vals []string
	for v := range set {
		vals = append(vals, v)
	}
	for v := range labels {
		vals = append(vals, v)
	}
	sort.Strings(vals)
	out := []option{}
	for _, v := range vals {
		l := v
		if labels[v] != "" {
			l = v + " — " + labels[v]
		}
		out = append(out, option{Value: v, Label: l, Selected: contains(selected, v)})
	}
	return out
}

// ---- one finding ----

type findingBody struct {
	F           store.StoredFinding
	Base        string
	Rule        *checks.Rule
	CLI         string
	Terraform   string
	Controls    []option // Value: control filter URL, Label: "key control"
	Exposure    *reach.Report
	ExposureErr string
	Paths       []privescPathView
	IsAdmin     bool
	PrivescErr  string
	GraphURL    string
	Previous    *store.Scan
	ResourceURL string
}

type privescPathView struct {
	Summary string
	Hops    []privescHopView
}

type privescHopView struct {
	Technique, Name, From, To string
	Details                   []string
}

func (s *Server) findingPage(r *http.Request) (string, page, error) {
	e, p, err := s.scanPage(r, "findings", "Finding")
	if err != nil {
		return "", page{}, err
	}
	ctx := r.Context()
	seq, err := strconv.Atoi(r.PathValue("seq"))
	if err != nil || seq <= 0 {
		return "", page{}, fmt.Errorf("finding %q: %w", r.PathValue("seq"), errNotFound)
	}
	prev, err := s.previous(ctx, e)
	if err != nil {
		return "", page{}, err
	}
	var prevID int64
	if prev != nil {
		prevID = prev.ID
	}
	var f store.StoredFinding
	if err := s.withStore(func() error {
		var err error
		f, err = s.q.FindingBySeq(ctx, e.id, seq, prevID)
		return err
	}); err != nil {
		return "", page{}, err
	}
	base := p.Scan.Base + "/findings"
	b := findingBody{F: f, Base: base, Previous: prev,
		ResourceURL: base + "?resource=" + url.QueryEscape(f.ResourceARN)}
	if rule, ok := s.rules[f.RuleID]; ok {
		b.Rule = &rule
		b.CLI, b.Terraform = splitRemediation(rule.Remediation)
	}
	var keys []string
	for k := range f.Frameworks {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, id := range f.Frameworks[k] {
			b.Controls = append(b.Controls, option{Value: base + "?control=" + url.QueryEscape(k+":"+id), Label: k + " " + id})
		}
	}
	// Evidence the scan's analyses hold about this resource.
	if rep, err := doc[reach.Report](ctx, s, e, store.ArtifactExposure); err == nil {
		if x := rep.For(f.ResourceARN); len(x.Exposures)+len(x.Unknown) > 0 {
			b.Exposure = x
		}
	} else if !isNoArtifact(err) {
		b.ExposureErr = artifactNote("exposure analysis", err)
	}
	if d, err := doc[privescDoc](ctx, s, e, store.ArtifactPrivesc); err == nil {
		b.IsAdmin = contains(d.Admins, f.ResourceARN)
		for _, path := range d.Paths {
			if path.From != f.ResourceARN {
				continue
			}
			pv := privescPathView{}
			var parts []string
			for _, h := range path.Hops {
				hv := privescHopView{Technique: h.Technique, Name: h.Name, From: h.From, To: h.To}
				if h.Credentials != "" {
					hv.Details = append(hv.Details, "acting with: "+h.Credentials)
				}
				if h.Via != "" {
					hv.Details = append(hv.Details, "via "+h.Via)
				}
				for _, pm := range h.Permissions {
					hv.Details = append(hv.Details, "allowed by "+permissionText(pm))
				}
				for _, a := range h.Assumes {
					hv.Details = append(hv.Details, "assumes: "+a)
				}
				pv.Hops = append(pv.Hops, hv)
				parts = append(parts, h.Technique)
			}
			pv.Summary = shortARN(path.From) + " → " + strings.Join(parts, " → ") + " → " + path.To
			b.Paths = append(b.Paths, pv)
		}
		if len(b.Paths) > 0 || b.IsAdmin {
			b.GraphURL = p.Scan.Base + "/graph/privesc?focus=" + url.QueryEscape(f.ResourceARN)
		}
	} else if !isNoArtifact(err) {
		b.PrivescErr = artifactNote("privilege-escalation analysis", err)
	}
	p.Title = f.RuleID + " — " + shortARN(f.ResourceARN)
	p.Body = b
	return "finding", p, nil
}

// splitRemediation separates a rule's remediation into the CLI part and
// the Terraform part (the rules write "Terraform: …" after the commands).
func splitRemediation(rem string) (cli, tf string) {
	if i := strings.Index(rem, "Terraform:"); i >= 0 {
		return strings.TrimRight(rem[:i], " \n"), strings.TrimSpace(strings.TrimPrefix(rem[i:], "Terraform:"))
	}
	return strings.TrimRight(rem, " \n"), ""
}

// ---- inventory ----

type invCount struct {
	Service  string
	ByRegion []invCell
	Total    int
	URL      string
}

type invCell struct {
	N   int
	URL string
}

type invRow struct {
	InventoryItem
	Tags     []string
	Fail     int
	Unknown  int
	Findings string
}

type inventoryBody struct {
	Base         string
	Regions      []string
	Counts       []invCount
	Rows         []invRow
	Total        int
	Shown        int
	Service      string
	Region       string
	Query        string
	PrevURL      string
	NextURL      string
	Page         int
	Pages        int
	Note         string
	Unknown      []string
	FromFindings bool
}

const inventoryPageSize = 100

func (s *Server) inventoryPage(r *http.Request) (string, page, error) {
	e, p, err := s.scanPage(r, "inventory", "Inventory")
	if err != nil {
		return "", page{}, err
	}
	ctx := r.Context()
	qv := r.URL.Query()
	b := inventoryBody{Base: p.Scan.Base + "/inventory", Service: qv.Get("service"), Region: qv.Get("region"),
		Query: strings.TrimSpace(qv.Get("q"))}
	pg := 1
	if v := qv.Get("page"); v != "" {
		if pg, err = strconv.Atoi(v); err != nil || pg < 1 {
			return "", page{}, badRequest("page must be a positive number")
		}
	}
	var rc []store.ResourceCount // every resource's counts, when read
	inv, err := doc[Inventory](ctx, s, e, store.ArtifactInventory)
	switch {
	case err == nil:
		for region, why := range inv.UnknownLists {
			for _, w := range why {
				b.Unknown = append(b.Unknown, region+": "+w)
			}
		}
		sort.Strings(b.Unknown)
	case isNoArtifact(err) || isAnalysisFailure(err):
		// Rebuilt from the resources the findings name.
		b.FromFindings = true
		b.Note = artifactNote("its inventory", err) + " Listed instead: the resources the findings name."
		if rc, err = s.resourceCounts(ctx, e); err != nil {
			return "", page{}, err
		}
		inv = Inventory{}
		for _, c := range rc {
			inv.Resources = append(inv.Resources, InventoryItem{Service: arnService(c.ResourceARN), ARN: c.ResourceARN, Region: c.Region})
		}
	default:
		return "", page{}, err
	}
	regionSet := map[string]bool{}
	bySvc := map[string]map[string]int{}
	lq := strings.ToLower(b.Query)
	var match []int // indexes into inv.Resources
	for i, it := range inv.Resources {
		regionSet[it.Region] = true
		if bySvc[it.Service] == nil {
			bySvc[it.Service] = map[string]int{}
		}
		bySvc[it.Service][it.Region]++
		if (b.Service != "" && it.Service != b.Service) || (b.Region != "" && it.Region != b.Region) {
			continue
		}
		if lq != "" && !itemMatches(it, lq) {
			continue
		}
		match = append(match, i)
	}
	for rg := range regionSet {
		b.Regions = append(b.Regions, rg)
	}
	sort.Strings(b.Regions)
	var svcs []string
	for sv := range bySvc {
		svcs = append(svcs, sv)
	}
	sort.Strings(svcs)
	link := func(svc, region, q string, pg int) string {
		v := url.Values{}
		if svc != "" {
			v.Set("service", svc)
		}
		if region != "" {
			v.Set("region", region)
		}
		if q != "" {
			v.Set("q", q)
		}
		if pg > 1 {
			v.Set("page", strconv.Itoa(pg))
		}
		if len(v) == 0 {
			return b.Base
		}
		return b.Base + "?" + v.Encode()
	}
	for _, sv := range svcs {
		c := invCount{Service: sv, URL: link(sv, "", "", 1)}
		for _, rg := range b.Regions {
			n := bySvc[sv][rg]
			c.Total += n
			cell := invCell{N: n}
			if n > 0 {
				cell.URL = link(sv, rg, "", 1)
			}
			c.ByRegion = append(c.ByRegion, cell)
		}
		b.Counts = append(b.Counts, c)
	}
	b.Total, b.Shown = len(inv.Resources), len(match)
	b.Pages = max(1, (len(match)+inventoryPageSize-1)/inventoryPageSize)
	b.Page = min(pg, b.Pages)
	start := (b.Page - 1) * inventoryPageSize
	var shown []InventoryItem
	for _, i := range match[start:min(start+inventoryPageSize, len(match))] {
		shown = append(shown, inv.Resources[i])
	}
	if rc == nil {
		// The FAIL and UNKNOWN counts of the page's resources only:
		// counting every resource of a large scan sorts all its findings.
		arns := make([]string, len(shown))
		for i, it := range shown {
			arns[i] = it.ARN
		}
		if err := s.withStore(func() error {
			var err error
			rc, err = s.q.ResourceCountsOf(ctx, e.id, arns)
			return err
		}); err != nil {
			return "", page{}, err
		}
	}
	type rkey struct{ arn, region string }
	counts := map[rkey]store.ResourceCount{}
	for _, c := range rc {
		counts[rkey{c.ResourceARN, c.Region}] = c
	}
	for _, it := range shown {
		row := invRow{InventoryItem: it, Findings: p.Scan.Base + "/findings?resource=" + url.QueryEscape(it.ARN)}
		if c, ok := counts[rkey{it.ARN, it.Region}]; ok {
			row.Fail, row.Unknown = c.Fail, c.Unknown
		}
		var keys []string
		for k := range it.Tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			row.Tags = append(row.Tags, k+"="+it.Tags[k])
		}
		b.Rows = append(b.Rows, row)
	}
	if b.Page > 1 {
		b.PrevURL = link(b.Service, b.Region, b.Query, b.Page-1)
	}
	if b.Page < b.Pages {
		b.NextURL = link(b.Service, b.Region, b.Query, b.Page+1)
	}
	p.Body = b
	return "inventory", p, nil
}

func itemMatches(it InventoryItem, lq string) bool {
	if strings.Contains(strings.ToLower(it.ARN), lq) || strings.Contains(strings.ToLower(it.Name), lq) ||
		strings.Contains(strings.ToLower(it.Kind), lq) {
		return true
	}
	for k, v := range it.Tags {
		if strings.Contains(strings.ToLower(k), lq) || strings.Contains(strings.ToLower(v), lq) {
			return true
		}
	}
	return false
}

// ---- graphs ----

type graphBody struct {
	Kind  string
	API   string
	Focus string
	Query string
	Title string
	Intro string
	Other string // the other graph's page
	Max   []option
}

func (s *Server) graphPage(r *http.Request) (string, page, error) {
	kind := r.PathValue("kind")
	if kind != "privesc" && kind != "exposure" {
		return "", page{}, fmt.Errorf("graph %q: %w", kind, errNotFound)
	}
	e, p, err := s.scanPage(r, "graph-"+kind, "Graph")
	if err != nil {
		return "", page{}, err
	}
	b := graphBody{Kind: kind, API: fmt.Sprintf("/s/%d/api/graph/%s", e.id, kind),
		Focus: r.URL.Query().Get("focus"), Query: r.URL.Query().Get("q")}
	if kind == "privesc" {
		b.Title = "Privilege-escalation paths"
		b.Intro = "Who can become administrator, and how: principal → technique → principal … → administrator. Every edge is allowed by the policies listed in its details."
		b.Other = p.Scan.Base + "/graph/exposure"
	} else {
		b.Title = "Internet exposure"
		b.Intro = "What the internet can reach: internet → internet gateway → subnet and network ACL → load balancer → security group → resource, with the protocol and ports on the last edge."
		b.Other = p.Scan.Base + "/graph/privesc"
	}
	for _, n := range []int{50, defaultMaxNodes, 500, 1000, limitMaxNodes} {
		b.Max = append(b.Max, option{Value: strconv.Itoa(n), Label: strconv.Itoa(n), Selected: n == defaultMaxNodes})
	}
	p.Title, p.Body, p.Scripts = b.Title, b, []string{"graph.js"}
	return "graph", p, nil
}
