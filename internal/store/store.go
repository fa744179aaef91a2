package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
	"github.com/demarc-sec/demarc/internal/model/core"
)

// Scan is one recorded scan: what was scanned, by which demarc and rule
// set, what could not be read (coverage), and the counts of its findings.
type Scan struct {
	ID             int64               `json:"id"`
	AccountID      string              `json:"account_id"`
	Partition      string              `json:"partition"`
	Regions        []string            `json:"regions"`
	CollectedAt    time.Time           `json:"collected_at"` // when the snapshot was taken
	RecordedAt     time.Time           `json:"recorded_at"`  // when the scan was saved
	ToolVersion    string              `json:"tool_version"`
	RuleSetVersion string              `json:"ruleset_version"`
	Partial        bool                `json:"partial"`
	Coverage       []core.CollectError `json:"coverage"`
	// Summary counts the stored findings; the store computes it, except
	// RulesRun, which the caller sets on the Scan given to Begin.
	Summary engine.Summary `json:"summary"`
}

// Filter selects scans. The zero value selects every scan.
type Filter struct {
	AccountID string
	Limit     int // 0: no limit
	// Before, when non-nil, keeps only scans older than it (by collection
	// time, then ID): the scans before a given one.
	Before *Scan
}

// Store records scans. Methods may be called from one goroutine at a time
// per Store; a callback given to Findings must not call the Store.
type Store interface {
	// Begin starts recording a scan in one transaction.
	Begin(ctx context.Context, s Scan) (ScanWriter, error)
	// SaveScan records a scan with its findings (Begin, Add…, Commit).
	SaveScan(ctx context.Context, s Scan, findings []engine.Finding) (Scan, error)
	// Scans lists scans, newest first (by collection time, then ID).
	Scans(ctx context.Context, f Filter) ([]Scan, error)
	// Scan returns one scan, or ErrNotFound.
	Scan(ctx context.Context, id int64) (Scan, error)
	// Findings calls fn for every finding of a scan, in recorded order.
	Findings(ctx context.Context, scanID int64, fn func(engine.Finding) error) error
	// Backend is "sqlite" or "postgres".
	Backend() string
	Close() error
}

// ScanWriter records one scan's findings inside its transaction. Until
// Commit, nothing of the scan is visible; Rollback (or a crash, a kill, a
// cancelled context) leaves the store as it was.
type ScanWriter interface {
	Add(ctx context.Context, f engine.Finding) error
	Commit(ctx context.Context) (Scan, error)
	Rollback(ctx context.Context) error
}

// ErrNotFound means no scan matched.
var ErrNotFound = errors.New("no such scan")

// busyTimeout is how long a SQLite writer waits for another demarc process
// that holds the write lock (a 200k-finding scan commits in seconds).
const busyTimeout = 30 * time.Second

// IsPostgres reports whether dsn selects the PostgreSQL backend.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens (creating and migrating as needed) the store named by dsn: a
// postgres:// or postgresql:// URL, or a SQLite file path (optionally
// prefixed "sqlite:"). An empty dsn means DefaultPath.
func Open(ctx context.Context, dsn string) (Store, error) {
	var b backend
	switch {
	case IsPostgres(dsn):
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return nil, fmt.Errorf("connect to PostgreSQL store: %w", redactErr(err, dsn))
		}
		b = &pgBackend{conn: conn}
	default:
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			p, err := DefaultPath()
			if err != nil {
				return nil, err
			}
			path = p
		}
		db, err := openSQLite(path)
		if err != nil {
			return nil, err
		}
		b = &sqlBackend{db: db}
	}
	if err := migrate(ctx, b); err != nil {
		b.close(ctx)
		return nil, fmt.Errorf("open store: %w", err)
	}
	return &sqlStore{b: b, d: b.dialect()}, nil
}

