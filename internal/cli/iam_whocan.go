package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	iameval "github.com/demarc-sec/demarc/internal/analyze/iam"
	"github.com/demarc-sec/demarc/internal/iamdata"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/report"
)

type iamWhoCanOptions struct {
	snapshot string
	context  []string
	output   string
}

func newIAMWhoCanCommand(g *globalOptions) *cobra.Command {
	o := &iamWhoCanOptions{}
	cmd := &cobra.Command{
		Use:   "who-can --snapshot S ACTION RESOURCE",
		Short: "List every principal allowed to perform an action on a resource, with the granting statements",
		Long: `List every principal the IAM engine allows to perform ACTION (service:Action) on
RESOURCE (an ARN, or "*"), from a demarc snapshot: the account's users and
roles, its root user, and the principals the resource's policy names (other
accounts and their principals, services, identity providers, anonymous users
and "any principal"). Each comes with the statements that grant it and
whether the grant comes from identity policies, the resource policy or both.

Grants that hold only for requests meeting conditions the requester shapes
(aws:SourceIp, MFA, request tags, …) are listed as conditional, with the
condition keys; give known values with --context key=value to decide them.
Principals outside the snapshot are evaluated as if their own account allowed
(demarc cannot see it), which can only over-report. "unknowns" lists gaps
(unreadable policies, resources not collected) that could hide a principal.

Examples:
  demarc iam who-can --snapshot snap.json.gz s3:GetObject arn:aws:s3:::data/report.csv
  demarc iam who-can --snapshot snap.json.gz sts:AssumeRole arn:aws:iam::111122223333:role/deploy --output json

` + exitHelp,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runIAMWhoCan(g, o, args) },
	}
	f := cmd.Flags()
	f.StringVar(&o.snapshot, "snapshot", "", "demarc snapshot to evaluate (required)")
	f.StringArrayVar(&o.context, "context", nil, "known request context key=value (repeatable)")
	f.StringVar(&o.output, "output", "text", "output format: text or json")
	return cmd
}

// whoCanJSON is the --output json answer.
type whoCanJSON struct {
	*iameval.WhoCanResult
	// Complete is false when the snapshot lacked data the answer depends on.
	Complete bool `json:"complete"`
}

func runIAMWhoCan(g *globalOptions, o *iamWhoCanOptions, args []string) error {
	if err := checkOutput(o.output); err != nil {
		return err
	}
	if len(args) != 2 {
		return UsageErr(fmt.Errorf("want ACTION and RESOURCE, got %d argument(s)", len(args)))
	}
	if o.snapshot == "" {
		return UsageErr(errors.New("--snapshot is required"))
	}
	ctx, err := parseContextFlags(o.context)
	if err != nil {
		return UsageErr(err)
	}
	action, resource := args[0], args[1]
	if !strings.Contains(action, ":") || strings.ContainsAny(action, "*?") {
		return UsageErr(fmt.Errorf("action %q: want one service:Action, without wildcards", action))
	}
	if _, ok := iamdata.Lookup(action); !ok {
		slog.Warn("action not in the catalogue (a typo, or newer than the catalogue)", "action", action, "catalogue", iamdata.Version())
	}
	snap, err := model.Load(o.snapshot)
	if err != nil {
		return InputErr(err)
	}
	res, err := iameval.NewAccount(snap).WhoCan(action, resource, iameval.WhoCanOptions{Context: ctx, Time: time.Now().UTC()})
	if err != nil {
		return UsageErr(err)
	}
	if o.output == "json" {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(whoCanJSON{WhoCanResult: res, Complete: len(res.Unknowns) == 0})
	}
	return writeWhoCanText(g.stdout, res)
}

func checkOutput(o string) error {
	switch o {
	case "text", "table", "json":
		return nil
	}
	return UsageErr(fmt.Errorf("--output %q: want text or json", o))
}

func writeWhoCanText(w io.Writer, r *iameval.WhoCanResult) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s on %s: %d principal(s) allowed (%d evaluated)\n",
		report.SanitizeLine(r.Action), report.SanitizeLine(r.Resource), len(r.Principals), r.Evaluated)
	for _, p := range r.Principals {
		fmt.Fprintf(&b, "  %s  %s  via %s", report.SanitizeLine(p.Principal), p.Type, p.Via)
		if p.External {
			b.WriteString("  (outside the snapshot)")
		}
		if p.Conditional {
			fmt.Fprintf(&b, "  CONDITIONAL on %s", report.SanitizeLine(strings.Join(p.Conditions, ", ")))
		}
		b.WriteString("\n")
		for _, ref := range p.GrantedBy {
			fmt.Fprintf(&b, "      allow: %s\n", report.SanitizeLine(ref.String()))
		}
		if len(p.GrantedBy) == 0 && len(p.Reasons) > 0 {
			fmt.Fprintf(&b, "      %s\n", report.SanitizeLine(p.Reasons[0]))
		}
		for _, u := range p.Unknowns {
			fmt.Fprintf(&b, "      note: %s\n", report.SanitizeLine(u))
		}
	}
	for _, u := range r.Unknowns {
		fmt.Fprintf(&b, "  UNKNOWN: %s\n", report.SanitizeLine(u))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
