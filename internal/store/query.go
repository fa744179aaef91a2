package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
)

// The dashboard (internal/web) pages through one scan's findings with
// filters, so it cannot afford Findings, which streams all of them. Querier
// answers its questions in SQL: aggregate counts, one filtered page, one
// finding. Filters on a rule's metadata (severity, service, framework
// control, responsibility layer) are resolved by the caller to rule
// references with ScanStats, so these queries never parse JSON per row.

// Querier pages and aggregates the findings of a scan. Every Store returned
// by Open implements it; use AsQuerier to get it.
type Querier interface {
	// Accounts lists the accounts with at least one scan, by account ID.
	Accounts(ctx context.Context) ([]AccountInfo, error)
	// ScanStats counts a scan's findings by rule, status, region and
	// suppression, with the metadata of every rule involved.
	ScanStats(ctx context.Context, scanID int64) (ScanStats, error)
	// QueryFindings returns one page of a scan's findings and the number
	// of findings that match.
	QueryFindings(ctx context.Context, q FindingQuery) (FindingPage, error)
	// FindingBySeq returns one finding, or an error wrapping ErrNotFound.
	// With prevScanID > 0 it also tells whether the finding is new and its
	// status in that scan.
	FindingBySeq(ctx context.Context, scanID int64, seq int, prevScanID int64) (StoredFinding, error)
	// FindingsBySeq returns the findings with these sequence numbers, in
	// the order given (unknown numbers are skipped), marked as
	// FindingBySeq marks them (without PreviousStatus).
	FindingsBySeq(ctx context.Context, scanID int64, seqs []int, prevScanID int64) ([]StoredFinding, error)
	// ResourceCounts counts a scan's findings per resource and region.
	ResourceCounts(ctx context.Context, scanID int64) ([]ResourceCount, error)
	// IndexRows streams the columns a caller needs to filter a scan's
	// findings itself, in recorded order. fn must not call the Store.
	IndexRows(ctx context.Context, scanID int64, fn func(IndexRow) error) error
	// SelectIndexRows streams the columns q names of a scan's findings
	// (Seq always), in recorded order; the other fields stay zero, except
	// Status when q keeps one status. fn must not call the Store.
	SelectIndexRows(ctx context.Context, q IndexQuery, fn func(IndexRow) error) error
	// FailFingerprints streams the fingerprints of a scan's FAILs.
	FailFingerprints(ctx context.Context, scanID int64, fn func(string) error) error
	// ResourceCountsOf is ResourceCounts for the named resources only.
	ResourceCountsOf(ctx context.Context, scanID int64, arns []string) ([]ResourceCount, error)
	// RuleMetas returns every recorded rule metadata row by ref.
	RuleMetas(ctx context.Context) (map[int64]RuleMeta, error)
}

// IndexRow is the filterable part of one finding.
type IndexRow struct {
	Seq         int
	RuleRef     int64
	Status      checks.Status
	Region      string
	Suppressed  bool
	ResourceARN string
	Message     string
	Fingerprint string
}

// IndexColumns names the column groups SelectIndexRows reads. The caller
// of a large scan reads only the groups it needs: each column read costs
// about as much per row as the row itself.
type IndexColumns uint8

const (
	// IndexKeys is RuleRef, Status, Region and Suppressed.
	IndexKeys IndexColumns = 1 << iota
	// IndexARN is ResourceARN.
	IndexARN
	// IndexMessage is Message.
	IndexMessage
	// IndexFingerprint is Fingerprint.
	IndexFingerprint
	// IndexFailFingerprint is Fingerprint of the FAILs, empty for the
	// other findings: with IndexKeys, what comparing with another scan
	// needs, in the same pass.
	IndexFailFingerprint
	// IndexText is ResourceARN and Message.
	IndexText = IndexARN | IndexMessage
	// IndexAll is every column of IndexRow.
	IndexAll = IndexKeys | IndexText | IndexFingerprint
)

// IndexQuery selects the rows and columns SelectIndexRows streams.
type IndexQuery struct {
	ScanID  int64
	Columns IndexColumns
	// Status, when set, keeps only the findings with this status.
	Status checks.Status
}