// openSQLite creates the file (owner-only: findings describe weaknesses)
// and its directory, and opens it with WAL, a busy timeout, foreign keys
// and write transactions that take the lock up front (so two writers wait
// for each other instead of failing on lock upgrade).
func openSQLite(path string) (*sql.DB, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("store path %q: must not contain ? or #", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create store directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	f.Close()
	dsn := path + "?_busy_timeout=" + fmt.Sprint(busyTimeout.Milliseconds()) +
		"&_journal_mode=WAL&_synchronous=NORMAL&_foreign_keys=1&_txlock=immediate" +
		// Statement journals in memory (a multi-row INSERT inside a
		// transaction keeps one), and a 32 MB page cache so a large scan
		// spills to the WAL less often.
		"&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32000)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return db, nil
}

// redactErr keeps a password in a DSN out of error messages.
func redactErr(err error, dsn string) error {
	if i := strings.Index(dsn, "://"); i >= 0 {
		if at := strings.LastIndex(dsn, "@"); at > i {
			if c := strings.Index(dsn[i+3:at], ":"); c >= 0 {
				pw := dsn[i+3+c+1 : at]
				if pw != "" && strings.Contains(err.Error(), pw) {
					return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
				}
			}
		}
	}
	return err
}

type sqlStore struct {
	b backend
	d dialect
}

func (s *sqlStore) Backend() string { return s.d.name }
func (s *sqlStore) Close() error    { return s.b.close(context.Background()) }

const scanColumns = `id, account_id, partition, regions, collected_at, recorded_at, tool_version, ruleset_version,
	partial, coverage, summary`

func (s *sqlStore) Begin(ctx context.Context, sc Scan) (ScanWriter, error) {
	regions, err := json.Marshal(nonNil(sc.Regions))
	if err != nil {
		return nil, err
	}
	coverage, err := json.Marshal(nonNil(sc.Coverage))
	if err != nil {
		return nil, err
	}
	tx, err := s.b.begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin scan: %w", err)
	}
	sc.RecordedAt = time.Now().UTC().Truncate(time.Microsecond)
	sc.CollectedAt = sc.CollectedAt.UTC().Truncate(time.Microsecond)
	rows, err := tx.query(ctx, `INSERT INTO scans (account_id, partition, regions, collected_at, recorded_at,
		tool_version, ruleset_version, partial, coverage, total, pass, fail, unknown, manual, suppressed, summary)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, '{}') RETURNING id`,
		sc.AccountID, sc.Partition, string(regions), s.d.timeArg(sc.CollectedAt), s.d.timeArg(sc.RecordedAt),
		sc.ToolVersion, sc.RuleSetVersion, sc.Partial, string(coverage))
	if err == nil {
		if rows.Next() {
			err = rows.Scan(&sc.ID)
		}
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
	}
	if err != nil {
		tx.rollback(ctx)
		return nil, fmt.Errorf("record scan: %w", err)
	}
	if sc.Regions == nil {
		sc.Regions = []string{}
	}
	if sc.Coverage == nil {
		sc.Coverage = []core.CollectError{}
	}
	sc.Summary = engine.Summarize(nil, sc.Summary.RulesRun)
	w := &scanWriter{s: s, tx: tx, scan: sc, rules: map[string]int64{}, fast: map[ruleKey]int64{}}
	// Full batches reuse one statement text (and so one prepared plan).
	w.batch = min(500, s.d.maxParams/findingColumns)
	return w, nil
}

const findingColumns = 11

type scanWriter struct {
	s     *sqlStore
	tx    txn
	scan  Scan
	rules map[string]int64 // digest → rules.id
	// fast maps a rule's metadata, with its frameworks map by identity, to
	// rules.id: engine.Run gives every finding of a rule the same map, so
	// most Adds skip encoding and hashing.
	fast  map[ruleKey]int64
	seq   int
	batch int
	full  stmt // INSERT of a full batch, prepared once
	args  []any
	n     int // rows in args
	done  bool
}

type ruleKey struct {
	id, title, service, severity, responsibility string
	frameworks                                   uintptr
}

func (w *scanWriter) Add(ctx context.Context, f engine.Finding) error {
	if w.done {
		return errors.New("scan already committed or rolled back")
	}
	ref, err := w.ruleRef(ctx, &f)
	if err != nil {
		return err
	}
	w.seq++
	w.args = append(w.args, w.scan.ID, w.seq, ref, string(f.Status), f.ResourceARN, f.Region, f.AccountID,
		f.Message, f.Fingerprint, f.Suppressed, f.SuppressReason)
	w.n++
	sum := &w.scan.Summary
	sum.Total++
	sum.ByStatus[string(f.Status)]++
	if f.Status == checks.Fail {
		sum.FailBySev[string(f.Severity)]++
	}
	if f.Suppressed {
		sum.Suppressed++
	}
	if w.n == w.batch {
		return w.flush(ctx)
	}
	return nil
}

