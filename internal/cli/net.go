package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/demarc-sec/demarc/internal/analyze/reach"
	"github.com/demarc-sec/demarc/internal/report"
)

// netOptions are the flags of `demarc net` and its sub-commands.
type netOptions struct {
	snapshot       string
	from           string
	to             string
	port           string
	output         string
	includeUnknown bool
}

func newNetCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "net",
		Short: "Network reachability: what the internet (or a resource) can actually reach, and why",
		Long: `net answers reachability questions over a snapshot's VPCs, hop by hop: the public
address, the route to an attached internet gateway (or a peering connection),
the network ACL in both directions (stateless: responses to the client's
ephemeral ports 1024-65535 need an outbound rule), and the security groups
(stateful), through internet-facing load balancers to their targets.

Every answer is reachable, not-reachable (with the control that stops it) or
unknown (an input was not collected; unknown is never a pass).

See docs/network.md.

` + exitHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newNetReachCommand(g), newNetExposureCommand(g))
	return cmd
}

func (o *netOptions) addCommon(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.snapshot, "snapshot", "", "snapshot file written by 'demarc collect' (required)")
	f.StringVar(&o.output, "output", "text", "output format: text or json")
}

func (o *netOptions) check() error {
	if o.snapshot == "" {
		return UsageErr(errors.New("--snapshot is required"))
	}
	switch o.output {
	case "text", "table", "json":
		return nil
	}
	return UsageErr(fmt.Errorf("--output %q: want text or json", o.output))
}

func newNetReachCommand(g *globalOptions) *cobra.Command {
	o := &netOptions{}
	cmd := &cobra.Command{
		Use:   "reach",
		Short: "Can the internet (or a resource) reach a target on a port, and through what",
		Long: `reach judges one question and explains every path, hop by hop.

  --from internet   a client anywhere on the internet (the default)
  --from <id|ARN>   an instance or network interface of the account
  --to <id|ARN>     an instance (i-…), a network interface (eni-…), a load
                    balancer (name or ARN) or the ARN of any of them
  --port N/proto    22/tcp, 53/udp, 8/icmp (ICMP type; 3:4/icmp for type and
                    code), 128/icmpv6; a bare number is TCP. Without --port,
                    reach from the internet lists every exposed port of the
                    target instead.

From the internet, an instance or interface is also reachable through an
internet-facing load balancer that forwards to the port.

Examples:
  demarc net reach --snapshot s.json.gz --to i-0abc --port 22/tcp
  demarc net reach --snapshot s.json.gz --to web-alb --port 443
  demarc net reach --snapshot s.json.gz --from i-0app --to i-0db --port 5432

` + exitHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runNetReach(g, o) },
	}
	o.addCommon(cmd)
	f := cmd.Flags()
	f.StringVar(&o.from, "from", "internet", "source: internet, or an instance/ENI ID or ARN")
	f.StringVar(&o.to, "to", "", "target: instance/ENI ID, load balancer name, or ARN (required)")
	f.StringVar(&o.port, "port", "", "port and protocol, e.g. 22/tcp, 53/udp, 8/icmp")
	return cmd
}

func newNetExposureCommand(g *globalOptions) *cobra.Command {
	o := &netOptions{}
	cmd := &cobra.Command{
		Use:   "exposure",
		Short: "List every resource reachable from the internet, on which ports, and the path",
		Long: `exposure lists every instance, network interface and internet-facing load
balancer the internet can reach, and the targets behind those load balancers,
with the protocol, the contiguous port range (ICMP: type range) and the path.

JSON output is an array of {"resource_arn", "protocol", "from_port",
"to_port", "path"} sorted by resource, protocol and port. Possible exposures
that depend on an input that was not collected are reported on stderr and
listed in the text output; --include-unknown adds them to the JSON array with
"status": "unknown" and a "reason".

` + exitHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runNetExposure(g, o) },
	}
	o.addCommon(cmd)
	cmd.Flags().BoolVar(&o.includeUnknown, "include-unknown", false, "json output: also list exposures that could not be decided")
	return cmd
}

func runNetReach(g *globalOptions, o *netOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	if o.to == "" {
		return UsageErr(errors.New("--to is required"))
	}
	var proto, port, code int
	if o.port != "" {
		var err error
		if proto, port, code, err = reach.ParsePort(o.port); err != nil {
			return UsageErr(fmt.Errorf("--port: %w", err))
		}
	}
	internet := o.from == "" || strings.EqualFold(o.from, "internet")
	if !internet && o.port == "" {
		return UsageErr(errors.New("--port is required with --from other than internet"))
	}
	snap, err := loadSnapshot(o.snapshot)
	if err != nil {
		return err
	}
	n := reach.New(snap)
	if o.port == "" {
		return netTargetExposure(g, o, n)
	}
	var res *reach.Result
	if internet {
		res, err = n.ReachFromInternet(o.to, proto, port, code)
	} else {
		res, err = n.Between(o.from, o.to, proto, port, code)
	}
	if err != nil {
		if errors.Is(err, reach.ErrNotFound) {
			return UsageErr(err)
		}
		return err
	}
	if o.output == "json" {
		return writeJSON(g.stdout, res)
	}
	return writeReachText(g.stdout, res)
}

