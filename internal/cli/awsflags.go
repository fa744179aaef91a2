package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/demarc-sec/demarc/internal/collect"
	"github.com/demarc-sec/demarc/internal/model"
)

// awsOptions are the flags that select an account and regions.
type awsOptions struct {
	profile     string
	regions     []string
	roleARN     string
	externalID  string
	concurrency int
	rate        float64
}

func (o *awsOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.profile, "profile", "", "AWS shared-config profile (default: the standard credential chain)")
	fs.StringSliceVar(&o.regions, "region", nil, "regions to collect, comma separated (default: every enabled region)")
	fs.StringVar(&o.roleARN, "role-arn", "", "assume this role before collecting")
	fs.StringVar(&o.externalID, "external-id", "", "external ID for --role-arn")
	fs.IntVar(&o.concurrency, "concurrency", 8, "collection tasks in flight (service × region)")
	fs.Float64Var(&o.rate, "rate", 20, "request rate limit per AWS service (requests/s)")
}

func (o *awsOptions) validate() error {
	for _, r := range o.regions {
		if r == "" || strings.ContainsAny(r, " /\\:") {
			return UsageErr(fmt.Errorf("invalid --region %q", r))
		}
	}
	if o.externalID != "" && o.roleARN == "" {
		return UsageErr(errors.New("--external-id needs --role-arn"))
	}
	if o.concurrency < 1 {
		return UsageErr(errors.New("--concurrency must be ≥ 1"))
	}
	return nil
}

// collectLive runs the collectors with progress on stderr when it is a
// terminal. On interruption it returns the partial snapshot and a
// PartialErr.
func collectLive(ctx context.Context, g *globalOptions, o *awsOptions) (*model.Snapshot, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	opts := collect.Options{
		Profile: o.profile, Regions: o.regions, RoleARN: o.roleARN, ExternalID: o.externalID,
		Concurrency: o.concurrency, RatePerService: o.rate,
	}
	if f, ok := g.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		var mu sync.Mutex
		opts.Progress = func(done, total int, task string) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(f, "\r\x1b[Kcollecting %d/%d %s", done, total, task)
			if done == total {
				fmt.Fprint(f, "\r\x1b[K")
			}
		}
	}
	snap, err := collect.Collect(ctx, opts)
	if err != nil {
		var se *collect.SetupError
		switch {
		case errors.As(err, &se):
			return nil, AWSErr(err)
		case snap != nil && snap.Partial:
			return snap, PartialErr(err)
		}
		return snap, err
	}
	snap.DemarcVersion = Version
	return snap, nil
}

// loadSnapshot reads a snapshot file; failures are input errors (exit 3).
func loadSnapshot(path string) (*model.Snapshot, error) {
	s, err := model.Load(path)
	if err != nil {
		return nil, InputErr(err)
	}
	return s, nil
}