// AsQuerier returns the query interface of a store opened by Open.
func AsQuerier(s Store) (Querier, bool) {
	q, ok := s.(Querier)
	return q, ok
}

// AccountInfo summarizes the scans of one account.
type AccountInfo struct {
	AccountID  string    `json:"account_id"`
	Scans      int       `json:"scans"`
	LatestScan time.Time `json:"latest_collected_at"`
}

// RuleMeta is a rule's metadata as a scan recorded it. Ref identifies the
// metadata row (a rule whose metadata changed between demarc versions has
// several).
type RuleMeta struct {
	Ref            int64               `json:"ref"`
	RuleID         string              `json:"rule_id"`
	Title          string              `json:"title"`
	Service        string              `json:"service"`
	Severity       checks.Severity     `json:"severity"`
	Responsibility string              `json:"responsibility"`
	Frameworks     map[string][]string `json:"frameworks"`
}

// CountRow is the number of a scan's findings with one combination of rule,
// status, region and suppression.
type CountRow struct {
	RuleRef    int64
	Status     checks.Status
	Region     string
	Suppressed bool
	N          int
}

// ScanStats is the aggregate view of one scan's findings.
type ScanStats struct {
	Rules  map[int64]RuleMeta
	Counts []CountRow // sorted by rule ref, status, region, suppressed
}

// FindingQuery selects a page of one scan's findings. Empty fields do not
// filter; the filters combine with AND.
type FindingQuery struct {
	ScanID int64
	// PrevScanID, when > 0, is the scan to compare with: findings that
	// FAIL now and did not FAIL there are marked New.
	PrevScanID int64
	// RuleRefs keeps findings of these rule metadata rows; nil keeps all,
	// an empty non-nil slice keeps none.
	RuleRefs []int64
	Statuses []checks.Status
	Regions  []string
	// Resource keeps findings whose resource ARN contains it (any case).
	Resource string
	// Text keeps findings whose message, resource ARN, rule ID or rule
	// title contains it (any case).
	Text string
	// Suppressed, when non-nil, keeps only suppressed (true) or only
	// unsuppressed (false) findings.
	Suppressed *bool
	// NewOnly keeps only the findings marked New (needs PrevScanID).
	NewOnly bool
	// Order is OrderSeverity (default) or OrderRecorded.
	Order  string
	Offset int
	Limit  int // 1..MaxPageSize; 0 means DefaultPageSize
}

// Orders of a finding page.
const (
	// OrderSeverity lists FAIL, UNKNOWN, MANUAL, PASS; within a status the
	// most severe first; then in recorded order.
	OrderSeverity = "severity"
	// OrderRecorded keeps the recorded order (rule, region, resource).
	OrderRecorded = "recorded"
)

// Page sizes.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// StoredFinding is a finding with its place in the scan.
type StoredFinding struct {
	engine.Finding
	ScanID  int64 `json:"scan_id"`
	Seq     int   `json:"seq"`
	RuleRef int64 `json:"rule_ref"`
	// New is true for a FAIL that did not FAIL in the compared scan.
	New bool `json:"new,omitempty"`
	// PreviousStatus is the status in the compared scan (FindingBySeq
	// only), empty when the finding was absent.
	PreviousStatus checks.Status `json:"previous_status,omitempty"`
}

// FindingPage is one page of findings.
type FindingPage struct {
	Findings []StoredFinding `json:"findings"`
	Total    int             `json:"total"` // findings matching the query
	Offset   int             `json:"offset"`
	Limit    int             `json:"limit"`
}

// ResourceCount counts one resource's findings in a scan.
type ResourceCount struct {
	ResourceARN string
	Region      string
	Total       int
	Fail        int // unsuppressed FAILs
	Unknown     int // unsuppressed UNKNOWNs
}

