package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/demarc-sec/demarc/internal/engine"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/responsibility"
)

type responsibilityOptions struct {
	aws      awsOptions
	snapshot string
	output   string
	config   configOptions
}

func newResponsibilityCommand(g *globalOptions) *cobra.Command {
	o := &responsibilityOptions{}
	cmd := &cobra.Command{
		Use:   "responsibility",
		Short: "Show the shared-responsibility matrix: what AWS secures, what you secure, and whether your side holds",
		Long: `For every service in use: its category (infrastructure, container, abstracted),
the layers AWS owns with the compliance programmes that attest them (reference
data), and the layers you own, each with the live status of the rules behind it.

` + exitHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.output != "table" && o.output != "json" {
				return UsageErr(fmt.Errorf("--output %q: want table or json", o.output))
			}
			var (
				snap *model.Snapshot
				err  error
			)
			if o.snapshot != "" {
				snap, err = loadSnapshot(o.snapshot)
			} else {
				snap, err = collectLive(cmd.Context(), g, &o.aws)
			}
			if snap == nil {
				return err
			}
			reg, _, cerr := o.config.registry()
			if cerr != nil {
				return cerr
			}
			m, merr := responsibility.Build(snap, reg.Rules(), engine.Run(snap, reg))
			if merr != nil {
				return merr
			}
			if o.output == "json" {
				merr = writeJSONValue(g.stdout, m)
			} else {
				merr = responsibility.WriteTable(g.stdout, m)
			}
			if merr != nil {
				return merr
			}
			return err
		},
	}
	o.aws.AddFlags(cmd.Flags())
	o.config.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&o.snapshot, "snapshot", "", "use this snapshot instead of collecting")
	cmd.Flags().StringVar(&o.output, "output", "table", "table or json")
	return cmd
}
