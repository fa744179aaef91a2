package cli

import "github.com/spf13/cobra"

// commands is the explicit list of sub-commands.
func commands(g *globalOptions) []*cobra.Command {
	return []*cobra.Command{
		newScanCommand(g),
		newRulesCommand(g),
		newResponsibilityCommand(g),
		newHistoryCommand(g),
		newDiffCommand(g),
		newServeCommand(g),
		newIAMCommand(g),
		newNetCommand(g),
		newCollectCommand(g),
		newVersionCommand(g),
	}
}

func newVersionCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the demarc version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := cmd.OutOrStdout().Write([]byte("demarc " + Version + "\n"))
			return err
		},
	}
}
