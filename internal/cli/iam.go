package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	iameval "github.com/demarc-sec/demarc/internal/analyze/iam"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/report"
)

// newIAMCommand is the "iam" parent command: offline IAM policy analysis.
func newIAMCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "iam",
		Short: "Evaluate IAM policies offline, as AWS does",
		Long: `Evaluate IAM policies offline with AWS's documented evaluation logic: identity
policies, resource policies, permissions boundaries, session policies, SCPs and
RCPs, conditions and policy variables.

  simulate      decide one request (Allow, ExplicitDeny, ImplicitDeny) and explain it
  who-can       list every principal allowed an action on a resource, with the grant
  permissions   a principal's effective permissions by service and access level

` + exitHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newIAMSimulateCommand(g), newIAMWhoCanCommand(g), newIAMPermissionsCommand(g), newPathsCommand(g))
	return cmd
}

type iamSimulateOptions struct {
	request   string
	snapshot  string
	principal string
	action    string
	resource  string
	context   []string
	output    string
}

func newIAMSimulateCommand(g *globalOptions) *cobra.Command {
	o := &iamSimulateOptions{}
	cmd := &cobra.Command{
		Use:   "simulate (--request FILE | --snapshot S --principal ARN --action A --resource R)",
		Short: "Decide whether a request is allowed: Allow, ExplicitDeny or ImplicitDeny, with the reason",
		Long: `Decide whether a principal may perform an action on a resource, offline, with
AWS's policy evaluation logic, and explain which statement allowed or denied it
or which required allow was missing.

Two modes:
  --request FILE   raw policies in a JSON request file (see docs/iam-simulate.md);
                   "-" reads standard input. For CI checks of policies before
                   they are deployed.
  --snapshot S     the principal's policies, the resource's policy and the
                   organization's SCPs/RCPs from a demarc snapshot; give
                   --principal, --action, --resource and any --context key=value
                   (repeat a key for several values).

Examples:
  demarc iam simulate --request req.json --output json
  demarc iam simulate --snapshot snap.json.gz \
      --principal arn:aws:iam::111122223333:user/alice \
      --action s3:GetObject --resource arn:aws:s3:::bucket/key \
      --context aws:SourceIp=203.0.113.7

The exit status does not depend on the decision: read "decision" from the output.

` + exitHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runIAMSimulate(cmd, g, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.request, "request", "", "JSON request file with raw policies (- for standard input)")
	f.StringVar(&o.snapshot, "snapshot", "", "demarc snapshot to take the policies from")
	f.StringVar(&o.principal, "principal", "", "snapshot mode: the requester's ARN (user, role, assumed-role session, root)")
	f.StringVar(&o.action, "action", "", "snapshot mode: the action, service:Action")
	f.StringVar(&o.resource, "resource", "", "snapshot mode: the resource ARN (\"*\" for actions without one)")
	f.StringArrayVar(&o.context, "context", nil, "snapshot mode: request context key=value (repeatable)")
	f.StringVar(&o.output, "output", "text", "output format: text or json")
	return cmd
}

// simulateJSON is the --output json answer. Lists are never null.
type simulateJSON struct {
	Decision          iameval.Outcome        `json:"decision"`
	Explanation       string                 `json:"explanation"`
	Reasons           []string               `json:"reasons"`
	MatchedStatements []iameval.StatementRef `json:"matched_statements"`
	MissingAllows     []string               `json:"missing_allows"`
	Principal         principalJSON          `json:"principal"`
	Action            string                 `json:"action"`
	Resource          string                 `json:"resource"`
	ResourceAccount   string                 `json:"resource_account,omitempty"`
	CrossAccount      bool                   `json:"cross_account"`
	Notes             []string               `json:"notes"`
	Warnings          []string               `json:"warnings"`
	// Complete is false when the snapshot lacked data the answer depends
	// on; Unknowns says what. Such an answer must not be read as a pass.
	Complete bool     `json:"complete"`
	Unknowns []string `json:"unknowns"`
}

type principalJSON struct {
	ARN     string `json:"arn"`
	Type    string `json:"type"`
	Account string `json:"account,omitempty"`
}

func runIAMSimulate(cmd *cobra.Command, g *globalOptions, o *iamSimulateOptions) error {
	switch o.output {
	case "text", "table", "json":
	default:
		return UsageErr(fmt.Errorf("--output %q: want text or json", o.output))
	}
	var (
		req      *iameval.Request
		ps       *iameval.PolicySet
		warnings []string
		unknowns []string
	)
	switch {
	case o.request != "" && o.snapshot != "":
		return UsageErr(errors.New("--request and --snapshot are exclusive: give one"))
	case o.request != "":
		if o.principal != "" || o.action != "" || o.resource != "" || len(o.context) > 0 {
			return UsageErr(errors.New("--principal, --action, --resource and --context go with --snapshot; a --request file carries them"))
		}
		data, err := readRequestFile(cmd, o.request)
		if err != nil {
			return InputErr(err)
		}
		sim, err := iameval.ParseSimulateInput(data, time.Now().UTC())
		if err != nil {
			return InputErr(err)
		}
		req, ps, warnings = sim.Request, sim.Policies, sim.Warnings
	case o.snapshot != "":
		if o.principal == "" || o.action == "" || o.resource == "" {
			return UsageErr(errors.New("--snapshot needs --principal, --action and --resource"))
		}
		ctx, err := parseContextFlags(o.context)
		if err != nil {
			return UsageErr(err)
		}
		snap, err := model.Load(o.snapshot)
		if err != nil {
			return InputErr(err)
		}
		acct := iameval.NewAccount(snap)
		r, p, unk, err := acct.Simulation(o.principal, o.action, o.resource, ctx)
		if err != nil {
			return InputErr(fmt.Errorf("simulate against snapshot %s: %w", o.snapshot, err))
		}
		r.Time = time.Now().UTC()
		req, ps, unknowns = r, p, unk
		for _, pol := range ps.Identity {
			for _, w := range pol.Warnings {
				warnings = append(warnings, pol.Name+": "+w)
			}
		}
	default:
		return UsageErr(errors.New("give --request FILE, or --snapshot with --principal, --action and --resource"))
	}
	for _, w := range warnings {
		slog.Debug("iam simulate", "warning", w)
	}
	d, err := iameval.Evaluate(req, ps)
	if err != nil {
		return InputErr(err)
	}
	out := simulateJSON{
		Decision:          d.Outcome,
		Explanation:       d.Explanation(),
		Reasons:           nonNil(d.Reasons),
		MatchedStatements: d.Matched,
		MissingAllows:     nonNil(d.Missing),
		Principal:         principalJSON{ARN: req.Principal.ARN, Type: string(req.Principal.Type), Account: req.Principal.Account},
		Action:            req.Action,
		Resource:          req.Resource,
		ResourceAccount:   d.ResourceAccount,
		CrossAccount:      d.CrossAccount,
		Notes:             nonNil(d.Notes),
		Warnings:          nonNil(warnings),
		Complete:          len(unknowns) == 0,
		Unknowns:          nonNil(dedupe(unknowns)),
	}
	if out.MatchedStatements == nil {
		out.MatchedStatements = []iameval.StatementRef{}
	}
	w := g.stdout
	if o.output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	return writeSimulateText(w, out)
}

// readRequestFile reads the request file, bounded, from a path or stdin.
func readRequestFile(cmd *cobra.Command, path string) ([]byte, error) {
	var r io.Reader
	if path == "-" {
		r = cmd.InOrStdin()
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("read request file: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, iameval.MaxSimulateInputBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read request file %s: %w", path, err)
	}
	if len(data) > iameval.MaxSimulateInputBytes {
		return nil, fmt.Errorf("request file %s is larger than %d bytes", path, iameval.MaxSimulateInputBytes)
	}
	return data, nil
}

// parseContextFlags reads repeated --context key=value flags; a key given
// several times has several values.
func parseContextFlags(flags []string) (map[string][]string, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	ctx := map[string][]string{}
	for _, f := range flags {
		k, v, ok := strings.Cut(f, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("--context %q: want key=value", f)
		}
		ctx[k] = append(ctx[k], v)
	}
	return ctx, nil
}

func writeSimulateText(w io.Writer, out simulateJSON) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", out.Decision)
	fmt.Fprintf(&b, "  request: %s %s on %s\n", report.SanitizeLine(out.Principal.ARN), report.SanitizeLine(out.Action), report.SanitizeLine(out.Resource))
	for _, r := range out.Reasons {
		fmt.Fprintf(&b, "  %s\n", report.SanitizeLine(r))
	}
	for _, n := range out.Notes {
		fmt.Fprintf(&b, "  note: %s\n", report.SanitizeLine(n))
	}
	for _, wa := range out.Warnings {
		fmt.Fprintf(&b, "  warning: %s\n", report.SanitizeLine(wa))
	}
	for _, u := range out.Unknowns {
		fmt.Fprintf(&b, "  UNKNOWN: %s\n", report.SanitizeLine(u))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func dedupe(s []string) []string {
	if len(s) == 0 {
		return s
	}
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}
