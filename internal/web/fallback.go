package web

import (
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
	"github.com/demarc-sec/demarc/internal/frameworks"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/responsibility"
	"github.com/demarc-sec/demarc/internal/store"
)

// A scan recorded without the dashboard's artifacts (by a demarc that did
// not call RecordAnalyses) still gets scores, framework reports and a
// matrix, rebuilt from its finding counts. The evaluators are reused, not
// re-implemented: they are given one finding per rule and status (their
// statuses depend only on which statuses occur), and their counts are then
// replaced by the real ones.

// ruleCounts are a scan's unsuppressed results by rule ID and status.
type ruleCounts map[string]map[string]int

func countsOf(st *scanStats) ruleCounts {
	rc := ruleCounts{}
	for _, c := range st.counts {
		if c.Suppressed {
			continue
		}
		id := st.metas[c.RuleRef].RuleID
		if rc[id] == nil {
			rc[id] = map[string]int{}
		}
		rc[id][string(c.Status)] += c.N
	}
	return rc
}

// rulesOf merges the rules the scan recorded (as recorded) with the
// server's, so a rule that produced no result still maps its controls.
func rulesOf(st *scanStats, known []checks.Rule) []checks.Rule {
	seen := map[string]bool{}
	var out []checks.Rule
	refs := make([]int64, 0, len(st.metas))
	for ref := range st.metas {
		refs = append(refs, ref)
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i] < refs[j] })
	for _, ref := range refs {
		m := st.metas[ref]
		if seen[m.RuleID] {
			continue
		}
		seen[m.RuleID] = true
		out = append(out, checks.Rule{ID: m.RuleID, Title: m.Title, Service: m.Service, Severity: m.Severity,
			Responsibility: m.Responsibility, Frameworks: m.Frameworks})
	}
	for _, r := range known {
		if !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// representatives returns one finding per rule and status present, plus
// one suppressed finding per rule seen only suppressed (so a service with
// only suppressed results still counts as in use).
func representatives(st *scanStats) []engine.Finding {
	type key struct {
		id     string
		status checks.Status
		supp   bool
	}
	seen := map[key]bool{}
	var out []engine.Finding
	for _, c := range st.counts {
		m := st.metas[c.RuleRef]
		k := key{m.RuleID, c.Status, c.Suppressed}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, engine.Finding{RuleID: m.RuleID, Title: m.Title, Service: m.Service, Status: c.Status,
			Severity: m.Severity, Responsibility: m.Responsibility, Frameworks: m.Frameworks, Suppressed: c.Suppressed})
	}
	return out
}

func sumCounts(rc ruleCounts, rules []string) map[string]int {
	out := map[string]int{}
	for _, r := range rules {
		for s, n := range rc[r] {
			out[s] += n
		}
	}
	return out
}

func frameworksFromStats(st *scanStats, known []checks.Rule) ([]frameworks.Report, error) {
	rules := rulesOf(st, known)
	reps, err := evaluateFrameworks(rules, representatives(st))
	if err != nil {
		return nil, err
	}
	rc := countsOf(st)
	for i := range reps {
		for j := range reps[i].Controls {
			reps[i].Controls[j].Counts = sumCounts(rc, reps[i].Controls[j].Rules)
		}
	}
	return reps, nil
}

func scoresFromStats(st *scanStats, known []checks.Rule) (Scores, error) {
	reps, err := frameworksFromStats(st, known)
	if err != nil {
		return Scores{}, err
	}
	layers := map[string]map[string]int{}
	fails := map[string]int{}
	for _, c := range st.counts {
		if c.Suppressed {
			continue
		}
		m := st.metas[c.RuleRef]
		if layers[m.Responsibility] == nil {
			layers[m.Responsibility] = map[string]int{}
		}
		layers[m.Responsibility][string(c.Status)] += c.N
		if c.Status == checks.Fail {
			fails[string(m.Severity)] += c.N
		}
	}
	return buildScores(reps, layers, fails), nil
}

// matrixFromStats rebuilds the matrix. The snapshot is not stored, so it
// stands in a snapshot that holds what the findings prove exists: an
// instance, volume, snapshot or VPC that a rule reported on. S3 buckets
// are left unknown, which the matrix counts as in use.
func matrixFromStats(st *scanStats, resources []store.ResourceCount, account string, known []checks.Rule) (responsibility.Matrix, error) {
	snap := &model.Snapshot{AccountID: account}
	var reg ec2.Region
	for _, r := range resources {
		m := core.Meta{ARN: r.ResourceARN, Region: r.Region}
		switch {
		case strings.Contains(r.ResourceARN, ":instance/"):
			reg.Instances = core.Known(append(reg.Instances.V, ec2.Instance{Meta: m}))
		case strings.Contains(r.ResourceARN, ":volume/"):
			reg.Volumes = core.Known(append(reg.Volumes.V, ec2.Volume{Meta: m}))
		case strings.Contains(r.ResourceARN, ":snapshot/"):
			reg.Snapshots = core.Known(append(reg.Snapshots.V, ec2.Snapshot{Meta: m}))
		case strings.Contains(r.ResourceARN, ":vpc/"), strings.Contains(r.ResourceARN, ":security-group/"),
			strings.Contains(r.ResourceARN, ":subnet/"), strings.Contains(r.ResourceARN, ":network-acl/"):
			reg.VPCs = core.Known(append(reg.VPCs.V, ec2.VPC{Meta: m}))
		}
	}
	snap.EC2 = []ec2.Region{reg}
	rules := rulesOf(st, known)
	m, err := responsibility.Build(snap, rules, representatives(st))
	if err != nil {
		return m, err
	}
	rc := countsOf(st)
	for i := range m.Services {
		for j := range m.Services[i].Customer {
			m.Services[i].Customer[j].Counts = sumCounts(rc, m.Services[i].Customer[j].Rules)
		}
	}
	return m, nil
}
