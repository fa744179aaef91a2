// Command demarc verifies the customer's side of the AWS shared
// responsibility model. All logic lives in internal/; see ARCHITECTURE.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/demarc-sec/demarc/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
