// Package kit is the plumbing shared by the per-service collectors that read
// every region themselves (KMS, RDS, Lambda, …): a bounded per-region fan-out
// that owns its result slice, bounded per-resource fan-out, and draining of
// SDK paginators.
//
// Those collectors are "global" to the runner (called once) and write one
// snapshot field that no other collector touches, holding one element per
// region. That keeps them race-free without the runner having to preallocate
// a slot for every service, and keeps the element order equal to the sorted
// snap.Regions, so output is deterministic.
//
// Goroutines started here recover panics and re-raise or record them: a panic
// in a goroutine cannot be caught by the runner's per-collector recover, and
// would otherwise kill the whole scan.
package kit

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/demarc-sec/demarc/internal/collect/aws"
)

// RegionConcurrency is how many regions one collector reads at once. The
// runner runs collectors in parallel and Env rate-limits per service, so a
// small number is enough to hide latency.
const RegionConcurrency = 4

// ItemConcurrency bounds per-resource calls (one Get* per key, table, …)
// within one region.
const ItemConcurrency = 8

// MaxPages stops a service that keeps returning fresh tokens forever; the SDK
// paginators only guard against a token repeated twice in a row.
const MaxPages = 20000

// PerRegion calls f for every region, at most limit at a time, and returns
// the results in the order of regions. f must fill its element completely,
// including the region name, and mark what it could not read as unknown.
//
// The error is non-nil only when f failed in every region (the service is
// unreadable as a whole); it joins the per-region errors. A panic in f is
// recorded on env as a service error for that region and counts as a failure;
// that region's element stays the zero value, whose core.Val fields read
// "not collected".
func PerRegion[R any](ctx context.Context, env *aws.Env, service string, regions []string, limit int,
	f func(ctx context.Context, region string) (R, error)) ([]R, error) {
	out := make([]R, len(regions))
	errs := make([]error, len(regions))
	var g errgroup.Group
	if limit <= 0 {
		limit = RegionConcurrency
	}
	g.SetLimit(limit)
	for i, region := range regions {
		g.Go(func() error {
			defer func() {
				if p := recover(); p != nil {
					err := fmt.Errorf("collector %s panicked in %s: %v\n%s", service, region, p, debug.Stack())
					env.Unknown(service, region, "*", "", err)
					errs[i] = err
				}
			}()
			r, err := f(ctx, region)
			out[i] = r
			if err != nil {
				errs[i] = fmt.Errorf("%s: %w", region, err)
			}
			return nil
		})
	}
	_ = g.Wait()
	if len(regions) == 0 {
		return out, nil
	}
	for _, err := range errs {
		if err == nil {
			return out, nil
		}
	}
	return out, fmt.Errorf("collect %s: every region failed: %w", service, errors.Join(errs...))
}

// Each calls f(i) for i in [0, n), at most limit at a time, and waits. f
// must write only to its own index. If any f panics, Each re-panics in the
// calling goroutine after all have finished, so the panic reaches a recover
// that the caller (PerRegion, the runner) has in place.
func Each(ctx context.Context, n, limit int, f func(ctx context.Context, i int)) {
	if limit <= 0 {
		limit = ItemConcurrency
	}
	var (
		g     errgroup.Group
		once  sync.Once
		first error // the first panic, re-raised below
	)
	g.SetLimit(limit)
	for i := 0; i < n; i++ {
		g.Go(func() error {
			defer func() {
				if p := recover(); p != nil {
					once.Do(func() { first = fmt.Errorf("%v\n%s", p, debug.Stack()) })
				}
			}()
			f(ctx, i)
			return nil
		})
	}
	_ = g.Wait()
	if first != nil {
		panic(first)
	}
}

// All drains an SDK paginator: pass p.HasMorePages and p.NextPage, and a
// function that picks the items out of a page. It never returns a partial
// list: a failure on any page fails the whole read, so a half-listed
// collection can never look like the complete one.
func All[O, T, Opt any](ctx context.Context, more func() bool, next func(context.Context, ...Opt) (O, error),
	items func(O) []T) ([]T, error) {
	var out []T
	for n := 0; more(); n++ {
		if n >= MaxPages {
			return nil, fmt.Errorf("more than %d pages: giving up", MaxPages)
		}
		page, err := next(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, items(page)...)
	}
	return out, nil
}

// Tokens drains an API without an SDK paginator. page is called with the
// previous page's token (nil first) and returns the items and the next token;
// an empty or repeated token ends or fails the listing.
func Tokens[T any](ctx context.Context, page func(ctx context.Context, token *string) ([]T, *string, error)) ([]T, error) {
	var (
		out   []T
		token *string
		seen  = map[string]bool{}
	)
	for n := 0; ; n++ {
		if n >= MaxPages {
			return nil, fmt.Errorf("more than %d pages: giving up", MaxPages)
		}
		items, next, err := page(ctx, token)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == nil || *next == "" {
			return out, nil
		}
		if seen[*next] {
			return nil, fmt.Errorf("pagination token %q repeated: giving up", *next)
		}
		seen[*next] = true
		token = next
	}
}

// Code returns the AWS error code of err ("" when it has none).
func Code(err error) string { return aws.ErrorCode(err) }

// IsCode reports whether err carries one of the AWS error codes.
func IsCode(err error, codes ...string) bool {
	c := aws.ErrorCode(err)
	if c == "" {
		return false
	}
	for _, x := range codes {
		if c == x {
			return true
		}
	}
	return false
}
