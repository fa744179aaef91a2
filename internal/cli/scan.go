package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
	"github.com/demarc-sec/demarc/internal/frameworks"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/report"
	"github.com/demarc-sec/demarc/internal/responsibility"
)

type scanOptions struct {
	aws          awsOptions
	snapshot     string
	saveSnapshot string
	output       string
	outputFile   string
	failOn       string
	showPass     bool
	frameworks   []string
	config       configOptions
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

Examples:
  demarc scan --snapshot examples/misconfigured-account.json.gz
  demarc scan --profile prod --region eu-west-1,eu-central-1 --output json
  demarc scan --role-arn arn:aws:iam::111122223333:role/audit --fail-on high

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
	f.StringVar(&o.output, "output", "table", "output format: table or json")
	f.StringVar(&o.outputFile, "output-file", "", "write the report to this file instead of stdout")
	f.StringVar(&o.failOn, "fail-on", "", "exit 1 when a FAIL at or above this severity exists: critical, high, medium, low, info (default: off)")
	f.BoolVar(&o.showPass, "show-pass", false, "table output: list PASS results too")
	f.StringSliceVar(&o.frameworks, "framework", nil, "also report per-control status and score for these frameworks: cis-aws-5.0, aws-fsbp")
	return cmd
}

func runScan(cmd *cobra.Command, g *globalOptions, o *scanOptions) error {
	var failOn checks.Severity
	if o.failOn != "" {
		s, err := checks.ParseSeverity(o.failOn)
		if err != nil {
			return UsageErr(fmt.Errorf("--fail-on: %w", err))
		}
		failOn = s
	}
	if o.output != "table" && o.output != "json" {
		return UsageErr(fmt.Errorf("--output %q: want table or json", o.output))
	}
	reg, _, err := o.config.registry()
	if err != nil {
		return err
	}
	var fws []*frameworks.Framework
	for _, k := range o.frameworks {
		fw, err := frameworks.Load(k)
		if err != nil {
			return UsageErr(fmt.Errorf("--framework: %w", err))
		}
		fws = append(fws, fw)
	}
	var (
		snap       *model.Snapshot
		collectErr error
	)
	if o.snapshot != "" {
		if o.saveSnapshot != "" {
			return UsageErr(errors.New("--save-snapshot needs a live scan, not --snapshot"))
		}
		s, err := loadSnapshot(o.snapshot)
		if err != nil {
			return err
		}
		snap = s
	} else {
		s, err := collectLive(cmd.Context(), g, &o.aws)
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
	if o.output == "json" {
		m, err := responsibility.Build(snap, reg.Rules(), findings)
		if err != nil {
			return err
		}
		meta.Responsibility = m
	}

	var w io.Writer = g.stdout
	color := !g.noColor && isTerminal(g.stdout)
	if o.outputFile != "" {
		f, err := os.Create(o.outputFile)
		if err != nil {
			return fmt.Errorf("create report file: %w", err)
		}
		defer f.Close()
		w, color = f, false
	}
	switch o.output {
	case "json":
		err = report.WriteJSON(w, meta, sum, findings)
	default:
		err = report.WriteTable(w, meta, sum, findings, report.TableOptions{Color: color, ShowPass: o.showPass})
		for _, fr := range fwReports {
			if err == nil {
				err = writeFrameworkTable(w, fr)
			}
		}
	}
	if err != nil {
		return err
	}
	if collectErr != nil {
		return collectErr
	}
	if failOn != "" && engine.FailsAtOrAbove(findings, failOn) {
		return FindingsErr(fmt.Errorf("FAIL at or above %s", failOn))
	}
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
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
