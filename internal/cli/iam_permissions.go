package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	iameval "github.com/demarc-sec/demarc/internal/analyze/iam"
	"github.com/demarc-sec/demarc/internal/iamdata"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/report"
)

type iamPermissionsOptions struct {
	snapshot   string
	context    []string
	output     string
	unusedDays int
	actions    bool
}

func newIAMPermissionsCommand(g *globalOptions) *cobra.Command {
	o := &iamPermissionsOptions{}
	cmd := &cobra.Command{
		Use:   "permissions --snapshot S ARN",
		Short: "Show a principal's effective permissions by service and access level",
		Long: `Show what an IAM user, role (or role session) or the root user may do, from a
demarc snapshot: every catalogued AWS action its identity policies could allow
is decided by the IAM engine (permissions boundary, SCPs, explicit denies and
conditions included) on resource "*", then on the resource patterns its
statements name. Results are grouped by service and access level (List, Read,
Write, Permissions management, Tagging).

Flags in the answer:
  admin-equivalent    allowed everything the organization's SCPs leave to an
                      administrator in its place, or every IAM permissions-
                      management action on "*" (it can grant itself the rest)
  sensitive actions   granted Permissions-management actions and selected Write
                      actions (credentials, code execution, logging off)
  unused-but-granted  the sensitive actions of a principal the snapshot shows
                      unused for --unused-days (RoleLastUsed; console password
                      and access-key last use). Service last-accessed data is
                      not collected, so for a principal in use demarc cannot
                      say which granted actions it uses.

Grants needing request conditions (source IP, MFA, …) are marked conditional.
Resource policies can grant more on single resources: see "demarc iam who-can".

Examples:
  demarc iam permissions --snapshot snap.json.gz arn:aws:iam::111122223333:role/deploy
  demarc iam permissions --snapshot snap.json.gz arn:aws:iam::111122223333:user/alice --output json

` + exitHelp,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runIAMPermissions(g, o, args) },
	}
	f := cmd.Flags()
	f.StringVar(&o.snapshot, "snapshot", "", "demarc snapshot to evaluate (required)")
	f.StringArrayVar(&o.context, "context", nil, "known request context key=value (repeatable)")
	f.StringVar(&o.output, "output", "text", "output format: text or json")
	f.IntVar(&o.unusedDays, "unused-days", 90, "a principal inactive this many days is unused")
	f.BoolVar(&o.actions, "actions", false, "text output: list every allowed action")
	return cmd
}

// permissionsJSON is the --output json answer.
type permissionsJSON struct {
	*iameval.Permissions
	Catalogue string `json:"catalogue_version"`
	Complete  bool   `json:"complete"`
}

func runIAMPermissions(g *globalOptions, o *iamPermissionsOptions, args []string) error {
	if err := checkOutput(o.output); err != nil {
		return err
	}
	if len(args) != 1 {
		return UsageErr(fmt.Errorf("want one principal ARN, got %d argument(s)", len(args)))
	}
	if o.snapshot == "" {
		return UsageErr(errors.New("--snapshot is required"))
	}
	if o.unusedDays <= 0 {
		return UsageErr(fmt.Errorf("--unused-days %d: want a positive number of days", o.unusedDays))
	}
	ctx, err := parseContextFlags(o.context)
	if err != nil {
		return UsageErr(err)
	}
	snap, err := model.Load(o.snapshot)
	if err != nil {
		return InputErr(err)
	}
	p, err := iameval.NewAccount(snap).Permissions(snap, args[0], iameval.PermissionsOptions{Context: ctx, UnusedDays: o.unusedDays})
	if err != nil {
		return InputErr(fmt.Errorf("permissions from snapshot %s: %w", o.snapshot, err))
	}
	if o.output == "json" {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(permissionsJSON{Permissions: p, Catalogue: iamdata.Version(), Complete: len(p.Unknowns) == 0})
	}
	return writePermissionsText(g.stdout, p, o.actions)
}

