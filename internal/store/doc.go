// Package store records scans and their findings so that demarc can show
// history and what changed between two scans.
//
// Two backends share one schema and one list of versioned migrations:
//
//   - SQLite (modernc.org/sqlite, pure Go), the default: one file under the
//     user's data directory, WAL journal, a busy timeout so concurrent
//     demarc runs wait instead of failing;
//   - PostgreSQL (pgx), selected by a postgres:// or postgresql:// DSN, for
//     teams that keep a fleet of accounts in one place.
//
// Every scan is written in one transaction (Begin … Add … Commit): a crash,
// a kill or a cancelled context leaves the store exactly as it was before
// the scan, never half a scan. The migrations run in a transaction too and
// refuse a store whose schema is newer than this demarc knows.
//
// Findings are stored per scan with the fields of engine.Finding; a rule's
// metadata (title, service, severity, responsibility, frameworks) is stored
// once per distinct value in a rules table, so a 200k-finding scan does not
// repeat it 200k times. docs/store.md describes the tables.
package store
