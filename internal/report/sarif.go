package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
)

// SARIF 2.1.0 (OASIS, errata 01):
// https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/sarif-v2.1.0-errata01-os-complete.html
const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	// sarifFingerprintKey names demarc's stable fingerprint in
	// partialFingerprints; the "/v1" follows engine.FingerprintVersion so a
	// recipe change does not collide with old alerts.
	sarifFingerprintKey = "demarcFingerprint/" + engine.FingerprintVersion
	toolInformationURI  = "https://github.com/demarc-sec/demarc"
)

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifLogicalLocation struct {
	Name               string `json:"name,omitempty"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

type sarifLocation struct {
	LogicalLocations []sarifLogicalLocation `json:"logicalLocations"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Kind                string             `json:"kind"`
	Level               string             `json:"level"`
	Message             sarifMessage       `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          sarifResultProps   `json:"properties"`
}

// sarifResultProps keep the exact, unsanitized values for machines; the
// human-facing message and location names are sanitized.
type sarifResultProps struct {
	Status      string `json:"status"`
	Severity    string `json:"severity"`
	AccountID   string `json:"account_id"`
	Region      string `json:"region"`
	ResourceARN string `json:"resource_arn"`
	Service     string `json:"service"`
}

type sarifRule struct {
	ID                   string          `json:"id"`
	ShortDescription     sarifMessage    `json:"shortDescription"`
	FullDescription      *sarifMessage   `json:"fullDescription,omitempty"`
	Help                 *sarifMessage   `json:"help,omitempty"`
	HelpURI              string          `json:"helpUri,omitempty"`
	DefaultConfiguration sarifRuleConfig `json:"defaultConfiguration"`
	Properties           sarifRuleProps  `json:"properties"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags             []string            `json:"tags"`
	SecuritySeverity string              `json:"security-severity"`
	Severity         string              `json:"severity"`
	Responsibility   string              `json:"responsibility,omitempty"`
	Frameworks       map[string][]string `json:"frameworks,omitempty"`
}

