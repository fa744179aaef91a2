package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

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
	// indexTried is set once the index is kept, or when the scan was
	// judged too large to index: the findings pages then query the store.
	indexTried bool
	// news are the FAILs new since the previous scan; newsKnown once
	// computed (news stays nil when there is no previous scan).
	news      *newFails
	newsKnown bool

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
// then recorded order), so that a filtered page is a loop over a slice.
//
// It is built in parts, because reading a column of 100,000 rows from the
// store costs about as much as the row itself: the keys (rule, status,
// region, suppressed) at once, which is all the default page, its facets
// and the structured filters need; the resource ARNs on the first resource
// filter or search, the messages on the first search; and which FAILs are
// new (newFails, on the scan's entry) on the first page that shows them.
type scanIndex struct {
	rows     []ixRow
	regions  []string        // by ixRow.region
	statuses []checks.Status // by ixRow.status
	recSeq   []int32         // seq by position in recorded order
	// arns and msgs are nil until a page needs them. They are set before
	// the index is shared or under the scan entry's mu (Server.text), read
	// under that mu, and never changed once set.
	arns, msgs *textCol
}

type ixRow struct {
	ref    int64
	seq    int32
	pos    int32 // position in recorded order
	region uint16
	status uint8
	supp   bool
}

// textCol holds a text column of a scan's findings, lower-cased as
// strings.ToLower does it, in recorded order: finding i's is
// buf[start[i]:start[i+1]].
type textCol struct {
	buf   []byte
	start []uint32 // len n+1
}

// find sets hit[i] for each finding i whose text contains needle (not
// empty). It searches the buffer in storage order, from one occurrence to
// the next, rather than finding by finding in the index's order: the
// buffer is tens of MB, and visiting it out of order costs a cache miss per
// finding, more than the search itself.
func (c *textCol) find(needle []byte, hit []bool) {
	if len(needle) == 0 {
		for i := range hit {
			hit[i] = true
		}
		return
	}
	pos := 0
	for off := 0; ; {
		i := bytes.Index(c.buf[off:], needle)
		if i < 0 {
			return
		}
		at := off + i
		for uint32(at) >= c.start[pos+1] { // the finding the occurrence starts in
			pos++
		}
		if end := int(c.start[pos+1]); at+len(needle) <= end {
			hit[pos] = true
			off = end // one occurrence per finding is enough
		} else {
			off = at + 1 // it runs into the next finding: not one
		}
	}
}

// newFails marks by seq the FAILs of a scan whose fingerprint did not FAIL
// in the account's previous scan.
type newFails struct {
	bits []uint64
	n    int
}

func (nf *newFails) has(seq int32) bool {
	if nf == nil || seq < 0 {
		return false
	}
	i := int(seq) >> 6
	return i < len(nf.bits) && nf.bits[i]&(1<<(uint(seq)&63)) != 0
}

