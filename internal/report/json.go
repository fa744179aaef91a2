package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/demarc-sec/demarc/internal/engine"
	"github.com/demarc-sec/demarc/internal/model/core"
)

// JSONSchemaVersion is the version of the scan JSON document
// (docs/json-output.md).
//
// Changelog:
//
//	1: first version: tool, account_id, partition, regions, collected_at,
//	   partial, summary, coverage, results[] with rule_id, title, service,
//	   status, severity, responsibility, resource_arn, region, account_id,
//	   frameworks, message, fingerprint.
const JSONSchemaVersion = 1

// ScanMeta describes the scan a set of findings came from.
type ScanMeta struct {
	ToolVersion string              `json:"-"`
	AccountID   string              `json:"account_id"`
	Partition   string              `json:"partition"`
	Regions     []string            `json:"regions"`
	CollectedAt time.Time           `json:"collected_at"`
	Partial     bool                `json:"partial"`
	Errors      []core.CollectError `json:"-"`
	// Optional sections, present when requested (scan --framework, the
	// shared-responsibility matrix).
	Frameworks     any `json:"frameworks,omitempty"`
	Responsibility any `json:"responsibility,omitempty"`
}

type jsonHeader struct {
	SchemaVersion int            `json:"schema_version"`
	Tool          map[string]any `json:"tool"`
	ScanMeta
	Summary  engine.Summary `json:"summary"`
	Coverage jsonCoverage   `json:"coverage"`
}

type jsonCoverage struct {
	Errors []core.CollectError `json:"errors"`
}

// WriteJSON writes the versioned scan document. Results are streamed one at
// a time so memory does not grow with the encoding of the whole list.
func WriteJSON(w io.Writer, meta ScanMeta, sum engine.Summary, findings []engine.Finding) error {
	bw := bufio.NewWriter(w)
	errs := meta.Errors
	if errs == nil {
		errs = []core.CollectError{}
	}
	regions := meta.Regions
	if regions == nil {
		meta.Regions = []string{}
	}
	h := jsonHeader{
		SchemaVersion: JSONSchemaVersion,
		Tool:          map[string]any{"name": "demarc", "version": meta.ToolVersion},
		ScanMeta:      meta,
		Summary:       sum,
		Coverage:      jsonCoverage{Errors: errs},
	}
	hb, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return fmt.Errorf("encode scan header: %w", err)
	}
	// Re-open the header object to append the results array.
	bw.Write(hb[:len(hb)-2])
	bw.WriteString(",\n  \"results\": [")
	for i, f := range findings {
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n    ")
		fb, err := json.Marshal(f)
		if err != nil {
			return fmt.Errorf("encode finding %s: %w", f.RuleID, err)
		}
		bw.Write(fb)
	}
	if len(findings) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}