func (s *sqlStore) Accounts(ctx context.Context) ([]AccountInfo, error) {
	rows, err := s.b.query(ctx, `SELECT account_id, COUNT(*), MAX(collected_at) FROM scans GROUP BY account_id ORDER BY account_id`)
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	defer rows.Close()
	out := []AccountInfo{}
	for rows.Next() {
		var (
			a      AccountInfo
			n      int64
			latest any
		)
		if err := rows.Scan(&a.AccountID, &n, &latest); err != nil {
			return nil, fmt.Errorf("list accounts: %w", err)
		}
		a.Scans = int(n)
		if a.LatestScan, err = scanTime(latest); err != nil {
			return nil, fmt.Errorf("list accounts: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	return out, nil
}

func (s *sqlStore) ScanStats(ctx context.Context, scanID int64) (ScanStats, error) {
	if _, err := s.Scan(ctx, scanID); err != nil {
		return ScanStats{}, err
	}
	st := ScanStats{Rules: map[int64]RuleMeta{}}
	rows, err := s.b.query(ctx, `SELECT rule_ref, status, region, suppressed, COUNT(*) FROM findings WHERE scan_id = ?
		AND `+bySeq+` GROUP BY rule_ref, status, region, suppressed ORDER BY rule_ref, status, region, suppressed`, scanID)
	if err != nil {
		return ScanStats{}, fmt.Errorf("count findings of scan %d: %w", scanID, err)
	}
	refs := map[int64]bool{}
	for rows.Next() {
		var (
			c      CountRow
			status string
			n      int64
		)
		if err := rows.Scan(&c.RuleRef, &status, &c.Region, &c.Suppressed, &n); err != nil {
			rows.Close()
			return ScanStats{}, fmt.Errorf("count findings of scan %d: %w", scanID, err)
		}
		c.Status, c.N = checks.Status(status), int(n)
		refs[c.RuleRef] = true
		st.Counts = append(st.Counts, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return ScanStats{}, fmt.Errorf("count findings of scan %d: %w", scanID, err)
	}
	if len(refs) == 0 {
		return st, nil
	}
	all, err := s.RuleMetas(ctx)
	if err != nil {
		return ScanStats{}, err
	}
	for ref := range refs {
		if m, ok := all[ref]; ok {
			st.Rules[ref] = m
		}
	}
	return st, nil
}

// RuleMetas reads the rules table whole: it holds one row per distinct
// rule metadata across all scans, so it stays small.
func (s *sqlStore) RuleMetas(ctx context.Context) (map[int64]RuleMeta, error) {
	rows, err := s.b.query(ctx, `SELECT id, rule_id, title, service, severity, responsibility, frameworks FROM rules`)
	if err != nil {
		return nil, fmt.Errorf("read rules: %w", err)
	}
	defer rows.Close()
	out := map[int64]RuleMeta{}
	for rows.Next() {
		var (
			m       RuleMeta
			sev, fw string
		)
		if err := rows.Scan(&m.Ref, &m.RuleID, &m.Title, &m.Service, &sev, &m.Responsibility, &fw); err != nil {
			return nil, fmt.Errorf("read rules: %w", err)
		}
		m.Severity = checks.Severity(sev)
		if err := json.Unmarshal([]byte(fw), &m.Frameworks); err != nil {
			return nil, fmt.Errorf("rule %s frameworks: %w", m.RuleID, err)
		}
		out[m.Ref] = m
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read rules: %w", err)
	}
	return out, nil
}

// bySeq is always true (seq starts at 1) but makes SQLite read a scan's
// rows through the primary key (scan_id, seq), in insertion order, rather
// than through findings_fingerprint (scan_id, fingerprint), which visits
// the table in random order: 5 to 8 times less CPU for a 100k-finding scan.
const bySeq = "seq > 0"

// likePattern turns a substring into a LIKE pattern matched with ESCAPE '\'.
func likePattern(sub string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(sub)) + "%"
}

// inList appends "col IN (?, ?, …)" for vals to where and args.
func inList[T any](col string, vals []T, where *[]string, args *[]any) {
	if len(vals) == 0 {
		return
	}
	ph := make([]string, len(vals))
	for i, v := range vals {
		ph[i] = "?"
		*args = append(*args, v)
	}
	*where = append(*where, col+" IN ("+strings.Join(ph, ", ")+")")
}

// newExpr is 1 for a FAIL without a FAIL of the same fingerprint in the
// compared scan (the findings_fingerprint index answers the lookup).
const newExpr = `CASE WHEN f.status = 'FAIL' AND NOT EXISTS (SELECT 1 FROM findings p
	WHERE p.scan_id = ? AND p.fingerprint = f.fingerprint AND p.status = 'FAIL') THEN 1 ELSE 0 END`

const findingSelect = `SELECT f.seq, f.rule_ref, r.rule_id, r.title, r.service, f.status, r.severity, r.responsibility,
	f.resource_arn, f.region, f.account_id, r.frameworks, f.message, f.fingerprint, f.suppressed, f.suppression_reason`

func (s *sqlStore) QueryFindings(ctx context.Context, q FindingQuery) (FindingPage, error) {
	if q.Limit <= 0 {
		q.Limit = DefaultPageSize
	}
	q.Limit = min(q.Limit, MaxPageSize)
	q.Offset = max(q.Offset, 0)
	page := FindingPage{Findings: []StoredFinding{}, Offset: q.Offset, Limit: q.Limit}
	if q.RuleRefs != nil && len(q.RuleRefs) == 0 {
		return page, nil
	}
	if q.NewOnly && q.PrevScanID <= 0 {
		return page, nil
	}
	where := []string{"f.scan_id = ? AND f." + bySeq}
	args := []any{q.ScanID}
	inList("f.rule_ref", q.RuleRefs, &where, &args)
	statuses := make([]string, len(q.Statuses))
	for i, st := range q.Statuses {
		statuses[i] = string(st)
	}
	inList("f.status", statuses, &where, &args)
	inList("f.region", q.Regions, &where, &args)
	if q.Resource != "" {
		where = append(where, `LOWER(f.resource_arn) LIKE ? ESCAPE '\'`)
		args = append(args, likePattern(q.Resource))
	}
	join := ""
	if q.Text != "" {
		// The rule's ID and title live in rules: join only when needed,
		// so the count of an unfiltered page reads one table.
		join = " JOIN rules r ON r.id = f.rule_ref"
		p := likePattern(q.Text)
		where = append(where, `(LOWER(f.message) LIKE ? ESCAPE '\' OR LOWER(f.resource_arn) LIKE ? ESCAPE '\'
			OR LOWER(r.rule_id) LIKE ? ESCAPE '\' OR LOWER(r.title) LIKE ? ESCAPE '\')`)
		args = append(args, p, p, p, p)
	}
	if q.Suppressed != nil {
		where = append(where, "f.suppressed = ?")
		args = append(args, *q.Suppressed)
	}
	if q.NewOnly {
		where = append(where, `f.status = 'FAIL' AND NOT EXISTS (SELECT 1 FROM findings p
			WHERE p.scan_id = ? AND p.fingerprint = f.fingerprint AND p.status = 'FAIL')`)
		args = append(args, q.PrevScanID)
	}
	cond := strings.Join(where, " AND ")

	total, err := queryInt(ctx, s.b, "SELECT COUNT(*) FROM findings f"+join+" WHERE "+cond, args...)
	if err != nil {
		return page, fmt.Errorf("count findings of scan %d: %w", q.ScanID, err)
	}
	page.Total = total
	if q.Offset >= total {
		return page, nil
	}

	// Two steps: pick the page's rows by the cheap columns, then read those
	// rows in full. SQLite computes every result column before it sorts,
	// so one query would evaluate the new-since-last lookup and the rule
	// join for all matching rows, not only for the page.
	order := " ORDER BY f.seq"
	var orderArgs []any
	if q.Order != OrderRecorded {
		sevCase, sevArgs, err := s.severityOrder(ctx)
		if err != nil {
			return page, err
		}
		order = ` ORDER BY CASE f.status WHEN 'FAIL' THEN 0 WHEN 'UNKNOWN' THEN 1 WHEN 'MANUAL' THEN 2 ELSE 3 END, ` +
			sevCase + `, f.seq`
		orderArgs = sevArgs
	}
	rows, err := s.b.query(ctx, "SELECT f.seq FROM findings f"+join+" WHERE "+cond+order+
		" LIMIT "+strconv.Itoa(q.Limit)+" OFFSET "+strconv.Itoa(q.Offset), append(append([]any(nil), args...), orderArgs...)...)
	if err != nil {
		return page, fmt.Errorf("read findings of scan %d: %w", q.ScanID, err)
	}
	var seqs []int64
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			rows.Close()
			return page, fmt.Errorf("read findings of scan %d: %w", q.ScanID, err)
		}
		seqs = append(seqs, seq)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return page, fmt.Errorf("read findings of scan %d: %w", q.ScanID, err)
	}
	if len(seqs) == 0 {
		return page, nil
	}

	ints := make([]int, len(seqs))
	for i, v := range seqs {
		ints[i] = int(v)
	}
	fs, err := s.FindingsBySeq(ctx, q.ScanID, ints, q.PrevScanID)
	if err != nil {
		return page, err
	}
	page.Findings = fs
	return page, nil
}

// severityOrder returns an ORDER BY term ranking a finding's rule by
// severity, most severe first, without joining rules: the refs of each
// severity are listed (the rules table is small), and SQLite turns each
// IN list into a lookup table.
func (s *sqlStore) severityOrder(ctx context.Context) (string, []any, error) {
	rows, err := s.b.query(ctx, `SELECT id, severity FROM rules`)
	if err != nil {
		return "", nil, fmt.Errorf("read rule severities: %w", err)
	}
	defer rows.Close()
	bySev := map[int][]int64{}
	for rows.Next() {
		var (
			id  int64
			sev string
		)
		if err := rows.Scan(&id, &sev); err != nil {
			return "", nil, fmt.Errorf("read rule severities: %w", err)
		}
		r := 4 - checks.Severity(sev).Rank() // critical 0 … info 4, unknown 5
		bySev[r] = append(bySev[r], id)
	}
	if err := rows.Err(); err != nil {
		return "", nil, fmt.Errorf("read rule severities: %w", err)
	}
	var (
		b    strings.Builder
		args []any
	)
	b.WriteString("CASE")
	for r := 0; r <= 5; r++ {
		if len(bySev[r]) == 0 {
			continue
		}
		var w []string
		inList("f.rule_ref", bySev[r], &w, &args)
		fmt.Fprintf(&b, " WHEN %s THEN %d", w[0], r)
	}
	if len(args) == 0 {
		return "0", nil, nil
	}
	b.WriteString(" ELSE 6 END")
	return b.String(), args, nil
}

func scanStoredFinding(rows rowsIter, scanID int64, fwCache map[string]map[string][]string) (StoredFinding, error) {
	var (
		f               StoredFinding
		seq, isNew      int64
		status, sev, fw string
		suppressReason  string
	)
	if err := rows.Scan(&seq, &f.RuleRef, &f.RuleID, &f.Title, &f.Service, &status, &sev, &f.Responsibility,
		&f.ResourceARN, &f.Region, &f.AccountID, &fw, &f.Message, &f.Fingerprint, &f.Suppressed, &suppressReason,
		&isNew); err != nil {
		return f, fmt.Errorf("read findings of scan %d: %w", scanID, err)
	}
	f.ScanID, f.Seq, f.New = scanID, int(seq), isNew != 0
	f.Status, f.Severity, f.SuppressReason = checks.Status(status), checks.Severity(sev), suppressReason
	m, ok := fwCache[fw]
	if !ok {
		if err := json.Unmarshal([]byte(fw), &m); err != nil {
			return f, fmt.Errorf("scan %d rule %s frameworks: %w", scanID, f.RuleID, err)
		}
		fwCache[fw] = m
	}
	f.Frameworks = m
	return f, nil
}

func (s *sqlStore) FindingsBySeq(ctx context.Context, scanID int64, seqs []int, prevScanID int64) ([]StoredFinding, error) {
	out := make([]StoredFinding, 0, len(seqs))
	// Batches stay well under both backends' bind-parameter limits.
	const batch = 1000
	for start := 0; start < len(seqs); start += batch {
		part := seqs[start:min(start+batch, len(seqs))]
		sel := findingSelect
		var args []any
		if prevScanID > 0 {
			sel += ", " + newExpr
			args = append(args, prevScanID)
		} else {
			sel += ", 0"
		}
		args = append(args, scanID)
		var w []string
		inList("f.seq", part, &w, &args)
		rows, err := s.b.query(ctx, sel+" FROM findings f JOIN rules r ON r.id = f.rule_ref WHERE f.scan_id = ? AND "+w[0], args...)
		if err != nil {
			return nil, fmt.Errorf("read findings of scan %d: %w", scanID, err)
		}
		found := make(map[int]StoredFinding, len(part))
		fwCache := map[string]map[string][]string{}
		for rows.Next() {
			f, err := scanStoredFinding(rows, scanID, fwCache)
			if err != nil {
				rows.Close()
				return nil, err
			}
			found[f.Seq] = f
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read findings of scan %d: %w", scanID, err)
		}
		for _, seq := range part {
			if f, ok := found[seq]; ok {
				out = append(out, f)
			}
		}
	}
	return out, nil
}

func (s *sqlStore) FindingBySeq(ctx context.Context, scanID int64, seq int, prevScanID int64) (StoredFinding, error) {
	fs, err := s.FindingsBySeq(ctx, scanID, []int{seq}, prevScanID)
	if err != nil {
		return StoredFinding{}, fmt.Errorf("read finding %d of scan %d: %w", seq, scanID, err)
	}
	if len(fs) == 0 {
		return StoredFinding{}, fmt.Errorf("finding %d of scan %d: %w", seq, scanID, ErrNotFound)
	}
	f := fs[0]
	if prevScanID > 0 {
		// The worst status of the fingerprint, as Compare keeps it.
		rows, err := s.b.query(ctx, `SELECT status FROM findings WHERE scan_id = ? AND fingerprint = ?`, prevScanID, f.Fingerprint)
		if err != nil {
			return StoredFinding{}, fmt.Errorf("read previous status of finding %d: %w", seq, err)
		}
		defer rows.Close()
		for rows.Next() {
			var st string
			if err := rows.Scan(&st); err != nil {
				return StoredFinding{}, fmt.Errorf("read previous status of finding %d: %w", seq, err)
			}
			if f.PreviousStatus == "" || statusRank(checks.Status(st)) > statusRank(f.PreviousStatus) {
				f.PreviousStatus = checks.Status(st)
			}
		}
		if err := rows.Err(); err != nil {
			return StoredFinding{}, fmt.Errorf("read previous status of finding %d: %w", seq, err)
		}
	}
	return f, nil
}

func (s *sqlStore) ResourceCounts(ctx context.Context, scanID int64) ([]ResourceCount, error) {
	return s.resourceCounts(ctx, scanID, nil)
}

// ResourceCountsOf reads the scan's rows once per batch of ARNs but
// groups only the rows of those resources: a page of the inventory costs
// a scan of the findings, not a sort of all of them.
func (s *sqlStore) ResourceCountsOf(ctx context.Context, scanID int64, arns []string) ([]ResourceCount, error) {
	arns = slices.Compact(slices.Sorted(slices.Values(arns))) // a resource in two batches would count twice
	out := []ResourceCount{}
	const batch = 1000 // well under both backends' bind-parameter limits
	for start := 0; start < len(arns); start += batch {
		part, err := s.resourceCounts(ctx, scanID, arns[start:min(start+batch, len(arns))])
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ResourceARN != out[j].ResourceARN {
			return out[i].ResourceARN < out[j].ResourceARN
		}
		return out[i].Region < out[j].Region
	})
	return out, nil
}

