package checks

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/secsvc"
)

// globalRegion is the Region of results about partition-wide things (IAM,
// the account itself).
const globalRegion = core.GlobalRegion

// day is the unit of every age threshold in the benchmarks.
const day = 24 * time.Hour

// accountARN is the ARN of the account principal. Account-level settings
// (password policy, S3 account Block Public Access, "at least one trail")
// have no ARN of their own; "arn:aws:iam::ACCOUNT:root" is how IAM policies
// name the account, so it is the stable resource for those results.
func accountARN(s *model.Snapshot) string { return rootARN(s) }

// regionalARN builds an ARN for a per-region setting or a wildcard over a
// resource type ("security-group/*") when a whole region's list is unknown.
func regionalARN(s *model.Snapshot, service, region, resource string) string {
	return s.ARNPrefix() + ":" + service + ":" + region + ":" + s.AccountID + ":" + resource
}

// iamARN builds a global IAM ARN such as arn:aws:iam::ACCOUNT:user/*.
func iamARN(s *model.Snapshot, resource string) string {
	return s.ARNPrefix() + ":iam::" + s.AccountID + ":" + resource
}

// orARN returns the collected ARN, or a constructed one when the collector
// left it empty, so every result names a resource.
func orARN(arn, fallback string) string {
	if arn != "" {
		return arn
	}
	return fallback
}

// regionOr returns the resource's region, or the fallback.
func regionOr(m core.Meta, fallback string) string {
	if m.Region != "" {
		return m.Region
	}
	return fallback
}

// snapshotRegions lists the regions a regional rule must answer for: the
// collected regions plus any region that appears in the data (defensive:
// data for a region is never silently skipped).
func snapshotRegions(s *model.Snapshot) []string {
	seen := make(map[string]bool, len(s.Regions))
	var out []string
	add := func(r string) {
		if r != "" && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	for _, r := range s.Regions {
		add(r)
	}
	for i := range s.EC2 {
		add(s.EC2[i].Name)
	}
	for i := range s.Security {
		add(s.Security[i].Name)
	}
	sort.Strings(out)
	return out
}

// secRegion returns the security-service state of a region, or nil.
func secRegion(s *model.Snapshot, name string) *secsvc.Region {
	for i := range s.Security {
		if s.Security[i].Name == name {
			return &s.Security[i]
		}
	}
	return nil
}

// eachEC2Region calls fn for every region with EC2 data. A region that was
// not collected at all yields one UNKNOWN result over unknownResource
// ("security-group/*") so the gap is visible instead of silently passing.
func eachEC2Region(s *model.Snapshot, unknownResource string, fn func(r *ec2.Region) []Result) []Result {
	var out []Result
	for _, name := range snapshotRegions(s) {
		r := s.EC2Region(name)
		if r == nil {
			out = append(out, UnknownR(regionalARN(s, "ec2", name, unknownResource), name,
				"EC2 data for region %s was not collected", name))
			continue
		}
		out = append(out, fn(r)...)
	}
	return out
}

// knownList unwraps a list value; when it is unknown it returns the single
// UNKNOWN result to report instead.
func knownList[T any](v core.Val[[]T], arn, region, what string) ([]T, []Result) {
	list, ok := v.Get()
	if !ok {
		return nil, []Result{UnknownR(arn, region, "%s unreadable: %s", what, v.Why())}
	}
	return list, nil
}

// collectedAt is the snapshot's "now" for every age threshold, so a scan of
// an old snapshot is judged as of its collection and results are
// deterministic. A zero time means age-based rules cannot decide.
func collectedAt(s *model.Snapshot) (time.Time, bool) {
	if s.CollectedAt.IsZero() {
		return time.Time{}, false
	}
	return s.CollectedAt, true
}

// ageDays is the whole number of days from t to now (negative if t is later).
func ageDays(now, t time.Time) int { return int(now.Sub(t) / day) }

// isInternetCIDR reports whether a CIDR is "the whole internet" for its
// family: a prefix length of 0 (0.0.0.0/0, ::/0). Security Hub and CIS
// treat exactly these as unrestricted.
func isInternetCIDR(cidr string) bool {
	p, err := netip.ParsePrefix(strings.TrimSpace(cidr))
	if err != nil {
		return false
	}
	return p.Bits() == 0
}

// tri is a three-valued answer: known true, known false, or unknown with a
// reason. It keeps "could not look" apart from "looked and it is fine".
type tri struct {
	known bool
	v     bool
	why   string
}

func triKnown(v bool) tri     { return tri{known: true, v: v} }
func triUnknown(w string) tri { return tri{why: w} }

// or is Kleene disjunction: a known true wins over unknown.
func (a tri) or(b tri) tri {
	switch {
	case a.known && a.v:
		return a
	case b.known && b.v:
		return b
	case a.known && b.known:
		return triKnown(false)
	case !a.known:
		return a
	default:
		return b
	}
}

// and is Kleene conjunction: a known false wins over unknown.
func (a tri) and(b tri) tri {
	switch {
	case a.known && !a.v:
		return a
	case b.known && !b.v:
		return b
	case a.known && b.known:
		return triKnown(true)
	case !a.known:
		return a
	default:
		return b
	}
}

func (a tri) not() tri {
	if !a.known {
		return a
	}
	return triKnown(!a.v)
}

// verdict folds per-item findings of one resource into one result: any
// failure makes it FAIL, otherwise any unknown makes it UNKNOWN, otherwise
// PASS with passMsg.
type verdict struct {
	fails    []string
	unknowns []string
}

func (v *verdict) fail(format string, a ...any) { v.fails = append(v.fails, fmt.Sprintf(format, a...)) }
func (v *verdict) unknown(format string, a ...any) {
	v.unknowns = append(v.unknowns, fmt.Sprintf(format, a...))
}

func (v *verdict) result(arn, region, passMsg string) Result {
	switch {
	case len(v.fails) > 0:
		return FailR(arn, region, "%s", strings.Join(v.fails, "; "))
	case len(v.unknowns) > 0:
		return UnknownR(arn, region, "%s", strings.Join(v.unknowns, "; "))
	default:
		return PassR(arn, region, "%s", passMsg)
	}
}

// plural returns "1 thing" / "2 things".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
