package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
	"github.com/demarc-sec/demarc/internal/report"
	"github.com/demarc-sec/demarc/internal/store"
)

type diffOptions struct {
	db      string
	account string
	output  string
	failOn  string
}

func newDiffCommand(g *globalOptions) *cobra.Command {
	o := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff [OLD [NEW]]",
		Short: "Show what changed between two recorded scans: new, resolved, still failing",
		Long: `Diff compares two recorded scans of one account, matching findings by their
fingerprint (rule, account, resource, region), so a reworded message is not a
change:

  NEW            FAIL now, and not FAIL in the older scan (absent, PASS or UNKNOWN)
  RESOLVED       FAIL before, PASS now; or the resource is no longer reported
                 although the same rule ran over the same region
  UNKNOWN        FAIL before, and demarc cannot tell now: the result is UNKNOWN,
                 or the region or rule was not evaluated, or the scan was
                 interrupted. Never counted as resolved.
  STILL FAILING  FAIL in both

With no argument, the two newest scans of an account (--account, else the
account of the newest scan). With one, that scan against the newest scan of
the same account. Scan IDs are listed by 'demarc history'.

Examples:
  demarc diff
  demarc diff --account 111122223333 --fail-on high
  demarc diff 41 57 --output json

` + storeHelp + `

` + exitHelp,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDiff(cmd.Context(), g, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.db, "db", "", "store: a SQLite file or a postgres:// URL (default: $DEMARC_DB, else the user data directory)")
	f.StringVar(&o.account, "account", "", "compare the two newest scans of this AWS account ID")
	f.StringVar(&o.output, "output", "table", "table or json")
	f.StringVar(&o.failOn, "fail-on", "", "exit 1 when a NEW unsuppressed FAIL at or above this severity exists: critical, high, medium, low, info")
	return cmd
}

func runDiff(ctx context.Context, g *globalOptions, o *diffOptions, args []string) error {
	if o.output != "table" && o.output != "json" {
		return UsageErr(fmt.Errorf("--output %q: want table or json", o.output))
	}
	var failOn checks.Severity
	if o.failOn != "" {
		s, err := checks.ParseSeverity(o.failOn)
		if err != nil {
			return UsageErr(fmt.Errorf("--fail-on: %w", err))
		}
		failOn = s
	}
	ids := make([]int64, len(args))
	for i, a := range args {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			return UsageErr(fmt.Errorf("scan ID %q: want a number from 'demarc history'", a))
		}
		ids[i] = id
	}
	if len(ids) > 0 && o.account != "" {
		return UsageErr(errors.New("--account selects the scans; do not also give scan IDs"))
	}
	st, where, err := openStore(ctx, o.db, true)
	if err != nil {
		return err
	}
	if st == nil {
		return UsageErr(fmt.Errorf("no scans recorded in %s: run 'demarc scan' first", where))
	}
	defer st.Close()
	from, to, err := pickScans(ctx, st, o.account, ids)
	if err != nil {
		return err
	}
	d, err := store.DiffScans(ctx, st, from.ID, to.ID)
	if err != nil {
		return err
	}
	if err := writeDiff(g.stdout, d, o.output); err != nil {
		return err
	}
	if failOn != "" {
		for _, e := range d.New {
			if !e.Suppressed && e.Severity.Rank() >= failOn.Rank() {
				return FindingsErr(fmt.Errorf("new FAIL at or above %s", failOn))
			}
		}
	}
	return nil
}

// pickScans resolves the OLD and NEW scans from the arguments (see the
// command's help). Not-found scans are usage errors: the user named them.
func pickScans(ctx context.Context, st store.Store, account string, ids []int64) (store.Scan, store.Scan, error) {
	usage := func(err error) (store.Scan, store.Scan, error) {
		if errors.Is(err, store.ErrNotFound) {
			return store.Scan{}, store.Scan{}, UsageErr(err)
		}
		return store.Scan{}, store.Scan{}, err
	}
	switch len(ids) {
	case 0:
		to, err := store.Latest(ctx, st, account)
		if err != nil {
			return usage(err)
		}
		from, err := store.Previous(ctx, st, to)
		if err != nil {
			return usage(fmt.Errorf("account %s has only one scan (%d): %w", to.AccountID, to.ID, err))
		}
		return from, to, nil
	case 1:
		from, err := st.Scan(ctx, ids[0])
		if err != nil {
			return usage(err)
		}
		to, err := store.Latest(ctx, st, from.AccountID)
		if err != nil {
			return usage(err)
		}
		if to.ID == from.ID {
			return store.Scan{}, store.Scan{}, UsageErr(fmt.Errorf("scan %d is the newest of account %s: give an older scan, or two IDs", from.ID, from.AccountID))
		}
		return from, to, nil
	default:
		from, err := st.Scan(ctx, ids[0])
		if err != nil {
			return usage(err)
		}
		to, err := st.Scan(ctx, ids[1])
		if err != nil {
			return usage(err)
		}
		if from.AccountID != to.AccountID {
			return store.Scan{}, store.Scan{}, UsageErr(fmt.Errorf("scans %d and %d are of different accounts (%s, %s): findings match by account, so nothing would compare",
				from.ID, to.ID, from.AccountID, to.AccountID))
		}
		return from, to, nil
	}
}