func writePermissionsText(w io.Writer, p *iameval.Permissions, listActions bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)\n", report.SanitizeLine(p.Principal), p.Type)
	admin := "no"
	if p.AdminEquivalent {
		admin = "YES (" + p.AdminBasis + ")"
	}
	fmt.Fprintf(&b, "admin-equivalent: %s: %s\n", admin, report.SanitizeLine(p.AdminReason))
	var tot []string
	for _, t := range p.Totals {
		tot = append(tot, fmt.Sprintf("%s %d", t.Level, t.Allowed))
	}
	fmt.Fprintf(&b, "allowed actions: %s\n\n", strings.Join(tot, ", "))
	if len(p.Services) > 0 {
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SERVICE\tLIST\tREAD\tWRITE\tPERMISSIONS MGMT\tTAGGING\t")
		for _, sv := range p.Services {
			cells := map[iamdata.AccessLevel]string{}
			for _, l := range sv.Levels {
				cells[l.Level] = fmt.Sprintf("%d/%d%s", l.Allowed, l.Total, levelMarks(l))
			}
			row := []string{sv.Service}
			for _, l := range iamdata.Levels {
				c := cells[l]
				if c == "" {
					c = "-"
				}
				row = append(row, c)
			}
			// Cells are catalogue names and counts, never snapshot text.
			fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		b.WriteString("  (r: some only on named resources, c: some only under request conditions)\n")
	}
	if listActions {
		for _, sv := range p.Services {
			for _, l := range sv.Levels {
				for _, g := range l.Actions {
					line := fmt.Sprintf("  %s  %s", g.Action, g.Level)
					if g.Scope == iameval.ScopeResources {
						line += "  on " + strings.Join(g.Resources, ", ")
					}
					if g.Conditional {
						line += "  if " + strings.Join(g.Conditions, ", ")
					}
					b.WriteString(report.SanitizeLine(line) + "\n")
				}
			}
		}
	}
	fmt.Fprintf(&b, "\nsensitive actions granted: %d\n", len(p.Sensitive))
	for _, a := range p.Sensitive {
		fmt.Fprintf(&b, "  %s\n", report.SanitizeLine(a))
	}
	switch {
	case !p.Usage.Known:
		fmt.Fprintf(&b, "usage: unknown (%s)\n", report.SanitizeLine(p.Usage.Note))
	case p.Usage.LastUsed == nil:
		fmt.Fprintf(&b, "usage: never used (%s)\n", report.SanitizeLine(p.Usage.Note))
	default:
		fmt.Fprintf(&b, "usage: last used %s (%s)\n", p.Usage.LastUsed.UTC().Format("2006-01-02"), p.Usage.Source)
	}
	if p.Usage.Unused {
		fmt.Fprintf(&b, "unused-but-granted sensitive actions (no activity for %d days): %d\n", p.Usage.UnusedDays, len(p.UnusedSensitive))
		for _, a := range p.UnusedSensitive {
			fmt.Fprintf(&b, "  %s\n", report.SanitizeLine(a))
		}
	}
	for _, u := range p.Uncatalogued {
		fmt.Fprintf(&b, "note: allowed pattern %s names no catalogued action (newer service or action?)\n", report.SanitizeLine(u))
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "note: %s\n", report.SanitizeLine(n))
	}
	for _, u := range p.Unknowns {
		fmt.Fprintf(&b, "UNKNOWN: %s\n", report.SanitizeLine(u))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// levelMarks flags scoped (r) and conditional (c) grants within a level.
func levelMarks(l iameval.LevelPermissions) string {
	r, c := false, false
	for _, g := range l.Actions {
		r = r || g.Scope == iameval.ScopeResources
		c = c || g.Conditional
	}
	m := ""
	if r {
		m += "r"
	}
	if c {
		m += "c"
	}
	if m != "" {
		return " " + m
	}
	return ""
}
