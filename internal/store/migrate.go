package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// migration is one step of the schema. Steps are never edited once
// released: a change is a new step. Both backends run the same statements,
// with {{ID}} and {{TIME}} expanded per dialect.
type migration struct {
	version int
	name    string
	stmts   []string
}

// migrations is the schema's history, in order.
//
// Changelog:
//
//	1: scans, rules, findings.
//	2: scan_artifacts (per-scan analysis documents; artifacts.go).
var migrations = []migration{
	{1, "scans, rules, findings", []string{
		`CREATE TABLE scans (
			id {{ID}},
			account_id TEXT NOT NULL,
			partition TEXT NOT NULL,
			regions TEXT NOT NULL,
			collected_at {{TIME}} NOT NULL,
			recorded_at {{TIME}} NOT NULL,
			tool_version TEXT NOT NULL,
			ruleset_version TEXT NOT NULL,
			partial BOOLEAN NOT NULL,
			coverage TEXT NOT NULL,
			total INTEGER NOT NULL,
			pass INTEGER NOT NULL,
			fail INTEGER NOT NULL,
			unknown INTEGER NOT NULL,
			manual INTEGER NOT NULL,
			suppressed INTEGER NOT NULL,
			summary TEXT NOT NULL
		)`,
		`CREATE INDEX scans_account ON scans (account_id, collected_at, id)`,
		`CREATE TABLE rules (
			id {{ID}},
			digest TEXT NOT NULL UNIQUE,
			rule_id TEXT NOT NULL,
			title TEXT NOT NULL,
			service TEXT NOT NULL,
			severity TEXT NOT NULL,
			responsibility TEXT NOT NULL,
			frameworks TEXT NOT NULL
		)`,
		`CREATE TABLE findings (
			scan_id BIGINT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
			seq INTEGER NOT NULL,
			rule_ref BIGINT NOT NULL REFERENCES rules (id),
			status TEXT NOT NULL,
			resource_arn TEXT NOT NULL,
			region TEXT NOT NULL,
			account_id TEXT NOT NULL,
			message TEXT NOT NULL,
			fingerprint TEXT NOT NULL,
			suppressed BOOLEAN NOT NULL,
			suppression_reason TEXT NOT NULL,
			PRIMARY KEY (scan_id, seq)
		)`,
		`CREATE INDEX findings_fingerprint ON findings (scan_id, fingerprint)`,
	}},
	{2, "scan artifacts", artifactsMigration},
}

// SchemaVersion is the newest schema this demarc knows.
func SchemaVersion() int { return migrations[len(migrations)-1].version }

// ErrNewerSchema means the store was migrated by a newer demarc.
var ErrNewerSchema = errors.New("the store was written by a newer demarc")

// ErrNotAStore means the database has tables but is not a demarc store.
var ErrNotAStore = errors.New("the database is not a demarc store")

// migrate brings the schema up to date, in one transaction.
func migrate(ctx context.Context, b backend) error {
	d := b.dialect()
	// Refuse, before writing anything, a database that holds other tables
	// but was never a demarc store (a --db pointing at the wrong file).
	has, err := hasMigrationsTable(ctx, b, d)
	if err != nil {
		return err
	}
	if !has {
		n, err := countForeignTables(ctx, b, d)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: it has tables but no demarc schema version", ErrNotAStore)
		}
	}
	if err := b.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	tx, err := b.begin(ctx)
	if err != nil {
		return fmt.Errorf("begin migration: %w", err)
	}
	defer tx.rollback(ctx)
	if d.lockMigrations != "" {
		if err := tx.exec(ctx, d.lockMigrations); err != nil {
			return fmt.Errorf("lock migrations: %w", err)
		}
	}
	current, err := queryInt(ctx, tx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > SchemaVersion() {
		return fmt.Errorf("%w (schema %d, this demarc knows %d): upgrade demarc", ErrNewerSchema, current, SchemaVersion())
	}
	if current == 0 {
		// A fresh schema_migrations in a database that already has our
		// tables (or any others we would collide with) is not ours.
		n, err := countForeignTables(ctx, tx, d)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: it has tables but no demarc schema version", ErrNotAStore)
		}
	}
	for _, m := range migrations {
		if m.version <= current {
			continue
		}
		for _, s := range m.stmts {
			if err := tx.exec(ctx, d.ddl(s)); err != nil {
				return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
			}
		}
		if err := tx.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.version, m.name, time.Now().UTC().Format(time.RFC3339)); err != nil {
			return fmt.Errorf("record migration %d: %w", m.version, err)
		}
	}
	if err := tx.commit(ctx); err != nil {
		return fmt.Errorf("commit migration: %w", err)
	}
	return nil
}

func hasMigrationsTable(ctx context.Context, q execQuerier, d dialect) (bool, error) {
	query := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	if d.name != "sqlite" {
		query = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'`
	}
	n, err := queryInt(ctx, q, query)
	if err != nil {
		return false, fmt.Errorf("inspect database: %w", err)
	}
	return n > 0, nil
}

// countForeignTables counts the tables other than schema_migrations in the
// store's namespace.
func countForeignTables(ctx context.Context, q execQuerier, d dialect) (int, error) {
	var query string
	if d.name == "sqlite" {
		query = `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'`
	} else {
		query = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('scans', 'rules', 'findings')`
	}
	n, err := queryInt(ctx, q, query)
	if err != nil {
		return 0, fmt.Errorf("inspect database: %w", err)
	}
	return n, nil
}

func queryInt(ctx context.Context, q execQuerier, query string, args ...any) (int, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int64
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
	}
	return int(n), rows.Err()
}
