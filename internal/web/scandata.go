package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/store"
)

// scanEntry is what the server has derived from one committed scan. A
// committed scan never changes, so nothing here is ever invalidated; the
// cache only evicts. mu serializes loading (and is always taken before the
// server's store lock).
type scanEntry struct {
	id int64
	mu sync.Mutex

	scan      store.Scan
	prev      *store.Scan // the account's previous scan; nil if none
	prevKnown bool

	stats *scanStats
	index *scanIndex // nil until loaded, or when the scan is too large
	// indexed is false when the scan was judged too large to index: the
	// findings pages then query the store.
	indexTried bool

	docs map[string]*docResult
	// used (the LRU clock) and counted (findings of index counted against
	// the server's budget) are guarded by the server's cacheMu.
	used    uint64
	counted int
}

type docResult struct {
	v   any
	err error // wraps store.ErrNoArtifact when the scan was recorded without it
}

// scanStats is the aggregate view of a scan: the metadata of its rules and
// its finding counts.
type scanStats struct {
	metas  map[int64]store.RuleMeta
	counts []store.CountRow
}

// scanIndex holds the filterable columns of a scan's findings in memory,
// in the default order (FAIL, UNKNOWN, MANUAL, PASS; most severe first;
// then recorded order), so that a filtered page is a loop over slices.
type scanIndex struct {
	rows    []ixRow
	regions []string // by ixRow.region
	// text holds, per row, the lower-cased message, a NUL, and the
	// lower-cased resource ARN; ixRow has the offsets.
	text     []byte
	newCount int // FAILs that did not FAIL in the previous scan
}

type ixRow struct {
	seq    int32
	ref    int64
	status checks.Status
	region uint16
	supp   bool
	isNew  bool
	off    uint32 // message starts
	arnOff uint32 // ARN starts
	end    uint32
}

func statusOrder(s checks.Status) int {
	switch s {
	case checks.Fail:
		return 0
	case checks.Unknown:
		return 1
	case checks.Manual:
		return 2
	}
	return 3
}

// filter is the findings filter of the findings page and of the links
// into it. Each list keeps findings matching any of its values; lists
// combine with AND.
type filter struct {
	Severities []string
	Statuses   []string
	Services   []string
	Regions    []string
	Controls   []string // "framework-key:control-id"
	Rules      []string
	Layers     []string
	Resource   string // substring of the resource ARN
	Text       string // substring of message, resource, rule ID or title
	Suppressed string // "", "only", "hide"
	NewOnly    bool
	Order      string // "", store.OrderRecorded
}

func parseFilter(v url.Values) filter {
	clean := func(xs []string) []string {
		var out []string
		for _, x := range xs {
			for _, p := range strings.Split(x, ",") {
				if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
					out = append(out, p)
				}
			}
		}
		return out
	}
	f := filter{
		Severities: clean(v["severity"]),
		Statuses:   clean(v["status"]),
		Services:   clean(v["service"]),
		Regions:    clean(v["region"]),
		Controls:   clean(v["control"]),
		Rules:      clean(v["rule"]),
		Layers:     clean(v["layer"]),
		Resource:   strings.TrimSpace(v.Get("resource")),
		Text:       strings.TrimSpace(v.Get("q")),
		NewOnly:    v.Get("new") == "1",
	}
	for i, s := range f.Statuses {
		f.Statuses[i] = strings.ToUpper(s)
	}
	for i, s := range f.Severities {
		f.Severities[i] = strings.ToLower(s)
	}
	switch v.Get("suppressed") {
	case "only", "hide":
		f.Suppressed = v.Get("suppressed")
	}
	if v.Get("order") == store.OrderRecorded {
		f.Order = store.OrderRecorded
	}
	return f
}