// diffJSON is the --output json document of diff (and scan --since-last).
type diffJSON struct {
	From         store.Scan        `json:"from"`
	To           store.Scan        `json:"to"`
	Counts       map[string]int    `json:"counts"`
	New          []store.DiffEntry `json:"new"`
	Resolved     []store.DiffEntry `json:"resolved"`
	Unknown      []store.DiffEntry `json:"unknown"`
	StillFailing []store.DiffEntry `json:"still_failing"`
}

// writeDiff renders a diff as a table or JSON. scan --since-last uses it
// too.
func writeDiff(w io.Writer, d store.Diff, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(diffJSON{
			From: d.From, To: d.To,
			Counts: map[string]int{"new": len(d.New), "resolved": len(d.Resolved), "unknown": len(d.Unknown),
				"still_failing": len(d.StillFailing)},
			New: d.New, Resolved: d.Resolved, Unknown: d.Unknown, StillFailing: d.StillFailing,
		})
	}
	when := func(s store.Scan) string {
		id := "scan " + strconv.FormatInt(s.ID, 10)
		if s.ID == 0 {
			id = "this scan"
		}
		return id + " (" + s.CollectedAt.UTC().Format("2006-01-02 15:04 UTC") + ")"
	}
	fmt.Fprintf(w, "demarc diff: %s -> %s, account %s\n", when(d.From), when(d.To), report.SanitizeLine(d.To.AccountID))
	fmt.Fprintf(w, "%d new, %d resolved, %d unknown, %d still failing\n",
		len(d.New), len(d.Resolved), len(d.Unknown), len(d.StillFailing))
	if d.From.RuleSetVersion != d.To.RuleSetVersion {
		fmt.Fprintf(w, "note: the rule set changed (%s -> %s); some changes may come from the rules, not the account\n",
			report.SanitizeLine(d.From.RuleSetVersion), report.SanitizeLine(d.To.RuleSetVersion))
	}
	groups := []struct {
		title string
		es    []store.DiffEntry
	}{
		{"NEW (FAIL now)", d.New},
		{"RESOLVED", d.Resolved},
		{"UNKNOWN (cannot tell; not resolved)", d.Unknown},
		{"STILL FAILING", d.StillFailing},
	}
	for _, g := range groups {
		if len(g.es) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s: %d\n", g.title, len(g.es))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SEVERITY\tRULE\tREGION\tRESOURCE\tWAS\tNOW\tDETAIL")
		for _, e := range g.es {
			detail := e.Message
			if e.Reason != "" {
				detail = e.Reason
			}
			detail = report.SanitizeLine(detail)
			if e.Suppressed {
				detail += " [suppressed: " + report.SanitizeLine(e.SuppressReason) + "]"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Severity, report.SanitizeLine(e.RuleID),
				report.SanitizeLine(e.Region), report.SanitizeLine(e.ResourceARN), statusOrDash(e.Previous),
				statusOrDash(e.Current), detail)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func statusOrDash(s checks.Status) string {
	if s == "" {
		return "-"
	}
	return string(s)
}

// sinceLast compares a scan that has just run with the newest recorded scan
// of the same account collected before it (scan --since-last). found is
// false when there is none.
func sinceLast(ctx context.Context, st store.Store, cur store.Scan, findings []engine.Finding) (d store.Diff, found bool, err error) {
	var prev store.Scan
	if cur.ID != 0 {
		prev, err = store.Previous(ctx, st, cur)
	} else {
		// Not recorded (--no-store): the newest recorded scan is the last.
		prev, err = store.Latest(ctx, st, cur.AccountID)
	}
	if errors.Is(err, store.ErrNotFound) {
		return store.Diff{}, false, nil
	}
	if err != nil {
		return store.Diff{}, false, err
	}
	old, err := store.LoadFindings(ctx, st, prev.ID)
	if err != nil {
		return store.Diff{}, false, err
	}
	return store.Compare(prev, cur, old, findings), true, nil
}