// resourceCounts counts the resources of a scan, all of them when arns is
// nil.
func (s *sqlStore) resourceCounts(ctx context.Context, scanID int64, arns []string) ([]ResourceCount, error) {
	where, args := []string{"scan_id = ? AND " + bySeq}, []any{scanID}
	if arns != nil {
		if len(arns) == 0 {
			return []ResourceCount{}, nil
		}
		inList("resource_arn", arns, &where, &args)
	}
	rows, err := s.b.query(ctx, `SELECT resource_arn, region, COUNT(*),
		SUM(CASE WHEN status = 'FAIL' AND NOT suppressed THEN 1 ELSE 0 END),
		SUM(CASE WHEN status = 'UNKNOWN' AND NOT suppressed THEN 1 ELSE 0 END)
		FROM findings WHERE `+strings.Join(where, " AND ")+` GROUP BY resource_arn, region ORDER BY resource_arn, region`, args...)
	if err != nil {
		return nil, fmt.Errorf("count resources of scan %d: %w", scanID, err)
	}
	defer rows.Close()
	out := []ResourceCount{}
	for rows.Next() {
		var (
			c                 ResourceCount
			total, fail, unkn int64
		)
		if err := rows.Scan(&c.ResourceARN, &c.Region, &total, &fail, &unkn); err != nil {
			return nil, fmt.Errorf("count resources of scan %d: %w", scanID, err)
		}
		c.Total, c.Fail, c.Unknown = int(total), int(fail), int(unkn)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count resources of scan %d: %w", scanID, err)
	}
	return out, nil
}

