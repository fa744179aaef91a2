package aws

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"golang.org/x/sync/errgroup"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	ec2m "github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/secsvc"
)

// Collector reads one service into the snapshot.
//
// A global collector is called once (region = the configuration's home
// region); a regional one once per selected region. Collectors write only
// their own fields: regional collectors write snap.EC2Region(region) /
// the matching snap.Security element, which the runner allocates before the
// fan-out, so concurrent collectors never share a memory location.
// Collect returns an error only for failures that make the whole service
// unreadable in that region; it must also have marked the values it owns
// as unknown (core.Unknown) with the reason.
type Collector interface {
	Name() string
	Regional() bool
	Collect(ctx context.Context, env *Env, region string, snap *model.Snapshot) error
}

// CheckUnique panics if two collectors share a name: a programming error.
func CheckUnique(cs []Collector) {
	seen := map[string]bool{}
	for _, c := range cs {
		if seen[c.Name()] {
			panic("duplicate collector " + c.Name())
		}
		seen[c.Name()] = true
	}
}

// Regions resolves the regions to collect: the requested ones, or every
// region enabled for the account (DescribeRegions without AllRegions).
func Regions(ctx context.Context, env *Env, requested []string) ([]string, error) {
	if len(requested) > 0 {
		r := append([]string(nil), requested...)
		sort.Strings(r)
		return r, nil
	}
	out, err := ec2.NewFromConfig(env.Config(env.Cfg.Region)).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil {
		return nil, fmt.Errorf("list enabled regions (ec2:DescribeRegions): %w", err)
	}
	var r []string
	for _, reg := range out.Regions {
		if reg.RegionName != nil {
			r = append(r, *reg.RegionName)
		}
	}
	sort.Strings(r)
	return r, nil
}

// Run collects every collector over the regions into a new snapshot. When
// ctx is canceled, Run stops starting new work, waits for tasks in flight,
// and returns the partial snapshot with Partial set and ctx's error.
func Run(ctx context.Context, env *Env, regions []string, collectors []Collector, o Options) (*model.Snapshot, error) {
	CheckUnique(collectors)
	snap := model.New(env.AccountID, env.Partition, regions)
	snap.CallerARN = env.CallerARN
	snap.CollectedAt = time.Now().UTC()
	for _, r := range snap.Regions {
		snap.EC2 = append(snap.EC2, ec2m.Region{Name: r})
		snap.Security = append(snap.Security, secsvc.Region{Name: r})
	}
	type task struct {
		c      Collector
		region string
	}
	var tasks []task
	for _, c := range collectors {
		if c.Regional() {
			for _, r := range snap.Regions {
				tasks = append(tasks, task{c, r})
			}
		} else {
			tasks = append(tasks, task{c, env.Cfg.Region})
		}
	}
	limit := o.Concurrency
	if limit <= 0 {
		limit = 8
	}
	// The group is not tied to ctx: on cancellation tasks in flight return
	// early on their own (their SDK calls see ctx) and we keep what they read.
	var g errgroup.Group
	g.SetLimit(limit)
	var mu sync.Mutex
	done := 0
	for _, t := range tasks {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			err := runOne(ctx, env, t.c, t.region, snap)
			if err != nil && !errors.Is(err, context.Canceled) {
				slog.Debug("collector failed", "collector", t.c.Name(), "region", t.region, "err", err)
			}
			mu.Lock()
			done++
			d := done
			mu.Unlock()
			if o.Progress != nil {
				o.Progress(d, len(tasks), t.c.Name()+"/"+t.region)
			}
			return nil
		})
	}
	_ = g.Wait()
	snap.Errors = env.Errors()
	snap.Normalize()
	if err := ctx.Err(); err != nil {
		snap.Partial = true
		return snap, fmt.Errorf("collection interrupted after %d of %d tasks: %w", done, len(tasks), err)
	}
	return snap, nil
}

func runOne(ctx context.Context, env *Env, c Collector, region string, snap *model.Snapshot) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("collector %s panicked: %v", c.Name(), p)
			env.mu.Lock()
			env.errs = append(env.errs, core.CollectError{Service: c.Name(), Region: region, Operation: "*",
				Reason: core.ReasonServiceError, Detail: truncate(fmt.Sprintf("panic: %v\n%s", p, debug.Stack()), 600)})
			env.mu.Unlock()
		}
	}()
	return c.Collect(ctx, env, region, snap)
}
