package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
	"github.com/demarc-sec/demarc/internal/report"
	"github.com/demarc-sec/demarc/internal/store"
)

// storeHelp explains --db; shared by every command that uses the store.
const storeHelp = `STORE
  Scans are recorded in a SQLite file: --db PATH, else $DEMARC_DB, else
  $XDG_DATA_HOME/demarc/demarc.db (~/.local/share/demarc/demarc.db; the
  per-user application-data directory on macOS and Windows). A
  postgres://USER@HOST/DB URL (--db or $DEMARC_DB) uses PostgreSQL instead.`

type historyOptions struct {
	db      string
	account string
	limit   int
	output  string
}

func newHistoryCommand(g *globalOptions) *cobra.Command {
	o := &historyOptions{}
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List recorded scans, newest first",
		Long: `History lists the scans recorded in the store, newest first (by the time the
account was read): account, regions, counts, what could not be read (GAPS),
and the demarc and rule-set versions, so a change in the rules can be told
from a change in the account.

Examples:
  demarc history
  demarc history --account 111122223333 --limit 5
  demarc history --db postgres://demarc@db.internal/demarc --output json

` + storeHelp + `

` + exitHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runHistory(cmd.Context(), g, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.db, "db", "", "store: a SQLite file or a postgres:// URL (default: $DEMARC_DB, else the user data directory)")
	f.StringVar(&o.account, "account", "", "only scans of this AWS account ID")
	f.IntVar(&o.limit, "limit", 20, "show at most this many scans (0: all)")
	f.StringVar(&o.output, "output", "table", "table or json")
	return cmd
}

func runHistory(ctx context.Context, g *globalOptions, o *historyOptions) error {
	if o.output != "table" && o.output != "json" {
		return UsageErr(fmt.Errorf("--output %q: want table or json", o.output))
	}
	if o.limit < 0 {
		return UsageErr(errors.New("--limit must be 0 or more"))
	}
	st, where, err := openStore(ctx, o.db, true)
	if err != nil {
		return err
	}
	var scans []store.Scan
	if st != nil {
		defer st.Close()
		scans, err = st.Scans(ctx, store.Filter{AccountID: o.account, Limit: o.limit})
		if err != nil {
			return err
		}
	}
	if scans == nil {
		scans = []store.Scan{}
	}
	if o.output == "json" {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Store string       `json:"store"`
			Scans []store.Scan `json:"scans"`
		}{redactDSN(where), scans})
	}
	return writeHistoryTable(g.stdout, redactDSN(where), scans)
}

func writeHistoryTable(w io.Writer, where string, scans []store.Scan) error {
	if len(scans) == 0 {
		_, err := fmt.Fprintf(w, "no scans recorded in %s\n", report.SanitizeLine(where))
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCOLLECTED (UTC)\tACCOUNT\tREGIONS\tFAIL\tUNKNOWN\tMANUAL\tPASS\tSUPPRESSED\tGAPS\tDEMARC\tRULES")
	for _, s := range scans {
		partial := ""
		if s.Partial {
			partial = " PARTIAL"
		}
		by := s.Summary.ByStatus
		fmt.Fprintf(tw, "%d\t%s%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", s.ID,
			s.CollectedAt.UTC().Format("2006-01-02 15:04"), partial, report.SanitizeLine(s.AccountID),
			report.SanitizeLine(regionList(s.Regions)), by["FAIL"], by["UNKNOWN"], by["MANUAL"], by["PASS"],
			s.Summary.Suppressed, len(s.Coverage), report.SanitizeLine(s.ToolVersion), report.SanitizeLine(s.RuleSetVersion))
	}
	return tw.Flush()
}

// regionList shows up to three regions, then a count.
func regionList(rs []string) string {
	if len(rs) <= 3 {
		return strings.Join(rs, ",")
	}
	return strings.Join(rs[:3], ",") + ",+" + strconv.Itoa(len(rs)-3)
}

// openStore opens the store selected by --db, $DEMARC_DB or the default
// path, and returns it with a description of where it is. With readOnly,
// a SQLite file that does not exist yet is not created: the store is nil
// (nothing has been recorded), so history and diff never leave files
// behind. Errors map to exit codes: a store from a newer demarc or a file
// that is not a store is unreadable input (3).
func openStore(ctx context.Context, flag string, readOnly bool) (store.Store, string, error) {
	dsn, err := store.ResolveDSN(flag)
	if err != nil {
		return nil, "", UsageErr(err)
	}
	if readOnly && !store.IsPostgres(dsn) {
		path := strings.TrimPrefix(dsn, "sqlite:")
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, path, nil
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		if errors.Is(err, store.ErrNewerSchema) || errors.Is(err, store.ErrNotAStore) {
			return nil, dsn, InputErr(fmt.Errorf("%s: %w", redactDSN(dsn), err))
		}
		return nil, dsn, err
	}
	return st, dsn, nil
}

// redactDSN hides a password in a postgres:// URL.
func redactDSN(dsn string) string {
	if !store.IsPostgres(dsn) {
		return dsn
	}
	i := strings.Index(dsn, "://")
	at := strings.LastIndex(dsn, "@")
	if i < 0 || at < i {
		return dsn
	}
	userinfo := dsn[i+3 : at]
	if u, _, ok := strings.Cut(userinfo, ":"); ok {
		return dsn[:i+3] + u + ":xxxxx" + dsn[at:]
	}
	return dsn
}

// scanRecord describes a scan that has just run, for store.SaveScan and
// sinceLast.
func scanRecord(meta report.ScanMeta, reg *checks.Registry) store.Scan {
	return store.Scan{
		AccountID:      meta.AccountID,
		Partition:      meta.Partition,
		Regions:        meta.Regions,
		CollectedAt:    meta.CollectedAt,
		ToolVersion:    meta.ToolVersion,
		RuleSetVersion: store.RuleSetVersion(reg),
		Partial:        meta.Partial,
		Coverage:       meta.Errors,
		Summary:        engine.Summary{RulesRun: len(reg.Rules())},
	}
}