func (nf *newFails) add(seq int) {
	i := seq >> 6
	if i >= len(nf.bits) {
		nf.bits = append(nf.bits, make([]uint64, i+1-len(nf.bits))...)
	}
	if nf.bits[i]&(1<<(uint(seq)&63)) == 0 {
		nf.bits[i] |= 1 << (uint(seq) & 63)
		nf.n++
	}
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

// indexParts are the optional parts of a scan's index a request needs: a
// first visit reads them in the same pass as the keys.
type indexParts struct {
	arns  bool // the resource ARNs, for the resource filter and search
	msgs  bool // the messages, for search
	fails bool // the scan's FAILs, to tell the new ones
}

// scanFails are the FAILs of a scan, in recorded order.
type scanFails struct {
	seqs []int
	fps  []string
}

// loadIndex reads the keys of a scan's findings, and the parts asked for,
// into an index, and counts them.
func loadIndex(ctx context.Context, q store.Querier, scanID int64, total int, metas map[int64]store.RuleMeta, parts indexParts) (*scanIndex, *scanStats, *scanFails, error) {
	ix := &scanIndex{rows: make([]ixRow, 0, total), recSeq: make([]int32, 0, total)}
	var (
		arns, msgs *colBuilder
		fails      *scanFails
	)
	cols := store.IndexKeys
	if parts.arns {
		arns, cols = newColBuilder(total), cols|store.IndexARN
	}
	if parts.msgs {
		msgs, cols = newColBuilder(total), cols|store.IndexMessage
	}
	if parts.fails {
		fails, cols = &scanFails{}, cols|store.IndexFailFingerprint
	}
	regionIdx, statusIdx := map[string]uint16{}, map[checks.Status]uint8{}
	err := q.SelectIndexRows(ctx, store.IndexQuery{ScanID: scanID, Columns: cols}, func(r store.IndexRow) error {
		ri, ok := regionIdx[r.Region]
		if !ok {
			if len(ix.regions) >= 1<<16-1 {
				return errors.New("too many regions")
			}
			ri = uint16(len(ix.regions))
			regionIdx[r.Region] = ri
			ix.regions = append(ix.regions, r.Region)
		}
		si, ok := statusIdx[r.Status]
		if !ok {
			if len(ix.statuses) >= 1<<8-1 {
				return errors.New("too many statuses")
			}
			si = uint8(len(ix.statuses))
			statusIdx[r.Status] = si
			ix.statuses = append(ix.statuses, r.Status)
		}
		if r.Seq > math.MaxInt32 || len(ix.recSeq) >= math.MaxInt32 {
			return errors.New("too many findings")
		}
		pos := int32(len(ix.recSeq))
		ix.recSeq = append(ix.recSeq, int32(r.Seq))
		ix.rows = append(ix.rows, ixRow{ref: r.RuleRef, seq: int32(r.Seq), pos: pos, region: ri, status: si, supp: r.Suppressed})
		if fails != nil && r.Status == checks.Fail {
			fails.seqs, fails.fps = append(fails.seqs, r.Seq), append(fails.fps, r.Fingerprint)
		}
		return addText(arns, msgs, r)
	})
	if err != nil {
		return nil, nil, nil, err
	}
	ix.arns, ix.msgs = arns.done(), msgs.done()
	st := ix.count(metas)
	ix.sortDefault(metas)
	return ix, st, fails, nil
}

// count aggregates the index by rule, status, region and suppression.
func (ix *scanIndex) count(metas map[int64]store.RuleMeta) *scanStats {
	type countKey struct {
		ref    int64
		region uint16
		status uint8
		supp   bool
	}
	counts := map[countKey]int{}
	for i := range ix.rows {
		r := &ix.rows[i]
		counts[countKey{r.ref, r.region, r.status, r.supp}]++
	}
	st := &scanStats{metas: map[int64]store.RuleMeta{}}
	for k, n := range counts {
		st.counts = append(st.counts, store.CountRow{RuleRef: k.ref, Status: ix.statuses[k.status], Region: ix.regions[k.region], Suppressed: k.supp, N: n})
		if m, ok := metas[k.ref]; ok {
			st.metas[k.ref] = m
		}
	}
	sortCounts(st.counts)
	return st
}

// sortDefault puts rows read in recorded order into the default order.
// The order has 4 × 6 classes (status, then severity: critical … info,
// unknown), so a counting sort does it in two passes and, being stable,
// keeps the recorded order within a class.
func (ix *scanIndex) sortDefault(metas map[int64]store.RuleMeta) {
	const sevClasses = 6
	statusClass := make([]int, len(ix.statuses))
	for i, st := range ix.statuses {
		statusClass[i] = statusOrder(st) * sevClasses
	}
	sevClass := map[int64]int{}
	class := func(r *ixRow) int {
		c, ok := sevClass[r.ref]
		if !ok {
			c = 4 - metas[r.ref].Severity.Rank() // critical 0 … info 4; unknown 5
			sevClass[r.ref] = c
		}
		return statusClass[r.status] + c
	}
	var start [4*sevClasses + 1]int
	for i := range ix.rows {
		start[class(&ix.rows[i])+1]++
	}
	for c := 1; c < len(start); c++ {
		start[c] += start[c-1]
	}
	sorted := make([]ixRow, len(ix.rows))
	for i := range ix.rows {
		c := class(&ix.rows[i])
		sorted[start[c]] = ix.rows[i]
		start[c]++
	}
	ix.rows = sorted
}

// colBuilder accumulates a text column, lower-cased, in recorded order. A
// nil colBuilder builds nothing.
type colBuilder struct {
	c *textCol
	n int // findings expected
}

// sampleRows is how many findings a builder reads before it sizes its
// buffer for all of them.
const sampleRows = 1024

func newColBuilder(n int) *colBuilder {
	return &colBuilder{n: n, c: &textCol{buf: make([]byte, 0, min(n, sampleRows)*128), start: make([]uint32, 0, n+1)}}
}

func (b *colBuilder) add(s string) error {
	if b == nil {
		return nil
	}
	c := b.c
	if len(c.start) == sampleRows && b.n > sampleRows {
		// Size the buffer for every finding from the first ones, plus a
		// margin: growing a buffer of tens of MB by appends copies it and
		// touches fresh memory several times over, which costs more than
		// reading the text.
		want := len(c.buf) / sampleRows * b.n * 9 / 8
		if want > cap(c.buf) {
			c.buf = append(make([]byte, 0, want), c.buf...)
		}
	}
	c.start = append(c.start, uint32(len(c.buf)))
	c.buf = appendLower(c.buf, s)
	if len(c.buf) > math.MaxUint32 {
		return errors.New("findings text larger than 4 GB")
	}
	return nil
}

func (b *colBuilder) done() *textCol {
	if b == nil {
		return nil
	}
	b.c.start = append(b.c.start, uint32(len(b.c.buf)))
	return b.c
}

func addText(arns, msgs *colBuilder, r store.IndexRow) error {
	if err := arns.add(r.ResourceARN); err != nil {
		return err
	}
	return msgs.add(r.Message)
}

// loadText reads text columns of an index's findings: the ARNs when arns,
// the messages when msgs. The scan is committed, so the rows are the ones
// the keys were read from; a difference means the scan was deleted
// meanwhile.
func loadText(ctx context.Context, q store.Querier, scanID int64, ix *scanIndex, arns, msgs bool) (*textCol, *textCol, error) {
	var (
		ab, mb *colBuilder
		cols   store.IndexColumns
	)
	if arns {
		ab, cols = newColBuilder(len(ix.recSeq)), cols|store.IndexARN
	}
	if msgs {
		mb, cols = newColBuilder(len(ix.recSeq)), cols|store.IndexMessage
	}
	pos := 0
	err := q.SelectIndexRows(ctx, store.IndexQuery{ScanID: scanID, Columns: cols}, func(r store.IndexRow) error {
		if pos >= len(ix.recSeq) || int(ix.recSeq[pos]) != r.Seq {
			return fmt.Errorf("findings of scan %d changed while read", scanID)
		}
		pos++
		return addText(ab, mb, r)
	})
	if err != nil {
		return nil, nil, err
	}
	if pos != len(ix.recSeq) {
		return nil, nil, fmt.Errorf("findings of scan %d changed while read", scanID)
	}
	return ab.done(), mb.done(), nil
}

// loadFails reads the FAILs of a scan.
func loadFails(ctx context.Context, q store.Querier, scanID int64) (*scanFails, error) {
	fails := &scanFails{}
	err := q.SelectIndexRows(ctx, store.IndexQuery{ScanID: scanID, Columns: store.IndexFingerprint, Status: checks.Fail}, func(r store.IndexRow) error {
		fails.seqs, fails.fps = append(fails.seqs, r.Seq), append(fails.fps, r.Fingerprint)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return fails, nil
}

// newSince finds which of a scan's FAILs have a fingerprint that did not
// FAIL in the previous scan, as store.FindingQuery.NewOnly does. total is
// the scan's number of findings (seqs run from 1 to total).
func newSince(ctx context.Context, q store.Querier, fails *scanFails, prevID int64, total int) (*newFails, error) {
	failedBefore := make(map[string]bool, len(fails.fps)) // the scan's FAIL fingerprints → FAILed in prevID
	for _, fp := range fails.fps {
		failedBefore[fp] = false
	}
	err := q.FailFingerprints(ctx, prevID, func(fp string) error {
		if _, ok := failedBefore[fp]; ok {
			failedBefore[fp] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	nf := &newFails{bits: make([]uint64, total/64+1)}
	for i, seq := range fails.seqs {
		if seq < 0 || seq > math.MaxInt32 {
			return nil, fmt.Errorf("finding seq %d out of range", seq)
		}
		if !failedBefore[fails.fps[i]] {
			nf.add(seq)
		}
	}
	return nf, nil
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

// appendLower appends s lower-cased as strings.ToLower does it. ASCII,
// nearly all of a finding's text, is lowered in place after one copy,
// eight bytes at a time.
func appendLower(b []byte, s string) []byte {
	n := len(b)
	b = append(b, s...)
	t := b[n:]
	const (
		ones = 0x0101010101010101
		high = 0x80 * ones
	)
	i := 0
	for ; i+8 <= len(t); i += 8 {
		w := binary.LittleEndian.Uint64(t[i:])
		if w&high != 0 {
			return append(b[:n], strings.ToLower(s)...)
		}
		// With every byte below 0x80 no addition carries into the next
		// byte: the high bit of a byte of geA is set when the byte is at
		// least 'A', of gtZ when above 'Z'.
		geA := w + (0x80-'A')*ones
		gtZ := w + (0x80-'Z'-1)*ones
		upper := geA &^ gtZ & high
		binary.LittleEndian.PutUint64(t[i:], w|upper>>2) // 0x80>>2 is 'a'-'A'
	}
	for ; i < len(t); i++ {
		c := t[i]
		if c >= utf8.RuneSelf {
			return append(b[:n], strings.ToLower(s)...)
		}
		if 'A' <= c && c <= 'Z' {
			t[i] = c + 'a' - 'A'
		}
	}
	return b
}

// search returns the seqs of one page of matching findings and the total.
// arns must be loaded when the filter has Text or Resource, msgs when it
// has Text, and news when it has NewOnly.
func (ix *scanIndex) search(f filter, metas map[int64]store.RuleMeta, arns, msgs *textCol, news *newFails, offset, limit int) ([]int, int) {
	var refOK map[int64]bool
	if refs := f.ruleRefs(metas); refs != nil {
		refOK = make(map[int64]bool, len(refs))
		for _, r := range refs {
			refOK[r] = true
		}
	}
	// The findings whose message or ARN has the text (or whose rule's ID
	// or title has it), and those whose ARN has the resource, by position.
	var textRefs map[int64]bool
	var textHit, arnHit []bool
	if f.Text != "" {
		needle := strings.ToLower(f.Text)
		textRefs = map[int64]bool{}
		for ref, m := range metas {
			if strings.Contains(strings.ToLower(m.RuleID), needle) || strings.Contains(strings.ToLower(m.Title), needle) {
				textRefs[ref] = true
			}
		}
		textHit = make([]bool, len(ix.recSeq))
		msgs.find([]byte(needle), textHit)
		arns.find([]byte(needle), textHit)
	}
	if f.Resource != "" {
		arnHit = make([]bool, len(ix.recSeq))
		arns.find([]byte(strings.ToLower(f.Resource)), arnHit)
	}
	var statusOK []bool
	if len(f.Statuses) > 0 {
		statusOK = make([]bool, len(ix.statuses))
		for i, st := range ix.statuses {
			statusOK[i] = slices.Contains(f.Statuses, string(st))
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
		if f.NewOnly && !news.has(r.seq) {
			continue
		}
		if arnHit != nil && !arnHit[r.pos] {
			continue
		}
		if textHit != nil && !textRefs[r.ref] && !textHit[r.pos] {
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
	if mayHaveErrorKey(raw) {
		var fail failedDoc
		if err := json.Unmarshal(raw, &fail); err == nil && fail.Error != "" {
			return zero, analysisError{fail.Error}
		}
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return zero, fmt.Errorf("decode: %w", err)
	}
	return v, nil
}

// mayHaveErrorKey reports whether a JSON document may have the key of
// failedDoc. encoding/json matches keys without regard to case, and a key
// may be written with \u escapes; a document with neither "error" in any
// case nor an escape has no such key, and is not decoded twice (decoding
// the inventory of a large scan once costs tens of milliseconds).
func mayHaveErrorKey(raw []byte) bool {
	if bytes.Contains(raw, []byte(`\u`)) {
		return true
	}
	for i := 0; i+5 <= len(raw); i++ {
		if raw[i]|0x20 == 'e' && bytes.EqualFold(raw[i:i+5], []byte("error")) {
			return true
		}
	}
	return false
}

// analysisError is an analysis that failed when the scan was recorded.
type analysisError struct{ msg string }

func (e analysisError) Error() string {
	return "the analysis failed when the scan was recorded: " + e.msg
}
