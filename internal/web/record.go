package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/analyze/privesc"
	"github.com/demarc-sec/demarc/internal/analyze/reach"
	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
	"github.com/demarc-sec/demarc/internal/frameworks"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/responsibility"
	"github.com/demarc-sec/demarc/internal/store"
)

// InventoryItem is one resource of the snapshot.
type InventoryItem struct {
	Kind    string            `json:"kind"`    // model type, e.g. "ec2.Instance"
	Service string            `json:"service"` // the ARN's service, e.g. "ec2"
	ARN     string            `json:"arn"`
	Region  string            `json:"region"`
	Name    string            `json:"name,omitempty"`
	Tags    map[string]string `json:"tags,omitempty"`
}

// Inventory is the ArtifactInventory document.
type Inventory struct {
	Resources []InventoryItem `json:"resources"`
	// UnknownLists gives, per region ("*" for every region), why a list of
	// resources could not be read: the inventory may miss resources there.
	UnknownLists map[string][]string `json:"unknown_lists,omitempty"`
}

// Scores is the ArtifactScores document: what an overview and a trend need
// of a scan, small enough to read for every scan of an account.
type Scores struct {
	Frameworks []FrameworkScore `json:"frameworks"`
	Layers     []LayerScore     `json:"layers"`
	// FailBySeverity counts unsuppressed FAIL results.
	FailBySeverity map[string]int `json:"fail_by_severity"`
}

// FrameworkScore is a framework's score in a scan.
type FrameworkScore struct {
	Key     string         `json:"key"`
	Name    string         `json:"name"`
	Version string         `json:"version"`
	Score   float64        `json:"score"`
	Summary map[string]int `json:"summary"` // controls by status
}

// LayerScore is a customer responsibility layer's results in a scan.
// Score is PASS / (PASS + FAIL) unsuppressed results, in percent, like a
// framework score; UNKNOWN results are counted apart and never as passed.
type LayerScore struct {
	Layer  string         `json:"layer"`
	Counts map[string]int `json:"counts"` // unsuppressed results by status
	Score  float64        `json:"score"`
	Scored bool           `json:"scored"` // false when no result passed or failed
}

// failedDoc is recorded in place of an analysis that failed, so the
// dashboard says so instead of showing an empty graph.
type failedDoc struct {
	Error string `json:"error"`
}

// RecordAnalyses computes, from a scan's snapshot, rules and findings, the
// documents the dashboard draws from, and records them with w: through the
// scan's ScanWriter (in its transaction) or store.ScanArtifacts after the
// commit. An analysis that fails or panics is recorded as {"error": …} and
// reported in the returned error; the others are still recorded.
func RecordAnalyses(ctx context.Context, w store.ArtifactWriter, snap *model.Snapshot, rules []checks.Rule, findings []engine.Finding) error {
	type job struct {
		kind string
		run  func() (any, error)
	}
	jobs := []job{
		{store.ArtifactScores, func() (any, error) { return scoresOf(rules, findings) }},
		{store.ArtifactFrameworks, func() (any, error) { return evaluateFrameworks(rules, findings) }},
		{store.ArtifactResponsibility, func() (any, error) { return responsibility.Build(snap, rules, findings) }},
		{store.ArtifactInventory, func() (any, error) { return inventoryOf(snap), nil }},
		{store.ArtifactExposure, func() (any, error) { return reach.New(snap).Exposure(), nil }},
		{store.ArtifactPrivesc, func() (any, error) {
			return privesc.New(snap, privesc.Options{}).Run(privesc.Query{})
		}},
	}
	var errs []error
	for _, j := range jobs {
		if err := ctx.Err(); err != nil {
			return err
		}
		v, err := safely(j.run)
		if err != nil {
			errs = append(errs, fmt.Errorf("analysis %s: %w", j.kind, err))
			v = failedDoc{Error: err.Error()}
		}
		doc, err := json.Marshal(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("encode analysis %s: %w", j.kind, err))
			continue
		}
		if err := w.PutArtifact(ctx, j.kind, doc); err != nil {
			// A write failure is the store's, not one analysis's: stop.
			return errors.Join(append(errs, err)...)
		}
	}
	return errors.Join(errs...)
}

