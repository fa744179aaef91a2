// Package responsibility draws the shared-responsibility line for an
// account: for every service in use, the layers AWS owns (with the
// compliance programmes that attest them, as reference data) and the layers
// the customer owns, each with the live status of the rules behind it.
package responsibility

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
	"github.com/demarc-sec/demarc/internal/model"
)

//go:embed data/services.json
var servicesJSON []byte

// Layer statuses. A customer layer is PASS only when every result of every
// rule behind it passed; UNKNOWN results are never rounded up.
const (
	StatusPass        = "PASS"
	StatusFail        = "FAIL"
	StatusUnknown     = "UNKNOWN"
	StatusNoResources = "NO_RESOURCES" // rules exist, nothing in scope
	StatusNotAssessed = "NOT_ASSESSED" // no demarc rule covers this layer for this service yet
	StatusManual      = "MANUAL"       // only a human can judge it (data classification)
)

type catalogue struct {
	Source         string            `json:"source"`
	AWSLayers      map[string]string `json:"aws_layers"`
	CustomerLayers map[string]string `json:"customer_layers"`
	Attestations   []string          `json:"attestations"`
	Services       []serviceDef      `json:"services"`
}

type serviceDef struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	Category       string   `json:"category"` // infrastructure | container | abstracted
	AWSLayers      []string `json:"aws_layers"`
	CustomerLayers []string `json:"customer_layers"`
	RuleServices   []string `json:"rule_services"`
}

// AWSLayer is a layer AWS secures for a service.
type AWSLayer struct {
	Layer        string   `json:"layer"`
	Description  string   `json:"description"`
	Attestations []string `json:"attestations"`
}

// CustomerLayer is a layer the customer secures, with its live status.
type CustomerLayer struct {
	Layer       string         `json:"layer"`
	Description string         `json:"description"`
	Status      string         `json:"status"`
	Counts      map[string]int `json:"counts"`
	Rules       []string       `json:"rules"`
}

// Service is one row of the matrix.
type Service struct {
	ID             string          `json:"service"`
	Name           string          `json:"name"`
	Category       string          `json:"category"`
	AWS            []AWSLayer      `json:"aws_layers"`
	Customer       []CustomerLayer `json:"customer_layers"`
	CustomerStatus string          `json:"customer_status"` // worst of the customer layers
}

// Matrix is the shared-responsibility view of one account.
type Matrix struct {
	AccountID string    `json:"account_id"`
	Source    string    `json:"source"`
	Services  []Service `json:"services"`
}

func load() (*catalogue, error) {
	var c catalogue
	if err := json.Unmarshal(servicesJSON, &c); err != nil {
		return nil, fmt.Errorf("parse responsibility catalogue: %w", err)
	}
	return &c, nil
}

// inUse says whether the snapshot shows the service in use. Account-wide
// duties (IAM, CloudTrail, the detection services) always apply.
func inUse(id string, s *model.Snapshot, findings map[string]bool) bool {
	switch id {
	case "iam", "cloudtrail", "security-services":
		return true
	case "s3":
		b, ok := s.S3.Buckets.Get()
		return !ok || len(b) > 0
	case "ec2":
		for _, r := range s.EC2 {
			if v, ok := r.Instances.Get(); ok && len(v) > 0 {
				return true
			}
		}
		return false
	case "ebs":
		for _, r := range s.EC2 {
			if v, ok := r.Volumes.Get(); ok && len(v) > 0 {
				return true
			}
			if v, ok := r.Snapshots.Get(); ok && len(v) > 0 {
				return true
			}
		}
		return false
	case "vpc":
		for _, r := range s.EC2 {
			if v, ok := r.VPCs.Get(); ok && len(v) > 0 {
				return true
			}
		}
		return false
	}
	// Services without a dedicated detector: in use when rules produced
	// results for them.
	return findings[id]
}

// Build computes the matrix from a snapshot and its findings.
func Build(s *model.Snapshot, rules []checks.Rule, findings []engine.Finding) (Matrix, error) {
	cat, err := load()
	if err != nil {
		return Matrix{}, err
	}
	type key struct{ service, layer string }
	rulesBy := map[key][]string{}
	for _, r := range rules {
		rulesBy[key{r.Service, r.Responsibility}] = append(rulesBy[key{r.Service, r.Responsibility}], r.ID)
	}
	countsBy := map[key]map[string]int{}
	seen := map[string]bool{}
	for _, f := range findings {
		seen[f.Service] = true
		if f.Suppressed {
			continue
		}
		k := key{f.Service, f.Responsibility}
		if f.Responsibility == checks.LayerRegion {
			// Region rules are account-wide; each result belongs to the
			// service of the resource it names.
			k.service = arnService(f.ResourceARN)
			rulesBy[k] = appendUnique(rulesBy[k], f.RuleID)
		}
		if countsBy[k] == nil {
			countsBy[k] = map[string]int{}
		}
		countsBy[k][string(f.Status)]++
	}
	m := Matrix{AccountID: s.AccountID, Source: cat.Source}
	for _, def := range cat.Services {
		used := inUse(def.ID, s, map[string]bool{def.ID: anySeen(seen, def.RuleServices)})
		if !used {
			continue
		}
		row := Service{ID: def.ID, Name: def.Name, Category: def.Category}
		for _, l := range def.AWSLayers {
			row.AWS = append(row.AWS, AWSLayer{Layer: l, Description: cat.AWSLayers[l], Attestations: cat.Attestations})
		}
		worst := ""
		for _, l := range def.CustomerLayers {
			cl := CustomerLayer{Layer: l, Description: cat.CustomerLayers[l], Counts: map[string]int{}, Rules: []string{}}
			for _, rs := range def.RuleServices {
				cl.Rules = append(cl.Rules, rulesBy[key{rs, l}]...)
				for st, n := range countsBy[key{rs, l}] {
					cl.Counts[st] += n
				}
			}
			sort.Strings(cl.Rules)
			cl.Status = layerStatus(l, cl)
			row.Customer = append(row.Customer, cl)
			if rank(cl.Status) > rank(worst) {
				worst = cl.Status
			}
		}
		row.CustomerStatus = worst
		m.Services = append(m.Services, row)
	}
	return m, nil
}

func anySeen(seen map[string]bool, ids []string) bool {
	for _, id := range ids {
		if seen[id] {
			return true
		}
	}
	return false
}

func layerStatus(layer string, cl CustomerLayer) string {
	switch {
	case cl.Counts["FAIL"] > 0:
		return StatusFail
	case cl.Counts["UNKNOWN"] > 0:
		return StatusUnknown
	case cl.Counts["PASS"] > 0:
		return StatusPass
	case len(cl.Rules) > 0:
		return StatusNoResources
	case layer == "data-classification":
		return StatusManual
	}
	return StatusNotAssessed
}

// rank orders statuses from best to worst for the row summary.
func rank(s string) int {
	switch s {
	case StatusFail:
		return 6
	case StatusUnknown:
		return 5
	case StatusNotAssessed:
		return 4
	case StatusManual:
		return 3
	case StatusPass:
		return 2
	case StatusNoResources:
		return 1
	}
	return 0
}

// arnService returns the service segment of an ARN ("" if none).
func arnService(arn string) string {
	parts := strings.SplitN(arn, ":", 4)
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}

func appendUnique(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}
