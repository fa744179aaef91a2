// Package cli is demarc's command line: one file per command, each with an
// options struct, a constructor newXCommand and a runX function. Errors map
// to exit codes in exitCode, documented in the root command's help.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/demarc-sec/demarc/internal/report"
)

// Version is set at build time with -ldflags "-X …/internal/cli.Version=…".
var Version = "dev"

// Exit codes. Documented in the root help (exitHelp) and README.
const (
	ExitOK       = 0 // success, no FAIL at or above --fail-on
	ExitFindings = 1 // a FAIL at or above --fail-on
	ExitUsage    = 2 // bad flags or arguments
	ExitInput    = 3 // unreadable input: snapshot corrupt or from a newer demarc, bad policy/request file
	ExitAWS      = 4 // could not reach/authenticate to AWS (credentials, STS)
	ExitPartial  = 5 // the scan was interrupted (Ctrl-C); partial results were written
	ExitInternal = 6 // any other failure
)

const exitHelp = `EXIT STATUS
  0  success (no FAIL at or above --fail-on)
  1  at least one FAIL at or above --fail-on
  2  usage error (bad flag, argument or config)
  3  unreadable input (corrupt or newer snapshot, malformed request or policy)
  4  AWS access failed before collection could start (credentials, STS)
  5  interrupted (Ctrl-C): partial results were reported
  6  other internal error`

// Typed errors select the exit code.
type (
	usageError   struct{ error }
	inputError   struct{ error }
	awsError     struct{ error }
	partialError struct{ error }
	findingsErr  struct{ error }
)

func (e usageError) Unwrap() error   { return e.error }
func (e inputError) Unwrap() error   { return e.error }
func (e awsError) Unwrap() error     { return e.error }
func (e partialError) Unwrap() error { return e.error }
func (e findingsErr) Unwrap() error  { return e.error }

// UsageErr, InputErr … wrap an error to select its exit code.
func UsageErr(err error) error { return usageError{err} }

// InputErr marks unreadable input (exit 3).
func InputErr(err error) error { return inputError{err} }

// AWSErr marks failures to reach AWS (exit 4).
func AWSErr(err error) error { return awsError{err} }

// PartialErr marks an interrupted run (exit 5).
func PartialErr(err error) error { return partialError{err} }

// FindingsErr marks FAILs at or above --fail-on (exit 1).
func FindingsErr(err error) error { return findingsErr{err} }

func exitCode(err error) int {
	var (
		u usageError
		i inputError
		a awsError
		p partialError
		f findingsErr
	)
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &f):
		return ExitFindings
	case errors.As(err, &u):
		return ExitUsage
	case errors.As(err, &i):
		return ExitInput
	case errors.As(err, &a):
		return ExitAWS
	case errors.As(err, &p):
		return ExitPartial
	}
	return ExitInternal
}

// globalOptions are flags every command shares.
type globalOptions struct {
	stdout, stderr io.Writer
	verbose        bool
	noColor        bool
}

// Run is the whole program: main calls os.Exit(cli.Run(ctx, os.Args, …)).
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	g := &globalOptions{stdout: stdout, stderr: stderr}
	root := newRootCommand(g)
	root.SetArgs(args[1:])
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	code := exitCode(err)
	if err != nil && code != ExitFindings {
		if code == ExitInternal && isCobraUsage(err) {
			code = ExitUsage
		}
		fmt.Fprintf(stderr, "demarc: %s\n", report.SanitizeLine(err.Error()))
	}
	return code
}

// isCobraUsage recognizes cobra's own argument/flag errors, which it returns
// as plain errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "flag needs an argument",
		"invalid argument", "accepts ", "requires at least", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func newRootCommand(g *globalOptions) *cobra.Command {
	root := &cobra.Command{
		Use:   "demarc",
		Short: "Verify your side of the AWS shared responsibility model",
		Long: `demarc collects an AWS account into a typed snapshot (read-only), analyzes it, and
reports, per service, whether the customer's side of the shared responsibility
model holds: IAM, credentials, network, encryption, logging and detection.

` + exitHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			level := slog.LevelWarn
			if g.verbose {
				level = slog.LevelDebug
			}
			slog.SetDefault(slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: level})))
		},
	}
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "debug logging to stderr")
	root.PersistentFlags().BoolVar(&g.noColor, "no-color", os.Getenv("NO_COLOR") != "", "never colour output")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return UsageErr(err) })
	root.AddCommand(commands(g)...)
	return root
}