// netTargetExposure answers `reach --to X` without a port: X's exposures.
func netTargetExposure(g *globalOptions, o *netOptions, n *reach.Network) error {
	arn, err := n.ResourceARN(o.to)
	if err != nil {
		if errors.Is(err, reach.ErrNotFound) {
			return UsageErr(err)
		}
		return err
	}
	rep := n.Exposure().For(arn)
	return writeExposure(g, o, rep)
}

func runNetExposure(g *globalOptions, o *netOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	snap, err := loadSnapshot(o.snapshot)
	if err != nil {
		return err
	}
	return writeExposure(g, o, reach.New(snap).Exposure())
}

func writeExposure(g *globalOptions, o *netOptions, rep *reach.Report) error {
	if o.output != "json" {
		return writeExposureText(g.stdout, rep)
	}
	if len(rep.Unknown) > 0 && !o.includeUnknown {
		fmt.Fprintf(g.stderr, "demarc: warning: %d possible exposure(s) could not be decided (inputs not collected); --include-unknown lists them\n", len(rep.Unknown))
	}
	if !o.includeUnknown {
		return writeJSON(g.stdout, rep.Exposures)
	}
	items := make([]any, 0, len(rep.Exposures)+len(rep.Unknown))
	for _, e := range rep.Exposures {
		items = append(items, e)
	}
	for _, u := range rep.Unknown {
		items = append(items, u)
	}
	return writeJSON(g.stdout, items)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // paths read "0.0.0.0/0 -> igw-1", not "-\u003e"
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// verdictWord is the verdict as a headline.
func verdictWord(v reach.Verdict) string {
	switch v {
	case reach.Reachable:
		return "REACHABLE"
	case reach.Unknown:
		return "UNKNOWN"
	}
	return "NOT REACHABLE"
}

func writeReachText(w io.Writer, r *reach.Result) error {
	var b strings.Builder
	what := r.Protocol
	switch {
	case r.Port >= 0 && (r.Protocol == "tcp" || r.Protocol == "udp"):
		what = fmt.Sprintf("%s/%d", r.Protocol, r.Port)
	case r.Port >= 0:
		what = fmt.Sprintf("%s type %d", r.Protocol, r.Port)
		if r.Code >= 0 {
			what += fmt.Sprintf(" code %d", r.Code)
		}
	}
	fmt.Fprintf(&b, "%s: %s -> %s on %s\n", verdictWord(r.Verdict), report.SanitizeLine(r.From), report.SanitizeLine(r.To), what)
	for i, p := range r.Paths {
		via := ""
		if p.Via != "" {
			via = ", via " + report.SanitizeLine(p.Via)
		}
		fmt.Fprintf(&b, "\npath %d (%s, %s%s)\n", i+1, p.Family, p.Verdict, via)
		for j, h := range p.Hops {
			fmt.Fprintf(&b, "  %2d. %s\n", j+1, report.SanitizeLine(h.String()))
		}
		if p.BlockedBy != nil {
			fmt.Fprintf(&b, "  blocked by %s: %s\n", p.BlockedBy.Control, report.SanitizeLine(p.BlockedBy.Detail))
		}
		for _, u := range p.Unknown {
			fmt.Fprintf(&b, "  unknown: %s\n", report.SanitizeLine(u))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeExposureText(w io.Writer, rep *reach.Report) error {
	var b strings.Builder
	resources := map[string]bool{}
	for _, e := range rep.Exposures {
		resources[e.ResourceARN] = true
		fmt.Fprintf(&b, "%s  %s  %s\n", report.SanitizeLine(e.ResourceARN), e.Protocol, ports(e.FromPort, e.ToPort))
		for _, h := range e.Path {
			fmt.Fprintf(&b, "    - %s\n", report.SanitizeLine(h))
		}
	}
	if len(rep.Unknown) > 0 {
		b.WriteString("\nUNKNOWN (may be reachable; an input was not collected):\n")
		for _, u := range rep.Unknown {
			fmt.Fprintf(&b, "%s  %s  %s\n    - %s\n", report.SanitizeLine(u.ResourceARN), orDash(u.Protocol), ports(u.FromPort, u.ToPort), report.SanitizeLine(u.Reason))
		}
	}
	fmt.Fprintf(&b, "\n%d exposure(s) on %d resource(s); %d unknown\n", len(rep.Exposures), len(resources), len(rep.Unknown))
	_, err := io.WriteString(w, b.String())
	return err
}

func ports(lo, hi int) string {
	switch {
	case lo < 0:
		return "-"
	case lo == hi:
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
