package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/frameworks"
	"github.com/demarc-sec/demarc/internal/report"
)

type rulesOptions struct {
	framework string
	service   string
	severity  string
	output    string
}

func newRulesCommand(g *globalOptions) *cobra.Command {
	o := &rulesOptions{}
	cmd := &cobra.Command{
		Use:   "rules [show ID]",
		Short: "List demarc's rules, or every control of a framework with the rules behind it",
		Long: `List the built-in rules. With --framework, list every control of that framework
(cis-aws-5.0, aws-fsbp) with the rules that automate it, or MANUAL for controls a
human must verify, or NOT_IMPLEMENTED. 'demarc rules show ID' explains one rule.

` + exitHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runRules(g, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.framework, "framework", "", "list the controls of this framework: "+strings.Join(frameworks.Keys(), ", "))
	f.StringVar(&o.service, "service", "", "only rules of this service (e.g. iam, s3, ec2)")
	f.StringVar(&o.severity, "severity", "", "only rules of this severity or above")
	cmd.PersistentFlags().StringVar(&o.output, "output", "table", "table or json")
	cmd.AddCommand(&cobra.Command{
		Use:   "show ID",
		Short: "Explain one rule: what it checks, why, how to fix it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRuleShow(g, o.output, args[0])
		},
	})
	return cmd
}

type ruleJSON struct {
	ID             string              `json:"rule_id"`
	Title          string              `json:"title"`
	Service        string              `json:"service"`
	Severity       checks.Severity     `json:"severity"`
	Responsibility string              `json:"responsibility"`
	Frameworks     map[string][]string `json:"frameworks"`
	Description    string              `json:"description"`
	Remediation    string              `json:"remediation"`
	Links          []string            `json:"links"`
}

func toRuleJSON(r checks.Rule) ruleJSON {
	fw := r.Frameworks
	if fw == nil {
		fw = map[string][]string{}
	}
	links := r.Links
	if links == nil {
		links = []string{}
	}
	return ruleJSON{r.ID, r.Title, r.Service, r.Severity, r.Responsibility, fw, r.Description, r.Remediation, links}
}

func runRules(g *globalOptions, o *rulesOptions) error {
	if o.output != "table" && o.output != "json" {
		return UsageErr(fmt.Errorf("--output %q: want table or json", o.output))
	}
	var minSev checks.Severity
	if o.severity != "" {
		s, err := checks.ParseSeverity(o.severity)
		if err != nil {
			return UsageErr(err)
		}
		minSev = s
	}
	var rules []checks.Rule
	for _, r := range checks.Default().Rules() {
		if o.service != "" && !strings.EqualFold(r.Service, o.service) {
			continue
		}
		if minSev != "" && r.Severity.Rank() < minSev.Rank() {
			continue
		}
		rules = append(rules, r)
	}
	if o.framework != "" {
		fw, err := frameworks.Load(o.framework)
		if err != nil {
			return UsageErr(err)
		}
		return writeControls(g.stdout, o.output, fw, rules, o.service != "" || o.severity != "")
	}
	if o.output == "json" {
		out := make([]ruleJSON, 0, len(rules))
		for _, r := range rules {
			out = append(out, toRuleJSON(r))
		}
		return writeJSONValue(g.stdout, out)
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSEVERITY\tSERVICE\tFRAMEWORKS\tTITLE")
	for _, r := range rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Service, frameworkRefs(r.Frameworks), r.Title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "\n%d rules\n", len(rules))
	return nil
}

func frameworkRefs(m map[string][]string) string {
	var parts []string
	for _, k := range frameworks.Keys() {
		for _, id := range m[k] {
			parts = append(parts, k+":"+id)
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ",")
}

type controlJSON struct {
	frameworks.Control
	Status string   `json:"status"` // AUTOMATED | MANUAL | NOT_IMPLEMENTED
	Rules  []string `json:"rules"`
}

// writeControls lists every control of the framework: none is dropped.
func writeControls(w io.Writer, format string, fw *frameworks.Framework, rules []checks.Rule, filtered bool) error {
	byCtl := frameworks.RulesByControl(fw.Key, rules)
	out := make([]controlJSON, 0, len(fw.Controls))
	counts := map[string]int{}
	for _, c := range fw.Controls {
		cj := controlJSON{Control: c, Rules: byCtl[c.ID]}
		switch {
		case len(cj.Rules) > 0:
			cj.Status = "AUTOMATED"
		case c.Assessment == "Manual":
			cj.Status = "MANUAL"
		default:
			cj.Status = "NOT_IMPLEMENTED"
		}
		if cj.Rules == nil {
			cj.Rules = []string{}
		}
		if filtered && len(cj.Rules) == 0 {
			continue
		}
		counts[cj.Status]++
		out = append(out, cj)
	}
	if format == "json" {
		return writeJSONValue(w, map[string]any{
			"framework": fw.Key, "name": fw.Name, "version": fw.Version, "source": fw.Source,
			"controls": out, "counts": counts,
		})
	}
	fmt.Fprintf(w, "%s %s (%s)\n\n", fw.Name, fw.Version, fw.Key)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTROL\tSTATUS\tRULES\tTITLE")
	for _, c := range out {
		rs := strings.Join(c.Rules, ",")
		if rs == "" {
			rs = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, c.Status, rs, report.SanitizeLine(c.Title))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%d controls: %d automated, %d manual, %d not implemented\n",
		len(out), counts["AUTOMATED"], counts["MANUAL"], counts["NOT_IMPLEMENTED"])
	return nil
}

func runRuleShow(g *globalOptions, format, id string) error {
	r, ok := checks.Default().Get(id)
	if !ok {
		return UsageErr(fmt.Errorf("no rule %q (list them with: demarc rules)", id))
	}
	if format == "json" {
		return writeJSONValue(g.stdout, toRuleJSON(r))
	}
	w := g.stdout
	fmt.Fprintf(w, "%s — %s\n\n", r.ID, r.Title)
	fmt.Fprintf(w, "Service:        %s\nSeverity:       %s\nResponsibility: %s\nFrameworks:     %s\n\n",
		r.Service, r.Severity, r.Responsibility, frameworkRefs(r.Frameworks))
	fmt.Fprintf(w, "%s\n\nRemediation:\n%s\n", r.Description, r.Remediation)
	if len(r.Links) > 0 {
		fmt.Fprintf(w, "\nReferences:\n")
		for _, l := range r.Links {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
	return nil
}

func writeJSONValue(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}
