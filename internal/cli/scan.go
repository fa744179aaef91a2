package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
	"github.com/demarc-sec/demarc/internal/frameworks"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/report"
	"github.com/demarc-sec/demarc/internal/responsibility"
	"github.com/demarc-sec/demarc/internal/store"
	"github.com/demarc-sec/demarc/internal/suppress"
	"github.com/demarc-sec/demarc/internal/web"
)

type scanOptions struct {
	aws          awsOptions
	snapshot     string
	saveSnapshot string
	outputs      []string
	outputFile   string
	failOn       string
	showPass     bool
	frameworks   []string
	config       configOptions
	db           string
	noStore      bool
	ignore       string
	sinceLast    bool
}

func newScanCommand(g *globalOptions) *cobra.Command {
	o := &scanOptions{}
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Scan an account (live or from a snapshot) and report the customer's side",
		Long: `Scan evaluates every rule over an AWS account: live (read-only collection with
the standard credential chain) or offline from a snapshot written by
'demarc collect'. Results are PASS, FAIL or UNKNOWN (with the reason a value
could not be read) per resource.

Every scan is recorded in the findings store (SQLite in your data directory,
or --db FILE / postgres://…) unless --no-store; 'demarc history' and
'demarc diff' read it. Suppressions come from .demarc-ignore.yaml (or
--ignore FILE): suppressed results stay in the output, marked, and never
trigger --fail-on.

Examples:
  demarc scan --snapshot examples/example-misconfigured-account.json.gz
  demarc scan --profile prod --region eu-west-1,eu-central-1 --output json
  demarc scan --role-arn arn:aws:iam::111122223333:role/audit --fail-on high
  demarc scan --output table --output sarif=demarc.sarif --output html=report.html

` + exitHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runScan(cmd, g, o)
		},
	}
	o.aws.AddFlags(cmd.Flags())
	o.config.AddFlags(cmd.Flags())
	f := cmd.Flags()
	f.StringVar(&o.snapshot, "snapshot", "", "evaluate this snapshot file instead of collecting")
	f.StringVar(&o.saveSnapshot, "save-snapshot", "", "also write the collected snapshot to this file")
	f.StringArrayVar(&o.outputs, "output", nil, "output formats, comma-separated or repeated: "+strings.Join(report.Formats(), ", ")+
		" (default table); FORMAT=FILE writes that format to FILE")
	f.StringVar(&o.outputFile, "output-file", "", "write the output to this file; with several formats a base name (FILE.json, FILE.sarif, …)")
	f.StringVar(&o.failOn, "fail-on", "", "exit 1 when an unsuppressed FAIL at or above this severity exists: critical, high, medium, low, info (default: off)")
	f.BoolVar(&o.showPass, "show-pass", false, "table output: list PASS results too")
	f.StringSliceVar(&o.frameworks, "framework", nil, "also report per-control status and score for these frameworks: cis-aws-5.0, aws-fsbp")
	f.StringVar(&o.db, "db", "", "findings store: SQLite file or postgres:// URL (default $DEMARC_DB, else the user data directory)")
	f.BoolVar(&o.noStore, "no-store", false, "do not record this scan in the store")
	f.StringVar(&o.ignore, "ignore", "", "suppression file (default ./"+suppress.DefaultFile+" if present)")
	f.BoolVar(&o.sinceLast, "since-last", false, "print only what changed since the previous recorded scan of this account")
	return cmd
}

