package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/demarc-sec/demarc/internal/analyze/privesc"
)

// pathsOptions are the flags of `demarc iam paths`.
type pathsOptions struct {
	snapshot string
	from     string
	to       string
	output   string
}

// newPathsCommand is `demarc iam paths`: privilege-escalation paths. The
// iam parent command attaches it.
func newPathsCommand(g *globalOptions) *cobra.Command {
	o := &pathsOptions{}
	cmd := &cobra.Command{
		Use:   "paths",
		Short: "Privilege-escalation paths: who can become admin (or a chosen principal), and how",
		Long: `paths finds every IAM user and role that can become administrator — or a chosen
principal — by chaining escalation techniques (policy changes, credential
takeover, sts:AssumeRole, iam:PassRole to compute services, code execution on
instances and functions), shortest path first. Every hop is decided by the IAM
policy engine: conditions, resource scoping, permissions boundaries, SCPs and
explicit denies all count, and each hop lists the policy statements that allow
it. See docs/privesc.md for the technique catalogue and the admin definition.

  --from ARN     only paths from this user or role (default: every principal)
  --to admin     paths to an admin-equivalent principal (the default)
  --to ARN       paths to this user or role
  --output       text, json or dot (a Graphviz digraph of the paths)

JSON output: {"paths": [{"from", "to", "hops": [{"technique", "from", "to",
"permissions": [{"policy", "statement", "action", "resource", …}], …}]}],
"admins": [ARN, …], "unknown": [{"principal", "reasons"}]}. Principals that are
already admin-equivalent are listed in "admins", not in "paths". A principal
in "unknown" has no path only as far as the snapshot shows: data it depends on
was not collected.

The exit status does not depend on whether paths were found.

Examples:
  demarc iam paths --snapshot snap.json.gz
  demarc iam paths --snapshot snap.json.gz --from arn:aws:iam::111122223333:user/alice --output json
  demarc iam paths --snapshot snap.json.gz --to arn:aws:iam::111122223333:role/deploy --output dot | dot -Tsvg

` + exitHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runPaths(g, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.snapshot, "snapshot", "", "snapshot file written by 'demarc collect' (required)")
	f.StringVar(&o.from, "from", "", "only paths from this user or role ARN")
	f.StringVar(&o.to, "to", privesc.ToAdmin, "admin, or the ARN of the user or role to reach")
	f.StringVar(&o.output, "output", "text", "output format: text, json or dot")
	return cmd
}

func runPaths(g *globalOptions, o *pathsOptions) error {
	switch o.output {
	case "text", "table", "json", "dot":
	default:
		return UsageErr(fmt.Errorf("--output %q: want text, json or dot", o.output))
	}
	if o.snapshot == "" {
		return UsageErr(errors.New("--snapshot is required"))
	}
	snap, err := loadSnapshot(o.snapshot)
	if err != nil {
		return err
	}
	a := privesc.New(snap, privesc.Options{})
	res, err := a.Run(privesc.Query{From: o.from, To: o.to})
	if err != nil {
		return UsageErr(err)
	}
	for _, u := range res.Unknown {
		slog.Warn("iam paths: no path found, but the answer rests on data the snapshot lacks", "principal", u.Principal, "reasons", u.Reasons)
	}
	switch o.output {
	case "json":
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	case "dot":
		return privesc.WriteDOT(g.stdout, res)
	}
	return privesc.WriteText(g.stdout, res)
}