// safely runs an analysis, turning a panic into an error: one analyzer's
// bug must not lose the scan.
func safely(run func() (any, error)) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error: %v\n%s", p, debug.Stack())
		}
	}()
	return run()
}

// evaluateFrameworks reports every known framework.
func evaluateFrameworks(rules []checks.Rule, findings []engine.Finding) ([]frameworks.Report, error) {
	var out []frameworks.Report
	for _, k := range frameworks.Keys() {
		fw, err := frameworks.Load(k)
		if err != nil {
			return nil, err
		}
		out = append(out, frameworks.Evaluate(fw, rules, findings))
	}
	return out, nil
}

func scoresOf(rules []checks.Rule, findings []engine.Finding) (Scores, error) {
	reps, err := evaluateFrameworks(rules, findings)
	if err != nil {
		return Scores{}, err
	}
	layerOf := map[string]string{}
	for _, r := range rules {
		layerOf[r.ID] = r.Responsibility
	}
	counts := map[string]map[string]int{}
	fails := map[string]int{}
	for _, f := range findings {
		if f.Suppressed {
			continue
		}
		l := f.Responsibility
		if l == "" {
			l = layerOf[f.RuleID]
		}
		if counts[l] == nil {
			counts[l] = map[string]int{}
		}
		counts[l][string(f.Status)]++
		if f.Status == checks.Fail {
			fails[string(f.Severity)]++
		}
	}
	return buildScores(reps, counts, fails), nil
}

// buildScores assembles Scores from framework reports and unsuppressed
// result counts per layer.
func buildScores(reps []frameworks.Report, layerCounts map[string]map[string]int, fails map[string]int) Scores {
	s := Scores{Frameworks: []FrameworkScore{}, Layers: []LayerScore{}, FailBySeverity: fails}
	for _, r := range reps {
		s.Frameworks = append(s.Frameworks, FrameworkScore{Key: r.Framework, Name: r.Name, Version: r.Version, Score: r.Score, Summary: r.Summary})
	}
	for l, c := range layerCounts {
		ls := LayerScore{Layer: l, Counts: c}
		if d := c[string(checks.Pass)] + c[string(checks.Fail)]; d > 0 {
			ls.Scored = true
			ls.Score = float64(int(1000*float64(c[string(checks.Pass)])/float64(d)+0.5)) / 10
		}
		s.Layers = append(s.Layers, ls)
	}
	sort.Slice(s.Layers, func(i, j int) bool { return s.Layers[i].Layer < s.Layers[j].Layer })
	return s
}

// inventoryOf lists the account's resources. AWS-managed policies (account
// "aws") are left out: every account sees the same thousand of them.
func inventoryOf(s *model.Snapshot) Inventory {
	inv := Inventory{Resources: []InventoryItem{}, UnknownLists: model.UnknownLists(s)}
	seen := map[string]bool{}
	model.Walk(s, func(r model.Resource) {
		arn := r.Meta.ARN
		if arn == "" || seen[r.Kind+"\x00"+arn] || strings.Contains(arn, ":iam::aws:") {
			return
		}
		seen[r.Kind+"\x00"+arn] = true
		inv.Resources = append(inv.Resources, InventoryItem{
			Kind: r.Kind, Service: arnService(arn), ARN: arn, Region: r.Meta.Region,
			Name: resourceName(r), Tags: r.Meta.Tags,
		})
	})
	sort.Slice(inv.Resources, func(i, j int) bool {
		a, b := inv.Resources[i], inv.Resources[j]
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.ARN < b.ARN
	})
	return inv
}

// arnService returns the service part of an ARN ("arn:aws:s3:::b" → "s3").
func arnService(arn string) string {
	parts := strings.SplitN(arn, ":", 4)
	if len(parts) < 3 || parts[2] == "" {
		return "other"
	}
	return parts[2]
}

// resourceName is the Name tag, else the resource's Name or ID field.
func resourceName(r model.Resource) string {
	if n := r.Meta.Tags["Name"]; n != "" {
		return n
	}
	v := reflect.ValueOf(r.Value)
	if v.Kind() == reflect.Struct {
		for _, f := range []string{"Name", "ID"} {
			if fv := v.FieldByName(f); fv.IsValid() && fv.Kind() == reflect.String && fv.String() != "" {
				return fv.String()
			}
		}
	}
	return ""
}
