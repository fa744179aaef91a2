package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
)

// Artifacts are per-scan analysis results that the findings alone cannot
// rebuild (the snapshot is not stored): the shared-responsibility matrix,
// the framework reports, internet exposure, privilege-escalation paths and
// the resource inventory. The dashboard draws from them; a scan without
// them still shows its findings.
//
// Each artifact is a JSON document stored gzip-compressed, one row per
// (scan, kind). Kinds are lower-case names; the store does not interpret
// the documents.

// Artifact kinds written by the dashboard's recorder (internal/web).
const (
	ArtifactResponsibility = "responsibility" // responsibility.Matrix
	ArtifactFrameworks     = "frameworks"     // []frameworks.Report
	ArtifactExposure       = "exposure"       // reach.Report
	ArtifactPrivesc        = "privesc"        // privesc.Result
	ArtifactInventory      = "inventory"      // resources of the snapshot
	ArtifactScores         = "scores"         // framework and layer scores, for overviews and trends
)

// artifactsMigration is schema step 2. The data column is BYTEA: PostgreSQL's
// binary type; SQLite gives the name NUMERIC affinity, which stores a bound
// []byte as a BLOB unchanged (affinity only converts text), so one
// statement serves both backends.
var artifactsMigration = []string{
	`CREATE TABLE scan_artifacts (
		scan_id BIGINT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
		kind TEXT NOT NULL,
		encoding TEXT NOT NULL,
		data BYTEA NOT NULL,
		PRIMARY KEY (scan_id, kind)
	)`,
}

// artifactEncoding names how data is stored; a future encoding is a new
// name, and readers refuse names they do not know.
const artifactEncoding = "gzip+json"

var kindRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,63}$`)

// ArtifactWriter records artifacts of one scan. The ScanWriter returned by
// Begin implements it (the artifacts then commit or roll back with the
// scan's findings), and so does ScanArtifacts for a committed scan.
type ArtifactWriter interface {
	PutArtifact(ctx context.Context, kind string, doc []byte) error
}

// ArtifactStore reads and writes the artifacts of recorded scans. Every
// Store returned by Open implements it; use Artifacts to get it.
type ArtifactStore interface {
	// PutArtifact records (or replaces) a JSON document for a committed scan.
	PutArtifact(ctx context.Context, scanID int64, kind string, doc []byte) error
	// Artifact returns the JSON document, or an error wrapping ErrNoArtifact.
	Artifact(ctx context.Context, scanID int64, kind string) ([]byte, error)
	// ArtifactKinds lists the kinds recorded for a scan, sorted.
	ArtifactKinds(ctx context.Context, scanID int64) ([]string, error)
}

// ErrNoArtifact means the scan has no artifact of that kind (it was
// recorded without it, for instance by an older demarc).
var ErrNoArtifact = errors.New("no such artifact")

// Artifacts returns the artifact interface of a store opened by Open.
func Artifacts(s Store) (ArtifactStore, bool) {
	a, ok := s.(ArtifactStore)
	return a, ok
}

// ScanArtifacts binds an ArtifactStore to one committed scan, so the same
// recorder can write inside a scan's transaction or after it.
func ScanArtifacts(a ArtifactStore, scanID int64) ArtifactWriter {
	return boundArtifacts{a: a, id: scanID}
}

type boundArtifacts struct {
	a  ArtifactStore
	id int64
}

func (b boundArtifacts) PutArtifact(ctx context.Context, kind string, doc []byte) error {
	return b.a.PutArtifact(ctx, b.id, kind, doc)
}

const upsertArtifactSQL = `INSERT INTO scan_artifacts (scan_id, kind, encoding, data) VALUES (?, ?, ?, ?)
	ON CONFLICT (scan_id, kind) DO UPDATE SET encoding = excluded.encoding, data = excluded.data`

func encodeArtifact(kind string, doc []byte) ([]byte, error) {
	if !kindRE.MatchString(kind) {
		return nil, fmt.Errorf("artifact kind %q: want lower-case letters, digits, - or _", kind)
	}
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	if _, err := zw.Write(doc); err != nil {
		return nil, fmt.Errorf("compress artifact %s: %w", kind, err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress artifact %s: %w", kind, err)
	}
	return b.Bytes(), nil
}

// PutArtifact records an artifact inside the scan's transaction.
func (w *scanWriter) PutArtifact(ctx context.Context, kind string, doc []byte) error {
	if w.done {
		return errors.New("scan already committed or rolled back")
	}
	data, err := encodeArtifact(kind, doc)
	if err != nil {
		return err
	}
	if err := w.tx.exec(ctx, upsertArtifactSQL, w.scan.ID, kind, artifactEncoding, data); err != nil {
		return fmt.Errorf("record artifact %s of scan %d: %w", kind, w.scan.ID, err)
	}
	return nil
}

func (s *sqlStore) PutArtifact(ctx context.Context, scanID int64, kind string, doc []byte) error {
	data, err := encodeArtifact(kind, doc)
	if err != nil {
		return err
	}
	// The existence check and the write share a transaction, so a scan
	// cannot vanish in between (and SQLite's foreign keys may be off).
	tx, err := s.b.begin(ctx)
	if err != nil {
		return fmt.Errorf("record artifact %s of scan %d: %w", kind, scanID, err)
	}
	defer tx.rollback(ctx)
	n, err := queryInt(ctx, tx, `SELECT COUNT(*) FROM scans WHERE id = ?`, scanID)
	if err != nil {
		return fmt.Errorf("record artifact %s of scan %d: %w", kind, scanID, err)
	}
	if n == 0 {
		return fmt.Errorf("record artifact %s: scan %d: %w", kind, scanID, ErrNotFound)
	}
	if err := tx.exec(ctx, upsertArtifactSQL, scanID, kind, artifactEncoding, data); err != nil {
		return fmt.Errorf("record artifact %s of scan %d: %w", kind, scanID, err)
	}
	if err := tx.commit(ctx); err != nil {
		return fmt.Errorf("record artifact %s of scan %d: %w", kind, scanID, err)
	}
	return nil
}

// maxArtifactSize bounds a decompressed artifact, so a corrupt or hostile
// store cannot exhaust memory.
const maxArtifactSize = 1 << 30

func (s *sqlStore) Artifact(ctx context.Context, scanID int64, kind string) ([]byte, error) {
	rows, err := s.b.query(ctx, `SELECT encoding, data FROM scan_artifacts WHERE scan_id = ? AND kind = ?`, scanID, kind)
	if err != nil {
		return nil, fmt.Errorf("read artifact %s of scan %d: %w", kind, scanID, err)
	}
	var (
		enc   string
		data  []byte
		found bool
	)
	if rows.Next() {
		found = true
		err = rows.Scan(&enc, &data)
	}
	rows.Close()
	if err == nil {
		err = rows.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("read artifact %s of scan %d: %w", kind, scanID, err)
	}
	if !found {
		return nil, fmt.Errorf("scan %d artifact %s: %w", scanID, kind, ErrNoArtifact)
	}
	if enc != artifactEncoding {
		return nil, fmt.Errorf("scan %d artifact %s: unknown encoding %q (written by a newer demarc?)", scanID, kind, enc)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("scan %d artifact %s: %w", scanID, kind, err)
	}
	doc, err := io.ReadAll(io.LimitReader(zr, maxArtifactSize+1))
	if err != nil {
		return nil, fmt.Errorf("scan %d artifact %s: %w", scanID, kind, err)
	}
	if len(doc) > maxArtifactSize {
		return nil, fmt.Errorf("scan %d artifact %s: larger than %d bytes", scanID, kind, maxArtifactSize)
	}
	return doc, nil
}

func (s *sqlStore) ArtifactKinds(ctx context.Context, scanID int64) ([]string, error) {
	rows, err := s.b.query(ctx, `SELECT kind FROM scan_artifacts WHERE scan_id = ?`, scanID)
	if err != nil {
		return nil, fmt.Errorf("list artifacts of scan %d: %w", scanID, err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("list artifacts of scan %d: %w", scanID, err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list artifacts of scan %d: %w", scanID, err)
	}
	sort.Strings(out)
	return out, nil
}
