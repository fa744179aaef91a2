package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/demarc-sec/demarc/internal/model"
)

type collectOptions struct {
	aws    awsOptions
	output string
}

func newCollectCommand(g *globalOptions) *cobra.Command {
	o := &collectOptions{}
	cmd := &cobra.Command{
		Use:   "collect -o FILE",
		Short: "Collect an AWS account into a snapshot file (read-only)",
		Long: `Collect reads an AWS account with read-only calls (List/Get/Describe) and writes a
gzip'd JSON snapshot that 'demarc scan --snapshot' evaluates offline.

Credentials come from the standard AWS chain (environment, --profile, SSO,
IMDS); --role-arn assumes a role first. AWS_ENDPOINT_URL is honoured.

` + exitHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCollect(cmd, g, o)
		},
	}
	o.aws.AddFlags(cmd.Flags())
	cmd.Flags().StringVarP(&o.output, "output-file", "o", "", "snapshot file to write (gzip'd JSON)")
	return cmd
}

func runCollect(cmd *cobra.Command, g *globalOptions, o *collectOptions) error {
	if o.output == "" {
		return UsageErr(errors.New("-o FILE is required"))
	}
	snap, err := collectLive(cmd.Context(), g, &o.aws)
	if snap == nil {
		return err
	}
	if serr := model.Save(o.output, snap); serr != nil {
		return serr
	}
	fmt.Fprintf(g.stderr, "wrote %s: account %s, %d regions, %d failed reads\n",
		o.output, snap.AccountID, len(snap.Regions), len(snap.Errors))
	return err
}
