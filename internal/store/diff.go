package store

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
)

// DiffEntry is one finding that changed (or did not) between two scans,
// matched by fingerprint (rule, account, resource, region).
type DiffEntry struct {
	engine.Finding
	// Previous and Current are the statuses in the older and newer scan;
	// empty when the finding is absent from that scan.
	Previous checks.Status `json:"previous_status"`
	Current  checks.Status `json:"current_status"`
	// Reason says why an entry is in its group when the statuses alone do
	// not (a resource that disappeared, a region not scanned again).
	Reason string `json:"reason,omitempty"`
}

// Diff is what changed between two scans. A FAIL is never reported as
// resolved unless the newer scan shows it passing, or ran the same rule
// over the same region and no longer reports the resource; a FAIL that
// became UNKNOWN, or whose region or rule the newer scan did not cover,
// goes to Unknown: demarc cannot tell.
type Diff struct {
	From         Scan        `json:"from"`
	To           Scan        `json:"to"`
	New          []DiffEntry `json:"new"`           // FAIL now, not FAIL before
	Resolved     []DiffEntry `json:"resolved"`      // FAIL before, PASS now or gone
	StillFailing []DiffEntry `json:"still_failing"` // FAIL in both
	Unknown      []DiffEntry `json:"unknown"`       // FAIL before, cannot tell now
}

// statusRank picks the worst status when one fingerprint has several
// results in a scan.
func statusRank(s checks.Status) int {
	switch s {
	case checks.Fail:
		return 3
	case checks.Unknown:
		return 2
	case checks.Manual:
		return 1
	}
	return 0
}

// byFingerprint indexes findings, keeping the worst result per fingerprint.
func byFingerprint(fs []engine.Finding) map[string]*engine.Finding {
	m := make(map[string]*engine.Finding, len(fs))
	for i := range fs {
		f := &fs[i]
		if old, ok := m[f.Fingerprint]; !ok || statusRank(f.Status) > statusRank(old.Status) {
			m[f.Fingerprint] = f
		}
	}
	return m
}

// Compare computes the diff of two scans' findings. It is pure: scan
// --since-last calls it with the findings in memory.
func Compare(from, to Scan, oldFindings, newFindings []engine.Finding) Diff {
	d := Diff{From: from, To: to, New: []DiffEntry{}, Resolved: []DiffEntry{}, StillFailing: []DiffEntry{}, Unknown: []DiffEntry{}}
	olds, news := byFingerprint(oldFindings), byFingerprint(newFindings)
	rulesRun := map[string]bool{}
	for _, f := range newFindings {
		rulesRun[f.RuleID] = true
	}
	regionScanned := func(r string) bool {
		return r == "global" || slices.Contains(to.Regions, r)
	}
	for fp, n := range news {
		o, had := olds[fp]
		e := DiffEntry{Finding: *n, Current: n.Status}
		if had {
			e.Previous = o.Status
		}
		switch {
		case n.Status == checks.Fail && had && o.Status == checks.Fail:
			d.StillFailing = append(d.StillFailing, e)
		case n.Status == checks.Fail:
			d.New = append(d.New, e)
		case had && o.Status == checks.Fail && n.Status == checks.Pass:
			d.Resolved = append(d.Resolved, e)
		case had && o.Status == checks.Fail:
			e.Reason = "now " + string(n.Status) + ": " + n.Message
			d.Unknown = append(d.Unknown, e)
		}
	}
	for fp, o := range olds {
		if _, ok := news[fp]; ok || o.Status != checks.Fail {
			continue
		}
		e := DiffEntry{Finding: *o, Previous: o.Status}
		switch {
		case to.Partial:
			e.Reason = "not reported by the newer scan, which was interrupted"
			d.Unknown = append(d.Unknown, e)
		case !rulesRun[o.RuleID]:
			e.Reason = "the newer scan has no results for rule " + o.RuleID
			d.Unknown = append(d.Unknown, e)
		case !regionScanned(o.Region):
			e.Reason = "region " + o.Region + " was not scanned again"
			d.Unknown = append(d.Unknown, e)
		default:
			e.Reason = "the resource is no longer reported (deleted?)"
			d.Resolved = append(d.Resolved, e)
		}
	}
	for _, g := range [][]DiffEntry{d.New, d.Resolved, d.StillFailing, d.Unknown} {
		sortEntries(g)
	}
	return d
}

// sortEntries orders an entry group most severe first, then like
// engine.Sort, so diffs are deterministic.
func sortEntries(es []DiffEntry) {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.Severity.Rank() != b.Severity.Rank() {
			return a.Severity.Rank() > b.Severity.Rank()
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		if a.ResourceARN != b.ResourceARN {
			return a.ResourceARN < b.ResourceARN
		}
		return a.Fingerprint < b.Fingerprint
	})
}

// LoadFindings reads every finding of a scan into memory.
func LoadFindings(ctx context.Context, s Store, scanID int64) ([]engine.Finding, error) {
	var out []engine.Finding
	err := s.Findings(ctx, scanID, func(f engine.Finding) error {
		out = append(out, f)
		return nil
	})
	return out, err
}

// DiffScans compares two recorded scans.
func DiffScans(ctx context.Context, s Store, fromID, toID int64) (Diff, error) {
	from, err := s.Scan(ctx, fromID)
	if err != nil {
		return Diff{}, err
	}
	to, err := s.Scan(ctx, toID)
	if err != nil {
		return Diff{}, err
	}
	oldF, err := LoadFindings(ctx, s, fromID)
	if err != nil {
		return Diff{}, err
	}
	newF, err := LoadFindings(ctx, s, toID)
	if err != nil {
		return Diff{}, err
	}
	return Compare(from, to, oldF, newF), nil
}

// Previous returns the newest scan of the same account older than sc, or
// ErrNotFound.
func Previous(ctx context.Context, s Store, sc Scan) (Scan, error) {
	scans, err := s.Scans(ctx, Filter{AccountID: sc.AccountID, Before: &sc, Limit: 1})
	if err != nil {
		return Scan{}, err
	}
	if len(scans) == 0 {
		return Scan{}, fmt.Errorf("no scan of account %s before scan %d: %w", sc.AccountID, sc.ID, ErrNotFound)
	}
	return scans[0], nil
}

// Latest returns the newest scan of an account (any account when empty),
// or ErrNotFound.
func Latest(ctx context.Context, s Store, accountID string) (Scan, error) {
	scans, err := s.Scans(ctx, Filter{AccountID: accountID, Limit: 1})
	if err != nil {
		return Scan{}, err
	}
	if len(scans) == 0 {
		if accountID == "" {
			return Scan{}, fmt.Errorf("the store has no scans: %w", ErrNotFound)
		}
		return Scan{}, fmt.Errorf("no scan of account %s: %w", accountID, ErrNotFound)
	}
	return scans[0], nil
}
