package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// The two backends are reached through one small interface: database/sql for
// SQLite, and a single pgx connection for PostgreSQL. (pgx's database/sql
// adapter pulls in its connection-pool module, which this build does not
// carry; a CLI needs one connection anyway.)

type rowsIter interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

type execQuerier interface {
	exec(ctx context.Context, q string, args ...any) error
	query(ctx context.Context, q string, args ...any) (rowsIter, error)
}

type txn interface {
	execQuerier
	// prepare returns a statement to run many times in the transaction.
	prepare(ctx context.Context, q string) (stmt, error)
	commit(ctx context.Context) error
	rollback(ctx context.Context) error
}

type stmt interface {
	exec(ctx context.Context, args ...any) error
}

type backend interface {
	execQuerier
	begin(ctx context.Context) (txn, error)
	close(ctx context.Context) error
	dialect() dialect
}

// dialect holds what differs between the backends' SQL.
type dialect struct {
	name string
	// idColumn is an auto-assigned, never reused 64-bit primary key.
	idColumn string
	// timeType stores an instant; SQLite has none, so a fixed-width UTC
	// text that sorts like the instant.
	timeType string
	// lockMigrations, run first in the migration transaction, serializes
	// concurrent demarc processes migrating the same store.
	lockMigrations string
	// maxParams bounds the bind parameters of one statement.
	maxParams int
}

var (
	sqliteDialect = dialect{
		name:      "sqlite",
		idColumn:  "INTEGER PRIMARY KEY AUTOINCREMENT",
		timeType:  "TEXT",
		maxParams: 32766,
	}
	postgresDialect = dialect{
		name:           "postgres",
		idColumn:       "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
		timeType:       "TIMESTAMPTZ",
		lockMigrations: "SELECT pg_advisory_xact_lock(7234031254118253413)", // "demarc-s"
		maxParams:      65535,
	}
)

// sqliteTimeLayout is fixed-width so that text order is time order.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000000Z"

// timeArg converts an instant to the value the backend stores.
func (d dialect) timeArg(t time.Time) any {
	if d.name == "sqlite" {
		return t.UTC().Format(sqliteTimeLayout)
	}
	return t.UTC()
}

// ddl expands the dialect placeholders of a schema statement.
func (d dialect) ddl(s string) string {
	return strings.NewReplacer("{{ID}}", d.idColumn, "{{TIME}}", d.timeType).Replace(s)
}

// scanTime reads an instant stored by timeArg.
func scanTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x.UTC(), nil
	case string:
		return parseStoredTime(x)
	case []byte:
		return parseStoredTime(string(x))
	case nil:
		return time.Time{}, nil
	}
	return time.Time{}, fmt.Errorf("unexpected time value %T", v)
}

func parseStoredTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}

// ---- SQLite through database/sql ----

type sqlBackend struct {
	db *sql.DB
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

func (b *sqlBackend) exec(ctx context.Context, q string, args ...any) error {
	_, err := b.db.ExecContext(ctx, q, args...)
	return err
}

func (b *sqlBackend) query(ctx context.Context, q string, args ...any) (rowsIter, error) {
	r, err := b.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{r}, nil
}

func (b *sqlBackend) begin(ctx context.Context) (txn, error) {
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &sqlTx{tx}, nil
}

func (b *sqlBackend) close(context.Context) error { return b.db.Close() }
func (b *sqlBackend) dialect() dialect            { return sqliteDialect }

type sqlTx struct{ tx *sql.Tx }

func (t *sqlTx) exec(ctx context.Context, q string, args ...any) error {
	_, err := t.tx.ExecContext(ctx, q, args...)
	return err
}

func (t *sqlTx) query(ctx context.Context, q string, args ...any) (rowsIter, error) {
	r, err := t.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{r}, nil
}

// prepare compiles the statement once: SQLite would otherwise parse a
// 5,500-parameter INSERT for every batch.
func (t *sqlTx) prepare(ctx context.Context, q string) (stmt, error) {
	st, err := t.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	return sqlStmt{st}, nil
}

type sqlStmt struct{ st *sql.Stmt }

func (s sqlStmt) exec(ctx context.Context, args ...any) error {
	_, err := s.st.ExecContext(ctx, args...)
	return err
}

func (t *sqlTx) commit(context.Context) error   { return t.tx.Commit() }
func (t *sqlTx) rollback(context.Context) error { return t.tx.Rollback() }

// ---- PostgreSQL through one pgx connection ----

// pgBackend serializes use of its connection: a pgx.Conn runs one command
// at a time. Rows must be closed before the next call.
type pgBackend struct {
	mu   sync.Mutex
	conn *pgx.Conn
}

// rebind turns ? placeholders into $1, $2, …; the store's SQL has no other
// question marks.
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

type pgRows struct {
	pgx.Rows
	unlock func()
}

func (r *pgRows) Close() {
	r.Rows.Close()
	if r.unlock != nil {
		r.unlock()
		r.unlock = nil
	}
}

func (b *pgBackend) exec(ctx context.Context, q string, args ...any) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, err := b.conn.Exec(ctx, rebind(q), args...)
	return err
}

func (b *pgBackend) query(ctx context.Context, q string, args ...any) (rowsIter, error) {
	b.mu.Lock()
	r, err := b.conn.Query(ctx, rebind(q), args...)
	if err != nil {
		b.mu.Unlock()
		return nil, err
	}
	return &pgRows{Rows: r, unlock: b.mu.Unlock}, nil
}

// begin holds the connection for the whole transaction; commit or rollback
// release it.
func (b *pgBackend) begin(ctx context.Context) (txn, error) {
	b.mu.Lock()
	tx, err := b.conn.Begin(ctx)
	if err != nil {
		b.mu.Unlock()
		return nil, err
	}
	return &pgTx{tx: tx, unlock: b.mu.Unlock}, nil
}

func (b *pgBackend) close(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.conn.Close(ctx)
}

func (b *pgBackend) dialect() dialect { return postgresDialect }

type pgTx struct {
	tx     pgx.Tx
	unlock func()
}

func (t *pgTx) exec(ctx context.Context, q string, args ...any) error {
	_, err := t.tx.Exec(ctx, rebind(q), args...)
	return err
}

func (t *pgTx) query(ctx context.Context, q string, args ...any) (rowsIter, error) {
	r, err := t.tx.Query(ctx, rebind(q), args...)
	if err != nil {
		return nil, err
	}
	return &pgRows{Rows: r}, nil
}

// prepare relies on pgx's statement cache, which prepares a query text on
// first use and reuses it.
func (t *pgTx) prepare(_ context.Context, q string) (stmt, error) {
	return pgStmt{t: t, q: q}, nil
}

type pgStmt struct {
	t *pgTx
	q string
}

func (s pgStmt) exec(ctx context.Context, args ...any) error { return s.t.exec(ctx, s.q, args...) }

func (t *pgTx) done() {
	if t.unlock != nil {
		t.unlock()
		t.unlock = nil
	}
}

func (t *pgTx) commit(ctx context.Context) error {
	defer t.done()
	return t.tx.Commit(ctx)
}

func (t *pgTx) rollback(ctx context.Context) error {
	defer t.done()
	// A rollback must run even when ctx is already cancelled.
	return t.tx.Rollback(context.WithoutCancel(ctx))
}
