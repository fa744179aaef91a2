// Package frameworks holds the control catalogues of the compliance
// frameworks demarc maps its rules to (CIS AWS Foundations v5.0, AWS FSBP)
// and evaluates per-control status and scores from findings.
package frameworks

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
)

//go:embed data/*.json
var data embed.FS

// Control is one control of a framework.
type Control struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Section     string `json:"section,omitempty"`
	Service     string `json:"service,omitempty"`
	Profile     string `json:"profile,omitempty"`
	Assessment  string `json:"assessment,omitempty"` // CIS: Automated | Manual
	Severity    string `json:"severity,omitempty"`
	Description string `json:"description,omitempty"`
}

// Framework is a catalogue of controls.
type Framework struct {
	Key      string    `json:"key"` // cis-aws-5.0 | aws-fsbp
	Name     string    `json:"framework"`
	Version  string    `json:"version"`
	Source   string    `json:"source"`
	Controls []Control `json:"controls"`
}

var files = map[string]string{checks.CIS50: "data/cis-aws-5.0.json", checks.FSBP: "data/aws-fsbp.json"}

// Keys lists the known framework keys.
func Keys() []string { return []string{checks.CIS50, checks.FSBP} }

// Load returns a framework by key.
func Load(key string) (*Framework, error) {
	p, ok := files[key]
	if !ok {
		return nil, fmt.Errorf("unknown framework %q (known: %s)", key, strings.Join(Keys(), ", "))
	}
	b, err := data.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("read framework %s: %w", key, err)
	}
	var f Framework
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("parse framework %s: %w", key, err)
	}
	f.Key = key
	sort.SliceStable(f.Controls, func(i, j int) bool { return lessID(f.Controls[i].ID, f.Controls[j].ID) })
	return &f, nil
}

// lessID orders "1.10" after "1.9" and "EC2.10" after "EC2.9".
func lessID(a, b string) bool {
	pa, pb := splitID(a), splitID(b)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		switch {
		case ea == nil && eb == nil && na != nb:
			return na < nb
		case (ea != nil || eb != nil) && pa[i] != pb[i]:
			return pa[i] < pb[i]
		}
	}
	return len(pa) < len(pb)
}

func splitID(s string) []string { return strings.Split(s, ".") }

// Control statuses in a framework report.
const (
	StatusPass           = "PASS"
	StatusFail           = "FAIL"
	StatusUnknown        = "UNKNOWN"
	StatusManual         = "MANUAL"
	StatusNotImplemented = "NOT_IMPLEMENTED"
	StatusNoResources    = "NO_RESOURCES" // rules ran, nothing in scope
)

// ControlResult is one control's status in a scan.
type ControlResult struct {
	Control
	Status  string         `json:"status"`
	Rules   []string       `json:"rules"`
	Counts  map[string]int `json:"counts"` // results by status
	Message string         `json:"message,omitempty"`
}

// Report is a framework's per-control status and score.
type Report struct {
	Framework string          `json:"framework"`
	Name      string          `json:"name"`
	Version   string          `json:"version"`
	Controls  []ControlResult `json:"controls"`
	// Score is PASS controls / (PASS + FAIL) automated controls, in percent;
	// UNKNOWN controls are listed separately and never counted as passed.
	Score   float64        `json:"score"`
	Summary map[string]int `json:"summary"` // controls by status
}

// RulesByControl maps control ID → rule IDs citing it.
func RulesByControl(key string, rules []checks.Rule) map[string][]string {
	m := map[string][]string{}
	for _, r := range rules {
		for _, id := range r.Frameworks[key] {
			m[id] = append(m[id], r.ID)
		}
	}
	for k := range m {
		sort.Strings(m[k])
	}
	return m
}

// Evaluate builds the framework report from the findings of a scan.
// A control FAILs if any result of its rules fails; it is UNKNOWN if none
// fails but one is unknown; PASS only if every result passes.
func Evaluate(f *Framework, rules []checks.Rule, findings []engine.Finding) Report {
	byRule := map[string]map[string]int{}
	for _, x := range findings {
		if x.Suppressed {
			continue
		}
		c := byRule[x.RuleID]
		if c == nil {
			c = map[string]int{}
			byRule[x.RuleID] = c
		}
		c[string(x.Status)]++
	}
	ruleMap := RulesByControl(f.Key, rules)
	rep := Report{Framework: f.Key, Name: f.Name, Version: f.Version, Summary: map[string]int{}}
	for _, c := range f.Controls {
		cr := ControlResult{Control: c, Rules: ruleMap[c.ID], Counts: map[string]int{}}
		if cr.Rules == nil {
			cr.Rules = []string{}
		}
		for _, r := range cr.Rules {
			for s, n := range byRule[r] {
				cr.Counts[s] += n
			}
		}
		switch {
		case len(cr.Rules) == 0 && c.Assessment == "Manual":
			cr.Status = StatusManual
			cr.Message = "manual control: verify by hand"
		case len(cr.Rules) == 0:
			cr.Status = StatusNotImplemented
			cr.Message = "no demarc rule covers this control yet"
		case cr.Counts["FAIL"] > 0:
			cr.Status = StatusFail
		case cr.Counts["UNKNOWN"] > 0:
			cr.Status = StatusUnknown
		case cr.Counts["PASS"] > 0:
			cr.Status = StatusPass
		case cr.Counts["MANUAL"] > 0:
			cr.Status = StatusManual
		default:
			cr.Status = StatusNoResources
		}
		rep.Summary[cr.Status]++
		rep.Controls = append(rep.Controls, cr)
	}
	if d := rep.Summary[StatusPass] + rep.Summary[StatusFail]; d > 0 {
		rep.Score = float64(int(1000*float64(rep.Summary[StatusPass])/float64(d)+0.5)) / 10
	}
	return rep
}