// values renders the filter as query parameters, in a fixed order.
func (f filter) values() url.Values {
	v := url.Values{}
	add := func(k string, xs []string) {
		for _, x := range xs {
			v.Add(k, x)
		}
	}
	add("severity", f.Severities)
	add("status", f.Statuses)
	add("service", f.Services)
	add("region", f.Regions)
	add("control", f.Controls)
	add("rule", f.Rules)
	add("layer", f.Layers)
	if f.Resource != "" {
		v.Set("resource", f.Resource)
	}
	if f.Text != "" {
		v.Set("q", f.Text)
	}
	if f.Suppressed != "" {
		v.Set("suppressed", f.Suppressed)
	}
	if f.NewOnly {
		v.Set("new", "1")
	}
	if f.Order != "" {
		v.Set("order", f.Order)
	}
	return v
}

func (f filter) empty() bool { return len(f.values()) == 0 }

// ruleLevel reports whether the filter selects by rule metadata.
func (f filter) ruleLevel() bool {
	return len(f.Severities)+len(f.Services)+len(f.Controls)+len(f.Rules)+len(f.Layers) > 0
}

// matchRule reports whether a rule's metadata passes the rule-level filters.
func (f filter) matchRule(m store.RuleMeta) bool {
	if len(f.Severities) > 0 && !slices.Contains(f.Severities, string(m.Severity)) {
		return false
	}
	if len(f.Services) > 0 && !slices.Contains(f.Services, m.Service) {
		return false
	}
	if len(f.Rules) > 0 && !slices.Contains(f.Rules, m.RuleID) {
		return false
	}
	if len(f.Layers) > 0 && !slices.Contains(f.Layers, m.Responsibility) {
		return false
	}
	if len(f.Controls) > 0 {
		ok := false
		for _, c := range f.Controls {
			key, id, found := strings.Cut(c, ":")
			if found && slices.Contains(m.Frameworks[key], id) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// ruleRefs resolves the rule-level filters to the refs of the scan's rules;
// nil when the filter has none.
func (f filter) ruleRefs(metas map[int64]store.RuleMeta) []int64 {
	if !f.ruleLevel() {
		return nil
	}
	refs := []int64{}
	for ref, m := range metas {
		if f.matchRule(m) {
			refs = append(refs, ref)
		}
	}
	slices.Sort(refs)
	return refs
}

// loadIndex reads a scan's findings into an index. prevFails are the
// fingerprints of the previous scan's FAILs (nil when there is none).
func loadIndex(ctx context.Context, q store.Querier, scanID int64, total int, metas map[int64]store.RuleMeta, prevFails map[string]bool) (*scanIndex, *scanStats, error) {
	// Sized up front: growing a 15 MB arena by appends costs more than
	// reading the rows.
	ix := &scanIndex{rows: make([]ixRow, 0, total), text: make([]byte, 0, total*160)}
	regionIdx := map[string]uint16{}
	type countKey struct {
		ref    int64
		status checks.Status
		region string
		supp   bool
	}
	counts := map[countKey]int{}
	err := q.IndexRows(ctx, scanID, func(r store.IndexRow) error {
		ri, ok := regionIdx[r.Region]
		if !ok {
			if len(ix.regions) >= 1<<16-1 {
				return errors.New("too many regions")
			}
			ri = uint16(len(ix.regions))
			regionIdx[r.Region] = ri
			ix.regions = append(ix.regions, r.Region)
		}
		row := ixRow{seq: int32(r.Seq), ref: r.RuleRef, status: r.Status, region: ri, supp: r.Suppressed}
		if prevFails != nil && r.Status == checks.Fail && !prevFails[r.Fingerprint] {
			row.isNew = true
			ix.newCount++
		}
		row.off = uint32(len(ix.text))
		ix.text = appendLower(ix.text, r.Message)
		ix.text = append(ix.text, 0)
		row.arnOff = uint32(len(ix.text))
		ix.text = appendLower(ix.text, r.ResourceARN)
		row.end = uint32(len(ix.text))
		if len(ix.text) > 1<<32-1<<20 {
			return errors.New("findings text larger than 4 GB")
		}
		ix.rows = append(ix.rows, row)
		counts[countKey{r.RuleRef, r.Status, r.Region, r.Suppressed}]++
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	sevOrder := func(ref int64) int { return 4 - metas[ref].Severity.Rank() }
	sort.SliceStable(ix.rows, func(i, j int) bool {
		a, b := &ix.rows[i], &ix.rows[j]
		if sa, sb := statusOrder(a.status), statusOrder(b.status); sa != sb {
			return sa < sb
		}
		if sa, sb := sevOrder(a.ref), sevOrder(b.ref); sa != sb {
			return sa < sb
		}
		return a.seq < b.seq
	})
	st := &scanStats{metas: map[int64]store.RuleMeta{}}
	for k, n := range counts {
		st.counts = append(st.counts, store.CountRow{RuleRef: k.ref, Status: k.status, Region: k.region, Suppressed: k.supp, N: n})
		if m, ok := metas[k.ref]; ok {
			st.metas[k.ref] = m
		}
	}
	sortCounts(st.counts)
	return ix, st, nil
}

func sortCounts(cs []store.CountRow) {
	sort.Slice(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.RuleRef != b.RuleRef {
			return a.RuleRef < b.RuleRef
		}
		if a.Status != b.Status {
			return a.Status < b.Status
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		return !a.Suppressed && b.Suppressed
	})
}

func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 {
			return append(b, strings.ToLower(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// search returns the seqs of one page of matching findings and the total.
func (ix *scanIndex) search(f filter, metas map[int64]store.RuleMeta, offset, limit int) ([]int, int) {
	var refOK map[int64]bool
	if refs := f.ruleRefs(metas); refs != nil {
		refOK = make(map[int64]bool, len(refs))
		for _, r := range refs {
			refOK[r] = true
		}
	}
	var textRefs map[int64]bool
	var needle, arnNeedle []byte
	if f.Text != "" {
		needle = []byte(strings.ToLower(f.Text))
		textRefs = map[int64]bool{}
		for ref, m := range metas {
			if strings.Contains(strings.ToLower(m.RuleID), string(needle)) || strings.Contains(strings.ToLower(m.Title), string(needle)) {
				textRefs[ref] = true
			}
		}
	}
	if f.Resource != "" {
		arnNeedle = []byte(strings.ToLower(f.Resource))
	}
	var statusOK map[checks.Status]bool
	if len(f.Statuses) > 0 {
		statusOK = map[checks.Status]bool{}
		for _, s := range f.Statuses {
			statusOK[checks.Status(s)] = true
		}
	}
	var regionOK []bool
	if len(f.Regions) > 0 {
		regionOK = make([]bool, len(ix.regions))
		for i, r := range ix.regions {
			regionOK[i] = slices.Contains(f.Regions, r)
		}
	}
	var match []int32
	for i := range ix.rows {
		r := &ix.rows[i]
		if refOK != nil && !refOK[r.ref] {
			continue
		}
		if statusOK != nil && !statusOK[r.status] {
			continue
		}
		if regionOK != nil && !regionOK[r.region] {
			continue
		}
		switch f.Suppressed {
		case "only":
			if !r.supp {
				continue
			}
		case "hide":
			if r.supp {
				continue
			}
		}
		if f.NewOnly && !r.isNew {
			continue
		}
		if arnNeedle != nil && !bytes.Contains(ix.text[r.arnOff:r.end], arnNeedle) {
			continue
		}
		if needle != nil && !textRefs[r.ref] && !bytes.Contains(ix.text[r.off:r.end], needle) {
			continue
		}
		match = append(match, r.seq)
	}
	if f.Order == store.OrderRecorded {
		slices.Sort(match)
	}
	total := len(match)
	if offset >= total {
		return nil, total
	}
	page := match[offset:min(offset+limit, total)]
	out := make([]int, len(page))
	for i, s := range page {
		out[i] = int(s)
	}
	return out, total
}

// parseDoc decodes an artifact into a value of type T, or reports the
// analysis's recorded failure.
func parseDoc[T any](raw []byte) (T, error) {
	var zero T
	var fail failedDoc
	if err := json.Unmarshal(raw, &fail); err == nil && fail.Error != "" {
		return zero, analysisError{fail.Error}
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return zero, fmt.Errorf("decode: %w", err)
	}
	return v, nil
}

// analysisError is an analysis that failed when the scan was recorded.
type analysisError struct{ msg string }

func (e analysisError) Error() string {
	return "the analysis failed when the scan was recorded: " + e.msg
}
