package checks

import (
	"sort"
	"time"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
)

// svcRegions describes how to read one service's per-region state: the
// snapshot holds a []R per service (Lambda, DynamoDB, ECR, …), each element
// naming its region and holding a list that may be unknown.
type svcRegions[R any, T any] struct {
	service  string // ARN service of the wildcard resource: "lambda"
	what     string // "Lambda functions"
	wildcard string // resource of the UNKNOWN result: "function:*"
	regions  []R
	name     func(*R) string
	list     func(*R) core.Val[[]T]
}

// each calls fn for every region with a known list. A region that was not
// collected at all, or whose list could not be read, yields one UNKNOWN
// result over the wildcard resource, so a gap never reads as "nothing to
// check". Regions are the snapshot's plus any that appear in the service's
// own data.
func (sr svcRegions[R, T]) each(s *model.Snapshot, fn func(region string, items []T) []Result) []Result {
	byName := make(map[string]*R, len(sr.regions))
	names := snapshotRegions(s)
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		seen[n] = true
	}
	for i := range sr.regions {
		n := sr.name(&sr.regions[i])
		if _, dup := byName[n]; !dup {
			byName[n] = &sr.regions[i]
		}
		if n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var out []Result
	for _, name := range names {
		wild := regionalARN(s, sr.service, name, sr.wildcard)
		r := byName[name]
		if r == nil {
			out = append(out, UnknownR(wild, name, "%s in region %s were not collected", sr.what, name))
			continue
		}
		items, unk := knownList(sr.list(r), wild, name, sr.what+" in "+name)
		if unk != nil {
			out = append(out, unk...)
			continue
		}
		out = append(out, fn(name, items)...)
	}
	return out
}

// eachItem is each with one result (or none, when judge returns nil) per
// item.
func (sr svcRegions[R, T]) eachItem(s *model.Snapshot, judge func(region string, item T) *Result) []Result {
	return sr.each(s, func(region string, items []T) []Result {
		out := make([]Result, 0, len(items))
		for _, it := range items {
			if r := judge(region, it); r != nil {
				out = append(out, *r)
			}
		}
		return out
	})
}

// rp returns a pointer to r, for judges that may also return nil (the
// resource is outside the control's scope).
func rp(r Result) *Result { return &r }

// dateText formats a date for messages.
func dateText(t time.Time) string { return t.UTC().Format("2006-01-02") }