type sarifNotification struct {
	Level   string       `json:"level"`
	Message sarifMessage `json:"message"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	EndTimeUTC                 string              `json:"endTimeUtc,omitempty"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRunTail struct {
	Tool struct {
		Driver sarifDriver `json:"driver"`
	} `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Properties  map[string]any    `json:"properties"`
}

// sarifWriter streams results, then writes the rules (known only once every
// rule has been seen) after them: SARIF does not order a run's properties.
type sarifWriter struct {
	bw     *bufio.Writer
	buf    bytes.Buffer
	enc    *json.Encoder
	meta   ScanMeta
	opts   Options
	rules  []sarifRule
	ruleIx map[string]int
	n      int
}

func newSARIFWriter(w io.Writer, meta ScanMeta, opts Options) (*sarifWriter, error) {
	s := &sarifWriter{bw: bufio.NewWriterSize(w, 64<<10), meta: meta, opts: opts, ruleIx: map[string]int{}}
	s.enc = json.NewEncoder(&s.buf)
	fmt.Fprintf(s.bw, "{\n  \"$schema\": %q,\n  \"version\": %q,\n  \"runs\": [\n    {\n      \"results\": [", sarifSchema, sarifVersion)
	return s, nil
}

func (s *sarifWriter) rule(f *engine.Finding) int {
	if i, ok := s.ruleIx[f.RuleID]; ok {
		return i
	}
	r := sarifRule{
		ID:                   f.RuleID,
		ShortDescription:     sarifMessage{Text: SARIFText(f.Title)},
		DefaultConfiguration: sarifRuleConfig{Level: sarifLevel(f.Severity)},
		Properties: sarifRuleProps{
			Tags:             uniqueSorted([]string{"security", "aws", f.Service, f.Responsibility}),
			SecuritySeverity: sarifSecuritySeverity(f.Severity),
			Severity:         string(f.Severity),
			Responsibility:   f.Responsibility,
			Frameworks:       f.Frameworks,
		},
	}
	if r.ShortDescription.Text == "" {
		r.ShortDescription.Text = f.RuleID
	}
	if s.opts.Rules != nil {
		if rule, ok := s.opts.Rules.Get(f.RuleID); ok {
			if rule.Description != "" {
				r.FullDescription = &sarifMessage{Text: sarifEscapeBrackets(sanitizeText(rule.Description))}
			}
			if rule.Remediation != "" {
				r.Help = &sarifMessage{Text: sarifEscapeBrackets(sanitizeText(rule.Remediation))}
			}
			if len(rule.Links) > 0 && strings.HasPrefix(rule.Links[0], "https://") {
				r.HelpURI = rule.Links[0]
			}
		}
	}
	s.ruleIx[f.RuleID] = len(s.rules)
	s.rules = append(s.rules, r)
	return len(s.rules) - 1
}

func (s *sarifWriter) Write(f engine.Finding) error {
	kind, level := sarifKindLevel(f.Status, f.Severity)
	res := sarifResult{
		RuleID:    f.RuleID,
		RuleIndex: s.rule(&f),
		Kind:      kind,
		Level:     level,
		Message:   sarifMessage{Text: SARIFText(f.Message)},
		Locations: []sarifLocation{{LogicalLocations: []sarifLogicalLocation{{
			Name:               SanitizeLine(arnName(f.ResourceARN)),
			FullyQualifiedName: SanitizeLine(f.ResourceARN),
			Kind:               "resource",
		}}}},
		PartialFingerprints: map[string]string{sarifFingerprintKey: f.Fingerprint},
		Properties: sarifResultProps{
			Status: string(f.Status), Severity: string(f.Severity), AccountID: f.AccountID,
			Region: f.Region, ResourceARN: f.ResourceARN, Service: f.Service,
		},
	}
	if res.Message.Text == "" {
		res.Message.Text = string(f.Status) + " " + f.RuleID
	}
	if f.Suppressed {
		res.Suppressions = []sarifSuppression{{Kind: "external", Status: "accepted", Justification: SanitizeLine(f.SuppressReason)}}
	}
	s.buf.Reset()
	if err := s.enc.Encode(&res); err != nil {
		return fmt.Errorf("encode SARIF result %s: %w", f.RuleID, err)
	}
	if s.n > 0 {
		s.bw.WriteByte(',')
	}
	s.n++
	s.bw.WriteString("\n        ")
	s.bw.Write(bytes.TrimSuffix(s.buf.Bytes(), []byte("\n")))
	return nil
}

func (s *sarifWriter) Close(sum engine.Summary) error {
	var tail sarifRunTail
	tail.Tool.Driver = sarifDriver{Name: "demarc", Version: s.meta.ToolVersion, InformationURI: toolInformationURI, Rules: s.rules}
	if tail.Tool.Driver.Rules == nil {
		tail.Tool.Driver.Rules = []sarifRule{}
	}
	inv := sarifInvocation{ExecutionSuccessful: !s.meta.Partial}
	if !s.meta.CollectedAt.IsZero() {
		inv.EndTimeUTC = s.meta.CollectedAt.UTC().Format(time.RFC3339)
	}
	for _, e := range s.meta.Errors {
		msg := e.Service + " " + e.Region + " " + e.Operation
		if e.Resource != "" {
			msg += " " + e.Resource
		}
		msg += ": " + e.Reason
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
			sarifNotification{Level: "warning", Message: sarifMessage{Text: SARIFText(msg)}})
	}
	tail.Invocations = []sarifInvocation{inv}
	regions := s.meta.Regions
	if regions == nil {
		regions = []string{}
	}
	tail.Properties = map[string]any{
		"account_id": s.meta.AccountID,
		"partition":  s.meta.Partition,
		"regions":    regions,
		"partial":    s.meta.Partial,
		"summary":    sum,
	}
	tb, err := json.MarshalIndent(tail, "    ", "  ")
	if err != nil {
		return fmt.Errorf("encode SARIF run: %w", err)
	}
	if s.n > 0 {
		s.bw.WriteString("\n      ")
	}
	s.bw.WriteString("],\n      ")
	// Splice the tail object's members into the run object.
	tb = bytes.TrimPrefix(tb, []byte("{\n"))
	s.bw.Write(bytes.TrimLeft(tb, " "))
	s.bw.WriteString("\n  ]\n}\n")
	if err := s.bw.Flush(); err != nil {
		return fmt.Errorf("write SARIF: %w", err)
	}
	return nil
}

// sarifKindLevel maps a status to SARIF's result kind and level (§3.27.9,
// §3.27.10: a kind other than "fail" requires level "none"). UNKNOWN is
// "open" — the tool could not determine pass or fail — never "pass".
func sarifKindLevel(st checks.Status, sev checks.Severity) (string, string) {
	switch st {
	case checks.Fail:
		return "fail", sarifLevel(sev)
	case checks.Pass:
		return "pass", "none"
	case checks.Manual:
		return "review", "none"
	}
	return "open", "none"
}

func sarifLevel(sev checks.Severity) string {
	switch sev {
	case checks.Critical, checks.High:
		return "error"
	case checks.Medium:
		return "warning"
	}
	return "note"
}

// sarifSecuritySeverity is GitHub code scanning's numeric severity property
// (critical > 9.0, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9).
func sarifSecuritySeverity(sev checks.Severity) string {
	switch sev {
	case checks.Critical:
		return "9.5"
	case checks.High:
		return "8.0"
	case checks.Medium:
		return "5.5"
	case checks.Low:
		return "3.0"
	}
	return "0.0"
}

// SARIFText makes an untrusted string inert in a SARIF plain-text message:
// control characters become visible escapes (SanitizeLine), and square
// brackets are backslash-escaped so a resource name cannot form an embedded
// link (§3.11.6). JSON encoding then escapes <, > and & as \u003c….
func SARIFText(s string) string {
	return sarifEscapeBrackets(SanitizeLine(s))
}

// sarifEscapeBrackets escapes [ and ] with a backslash so text cannot form
// an embedded link; a run of backslashes right before a bracket is doubled,
// so the bracket's own escape is never cancelled out.
func sarifEscapeBrackets(s string) string {
	if !strings.ContainsAny(s, "[]") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '[' || c == ']':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\\':
			j := i
			for j < len(s) && s[j] == '\\' {
				j++
			}
			run := s[i:j]
			if j < len(s) && (s[j] == '[' || s[j] == ']') {
				run += run
			}
			b.WriteString(run)
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// arnName is the last path segment of an ARN's resource, for display.
func arnName(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return arn
	}
	res := parts[5]
	if i := strings.LastIndexAny(res, "/:"); i >= 0 && i+1 < len(res) {
		return res[i+1:]
	}
	return res
}

func uniqueSorted(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