func runScan(cmd *cobra.Command, g *globalOptions, o *scanOptions) error {
	ctx := cmd.Context()
	// Every usage error is found before any AWS call.
	var failOn checks.Severity
	if o.failOn != "" {
		s, err := checks.ParseSeverity(o.failOn)
		if err != nil {
			return UsageErr(fmt.Errorf("--fail-on: %w", err))
		}
		failOn = s
	}
	specs, err := report.ParseOutputs(o.outputs, o.outputFile)
	if err != nil {
		return UsageErr(err)
	}
	reg, _, err := o.config.registry()
	if err != nil {
		return err
	}
	sup, err := suppress.Load(o.ignore)
	if err != nil {
		return UsageErr(err)
	}
	if bad := sup.UnknownRules(reg); len(bad) > 0 {
		return UsageErr(fmt.Errorf("%s: suppression names rule %q, which does not exist", sup.Path, bad[0].RuleID))
	}
	var fws []*frameworks.Framework
	for _, k := range o.frameworks {
		fw, err := frameworks.Load(k)
		if err != nil {
			return UsageErr(fmt.Errorf("--framework: %w", err))
		}
		fws = append(fws, fw)
	}
	if o.snapshot != "" && o.saveSnapshot != "" {
		return UsageErr(errors.New("--save-snapshot needs a live scan, not --snapshot"))
	}

	var (
		snap       *model.Snapshot
		collectErr error
	)
	if o.snapshot != "" {
		if snap, err = loadSnapshot(o.snapshot); err != nil {
			return err
		}
	} else {
		s, err := collectLive(ctx, g, &o.aws)
		if s == nil {
			return err
		}
		snap, collectErr = s, err
		if o.saveSnapshot != "" {
			if err := model.Save(o.saveSnapshot, snap); err != nil {
				return err
			}
		}
	}

	findings := engine.Run(snap, reg)
	suprep := sup.Apply(findings, time.Now())
	for _, e := range suprep.Expired {
		fmt.Fprintf(g.stderr, "demarc: suppression %s in %s has expired: %d results are reported again\n",
			report.SanitizeLine(e.Entry.String()), sup.Path, e.Findings)
	}
	sum := engine.Summarize(findings, len(reg.Rules()))
	meta := report.ScanMeta{
		ToolVersion: Version, AccountID: snap.AccountID, Partition: snap.Partition, Regions: snap.Regions,
		CollectedAt: snap.CollectedAt, Partial: snap.Partial, Errors: snap.Errors,
	}
	var fwReports []frameworks.Report
	for _, fw := range fws {
		fwReports = append(fwReports, frameworks.Evaluate(fw, reg.Rules(), findings))
	}
	if len(fwReports) > 0 {
		meta.Frameworks = fwReports
	}
	m, err := responsibility.Build(snap, reg.Rules(), findings)
	if err != nil {
		return err
	}
	meta.Responsibility = m

	// Record the scan (interrupted ones too: they are marked partial).
	st, storeErr := o.openStore(ctx, g)
	if st != nil {
		defer st.Close()
	}
	cur := scanRecord(meta, reg)
	if st != nil && !o.noStore {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		saved, err := st.SaveScan(sctx, cur, findings)
		cancel()
		if err != nil {
			storeErr = fmt.Errorf("record scan in the store: %w", err)
		} else {
			cur = saved
			// The dashboard's graphs, matrix and inventory (demarc serve).
			if arts, ok := store.Artifacts(st); ok {
				actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
				if err := web.RecordAnalyses(actx, store.ScanArtifacts(arts, saved.ID), snap, reg.Rules(), findings); err != nil {
					fmt.Fprintf(g.stderr, "demarc: warning: dashboard analyses not recorded: %v\n", err)
				}
				cancel()
			}
		}
	}

	// --since-last replaces the stdout report with the diff; files stay complete.
	diffFormat := ""
	if o.sinceLast {
		var kept []report.OutputSpec
		for _, sp := range specs {
			if sp.Stdout() {
				diffFormat = "table"
				if sp.Format == "json" {
					diffFormat = "json"
				}
				continue
			}
			kept = append(kept, sp)
		}
		specs = kept
		if diffFormat == "" {
			diffFormat = "table"
		}
	}
	color := !g.noColor && isTerminal(g.stdout)
	out, err := report.OpenOutputs(specs, g.stdout, meta, report.Options{
		Color: color, ShowPass: o.showPass, Rules: reg,
		TableFooter: func(w io.Writer) error {
			for _, fr := range fwReports {
				if err := writeFrameworkTable(w, fr); err != nil {
					return err
				}
			}
			return nil
		},
	})
	if err != nil {
		return err
	}
	if err := report.WriteAll(out, findings, sum); err != nil {
		out.Abort()
		return err
	}
	if o.sinceLast {
		if st == nil {
			fmt.Fprintln(g.stderr, "demarc: --since-last: no findings store to compare with")
		} else {
			d, found, err := sinceLast(ctx, st, cur, findings)
			if err != nil {
				return fmt.Errorf("--since-last: %w", err)
			}
			if !found {
				fmt.Fprintf(g.stderr, "demarc: --since-last: no earlier scan of account %s is recorded\n", snap.AccountID)
			}
			if err := writeDiff(g.stdout, d, diffFormat); err != nil {
				return err
			}
		}
	}
	if collectErr != nil {
		return collectErr
	}
	if storeErr != nil {
		return storeErr
	}
	if failOn != "" && engine.FailsAtOrAbove(findings, failOn) {
		return FindingsErr(fmt.Errorf("FAIL at or above %s", failOn))
	}
	return nil
}

// openStore opens the findings store for this scan. With the default
// location, a store that cannot be opened is a warning, not a failed scan
// (read-only home directories, sandboxes); a store chosen with --db or
// $DEMARC_DB must work.
func (o *scanOptions) openStore(ctx context.Context, g *globalOptions) (store.Store, error) {
	if o.noStore && !o.sinceLast {
		return nil, nil
	}
	st, where, err := openStore(ctx, o.db, o.noStore)
	if err == nil {
		return st, nil
	}
	if o.db == "" && os.Getenv("DEMARC_DB") == "" {
		fmt.Fprintf(g.stderr, "demarc: warning: scan not recorded: findings store %s: %v\n", report.SanitizeLine(where), err)
		return nil, nil
	}
	return nil, err
}

// writeFrameworkTable prints one framework's per-control status and score.
func writeFrameworkTable(w io.Writer, r frameworks.Report) error {
	fmt.Fprintf(w, "\n%s %s: score %.1f%% (%d PASS, %d FAIL, %d UNKNOWN, %d MANUAL, %d NOT_IMPLEMENTED, %d NO_RESOURCES)\n",
		r.Name, r.Version, r.Score, r.Summary[frameworks.StatusPass], r.Summary[frameworks.StatusFail],
		r.Summary[frameworks.StatusUnknown], r.Summary[frameworks.StatusManual],
		r.Summary[frameworks.StatusNotImplemented], r.Summary[frameworks.StatusNoResources])
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTROL\tSTATUS\tFAIL\tUNKNOWN\tPASS\tTITLE")
	for _, c := range r.Controls {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\n", c.ID, c.Status, c.Counts["FAIL"], c.Counts["UNKNOWN"],
			c.Counts["PASS"], report.SanitizeLine(c.Title))
	}
	return tw.Flush()
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