func insertFindingsSQL(rows int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO findings (scan_id, seq, rule_ref, status, resource_arn, region, account_id, message,
		fingerprint, suppressed, suppression_reason) VALUES `)
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?,?,?,?,?)")
	}
	return b.String()
}

func (w *scanWriter) flush(ctx context.Context) error {
	if w.n == 0 {
		return nil
	}
	var err error
	if w.n == w.batch {
		if w.full == nil {
			w.full, err = w.tx.prepare(ctx, insertFindingsSQL(w.batch))
		}
		if err == nil {
			err = w.full.exec(ctx, w.args...)
		}
	} else {
		err = w.tx.exec(ctx, insertFindingsSQL(w.n), w.args...)
	}
	if err != nil {
		return fmt.Errorf("record findings of scan %d: %w", w.scan.ID, err)
	}
	w.args, w.n = w.args[:0], 0
	return nil
}

// ruleRef returns the rules row for a finding's rule metadata, creating it
// the first time any scan records that exact metadata.
func (w *scanWriter) ruleRef(ctx context.Context, f *engine.Finding) (int64, error) {
	// A nil map has pointer 0, distinct from any empty non-nil map.
	key := ruleKey{f.RuleID, f.Title, f.Service, string(f.Severity), f.Responsibility, reflect.ValueOf(f.Frameworks).Pointer()}
	if id, ok := w.fast[key]; ok {
		return id, nil
	}
	id, err := w.ruleRefSlow(ctx, f)
	if err == nil {
		w.fast[key] = id
	}
	return id, err
}

func (w *scanWriter) ruleRefSlow(ctx context.Context, f *engine.Finding) (int64, error) {
	fw, err := json.Marshal(f.Frameworks) // map keys sorted: deterministic
	if err != nil {
		return 0, err
	}
	h := sha256.New()
	for _, part := range []string{f.RuleID, f.Title, f.Service, string(f.Severity), f.Responsibility, string(fw)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	digest := hex.EncodeToString(h.Sum(nil))
	if id, ok := w.rules[digest]; ok {
		return id, nil
	}
	if err := w.tx.exec(ctx, `INSERT INTO rules (digest, rule_id, title, service, severity, responsibility, frameworks)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING`,
		digest, f.RuleID, f.Title, f.Service, string(f.Severity), f.Responsibility, string(fw)); err != nil {
		return 0, fmt.Errorf("record rule %s: %w", f.RuleID, err)
	}
	rows, err := w.tx.query(ctx, `SELECT id FROM rules WHERE digest = ?`, digest)
	if err != nil {
		return 0, fmt.Errorf("record rule %s: %w", f.RuleID, err)
	}
	var id int64
	if rows.Next() {
		err = rows.Scan(&id)
	}
	rows.Close()
	if err == nil {
		err = rows.Err()
	}
	if err != nil || id == 0 {
		return 0, fmt.Errorf("record rule %s: %w", f.RuleID, errors.Join(err, errors.New("no id")))
	}
	w.rules[digest] = id
	return id, nil
}

func (w *scanWriter) Commit(ctx context.Context) (Scan, error) {
	if w.done {
		return Scan{}, errors.New("scan already committed or rolled back")
	}
	fail := func(err error) (Scan, error) {
		w.Rollback(ctx)
		return Scan{}, err
	}
	if err := w.flush(ctx); err != nil {
		return fail(err)
	}
	sum := w.scan.Summary
	sb, err := json.Marshal(sum)
	if err != nil {
		return fail(err)
	}
	if err := w.tx.exec(ctx, `UPDATE scans SET total = ?, pass = ?, fail = ?, unknown = ?, manual = ?, suppressed = ?,
		summary = ? WHERE id = ?`, sum.Total, sum.ByStatus[string(checks.Pass)], sum.ByStatus[string(checks.Fail)],
		sum.ByStatus[string(checks.Unknown)], sum.ByStatus[string(checks.Manual)], sum.Suppressed, string(sb), w.scan.ID); err != nil {
		return fail(fmt.Errorf("record scan %d counts: %w", w.scan.ID, err))
	}
	w.done = true
	if err := w.tx.commit(ctx); err != nil {
		return Scan{}, fmt.Errorf("commit scan %d: %w", w.scan.ID, err)
	}
	return w.scan, nil
}

func (w *scanWriter) Rollback(ctx context.Context) error {
	if w.done {
		return nil
	}
	w.done = true
	if err := w.tx.rollback(ctx); err != nil && !errors.Is(err, sql.ErrTxDone) && !errors.Is(err, pgx.ErrTxClosed) {
		return fmt.Errorf("roll back scan %d: %w", w.scan.ID, err)
	}
	return nil
}

func (s *sqlStore) SaveScan(ctx context.Context, sc Scan, findings []engine.Finding) (Scan, error) {
	w, err := s.Begin(ctx, sc)
	if err != nil {
		return Scan{}, err
	}
	for i := range findings {
		if err := w.Add(ctx, findings[i]); err != nil {
			w.Rollback(ctx)
			return Scan{}, err
		}
	}
	return w.Commit(ctx)
}

func (s *sqlStore) Scans(ctx context.Context, f Filter) ([]Scan, error) {
	var where []string
	var args []any
	if f.AccountID != "" {
		where = append(where, "account_id = ?")
		args = append(args, f.AccountID)
	}
	if f.Before != nil {
		t := s.d.timeArg(f.Before.CollectedAt)
		where = append(where, "(collected_at < ? OR (collected_at = ? AND id < ?))")
		args = append(args, t, t, f.Before.ID)
	}
	q := "SELECT " + scanColumns + " FROM scans"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY collected_at DESC, id DESC"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.b.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list scans: %w", err)
	}
	defer rows.Close()
	var out []Scan
	for rows.Next() {
		sc, err := scanRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list scans: %w", err)
	}
	return out, nil
}

func (s *sqlStore) Scan(ctx context.Context, id int64) (Scan, error) {
	rows, err := s.b.query(ctx, "SELECT "+scanColumns+" FROM scans WHERE id = ?", id)
	if err != nil {
		return Scan{}, fmt.Errorf("read scan %d: %w", id, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return Scan{}, fmt.Errorf("read scan %d: %w", id, err)
		}
		return Scan{}, fmt.Errorf("scan %d: %w", id, ErrNotFound)
	}
	return scanRow(rows)
}

func scanRow(rows rowsIter) (Scan, error) {
	var (
		sc                         Scan
		regions, coverage, summary string
		collected, recorded        any
	)
	if err := rows.Scan(&sc.ID, &sc.AccountID, &sc.Partition, &regions, &collected, &recorded, &sc.ToolVersion,
		&sc.RuleSetVersion, &sc.Partial, &coverage, &summary); err != nil {
		return Scan{}, fmt.Errorf("read scan: %w", err)
	}
	var err error
	if sc.CollectedAt, err = scanTime(collected); err != nil {
		return Scan{}, err
	}
	if sc.RecordedAt, err = scanTime(recorded); err != nil {
		return Scan{}, err
	}
	if err := json.Unmarshal([]byte(regions), &sc.Regions); err != nil {
		return Scan{}, fmt.Errorf("scan %d regions: %w", sc.ID, err)
	}
	if err := json.Unmarshal([]byte(coverage), &sc.Coverage); err != nil {
		return Scan{}, fmt.Errorf("scan %d coverage: %w", sc.ID, err)
	}
	if err := json.Unmarshal([]byte(summary), &sc.Summary); err != nil {
		return Scan{}, fmt.Errorf("scan %d summary: %w", sc.ID, err)
	}
	if sc.Summary.ByStatus == nil {
		sc.Summary.ByStatus = map[string]int{}
	}
	if sc.Summary.FailBySev == nil {
		sc.Summary.FailBySev = map[string]int{}
	}
	return sc, nil
}

func (s *sqlStore) Findings(ctx context.Context, scanID int64, fn func(engine.Finding) error) error {
	rows, err := s.b.query(ctx, `SELECT r.rule_id, r.title, r.service, f.status, r.severity, r.responsibility,
		f.resource_arn, f.region, f.account_id, r.frameworks, f.message, f.fingerprint, f.suppressed, f.suppression_reason
		FROM findings f JOIN rules r ON r.id = f.rule_ref WHERE f.scan_id = ? ORDER BY f.seq`, scanID)
	if err != nil {
		return fmt.Errorf("read findings of scan %d: %w", scanID, err)
	}
	defer rows.Close()
	// Findings of one rule share its frameworks map, as engine.Run's do.
	frameworks := map[string]map[string][]string{}
	for rows.Next() {
		var (
			f              engine.Finding
			status, sev    string
			fw             string
			suppressReason string
		)
		if err := rows.Scan(&f.RuleID, &f.Title, &f.Service, &status, &sev, &f.Responsibility, &f.ResourceARN,
			&f.Region, &f.AccountID, &fw, &f.Message, &f.Fingerprint, &f.Suppressed, &suppressReason); err != nil {
			return fmt.Errorf("read findings of scan %d: %w", scanID, err)
		}
		f.Status, f.Severity, f.SuppressReason = checks.Status(status), checks.Severity(sev), suppressReason
		m, ok := frameworks[fw]
		if !ok {
			if err := json.Unmarshal([]byte(fw), &m); err != nil {
				return fmt.Errorf("scan %d rule %s frameworks: %w", scanID, f.RuleID, err)
			}
			frameworks[fw] = m
		}
		f.Frameworks = m
		if err := fn(f); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read findings of scan %d: %w", scanID, err)
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