func (s *sqlStore) IndexRows(ctx context.Context, scanID int64, fn func(IndexRow) error) error {
	return s.SelectIndexRows(ctx, IndexQuery{ScanID: scanID, Columns: IndexAll}, fn)
}

func (s *sqlStore) SelectIndexRows(ctx context.Context, q IndexQuery, fn func(IndexRow) error) error {
	var (
		r               IndexRow
		seq, refAndSupp int64
		status          string
	)
	cols, dest := []string{"seq"}, []any{&seq}
	if q.Columns&IndexKeys != 0 {
		// The rule and the suppression travel as one number: each column
		// read costs about as much per row as the row itself, and this
		// one less saves some 15% of reading a scan's keys.
		cols = append(cols, "rule_ref * 2 + CASE WHEN suppressed THEN 1 ELSE 0 END", "status", "region")
		dest = append(dest, &refAndSupp, &status, &r.Region)
	}
	if q.Columns&IndexARN != 0 {
		cols = append(cols, "resource_arn")
		dest = append(dest, &r.ResourceARN)
	}
	if q.Columns&IndexMessage != 0 {
		cols = append(cols, "message")
		dest = append(dest, &r.Message)
	}
	switch {
	case q.Columns&IndexFingerprint != 0:
		cols = append(cols, "fingerprint")
		dest = append(dest, &r.Fingerprint)
	case q.Columns&IndexFailFingerprint != 0:
		cols = append(cols, "CASE WHEN status = 'FAIL' THEN fingerprint ELSE '' END")
		dest = append(dest, &r.Fingerprint)
	}
	where, args := "scan_id = ? AND "+bySeq, []any{q.ScanID}
	if q.Status != "" {
		where += " AND status = ?"
		args = append(args, string(q.Status))
	}
	rows, err := s.b.query(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM findings WHERE "+where+" ORDER BY seq", args...)
	if err != nil {
		return fmt.Errorf("read findings of scan %d: %w", q.ScanID, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("read findings of scan %d: %w", q.ScanID, err)
		}
		r.Seq = int(seq)
		if q.Columns&IndexKeys != 0 {
			r.RuleRef, r.Suppressed, r.Status = refAndSupp>>1, refAndSupp&1 == 1, checks.Status(status)
		} else {
			r.Status = q.Status
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read findings of scan %d: %w", q.ScanID, err)
	}
	return nil
}

func (s *sqlStore) FailFingerprints(ctx context.Context, scanID int64, fn func(string) error) error {
	rows, err := s.b.query(ctx, `SELECT fingerprint FROM findings WHERE scan_id = ? AND `+bySeq+` AND status = 'FAIL'`, scanID)
	if err != nil {
		return fmt.Errorf("read FAILs of scan %d: %w", scanID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var fp string
		if err := rows.Scan(&fp); err != nil {
			return fmt.Errorf("read FAILs of scan %d: %w", scanID, err)
		}
		if err := fn(fp); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read FAILs of scan %d: %w", scanID, err)
	}
	return nil
}
