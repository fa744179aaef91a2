package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
)

// Writer streams findings into one output format: Write once per finding, in
// the order they should appear, then Close once with the scan's summary.
// Writers encode each finding as it arrives where the format allows (JSON,
// JSON lines, CSV, SARIF, ASFF, HTML); the table needs every finding before
// it can print its per-service counts, so it buffers.
//
// Close does not close the underlying io.Writer.
type Writer interface {
	Write(f engine.Finding) error
	Close(sum engine.Summary) error
}

// Output format names accepted by NewWriter and --output.
const (
	FormatTable = "table"
	FormatJSON  = "json"
	FormatCSV   = "csv"
	FormatSARIF = "sarif"
	FormatASFF  = "asff"
	FormatOCSF  = "ocsf"
	FormatHTML  = "html"
)

// formatExt is the file extension used when --output-file names a base for
// several formats.
var formatExt = map[string]string{
	FormatTable: ".txt",
	FormatJSON:  ".json",
	FormatCSV:   ".csv",
	FormatSARIF: ".sarif",
	FormatASFF:  ".asff.json",
	FormatOCSF:  ".ocsf.jsonl",
	FormatHTML:  ".html",
}

// Formats lists the output formats, sorted.
func Formats() []string {
	out := make([]string, 0, len(formatExt))
	for f := range formatExt {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Options tune writers; the zero value is valid.
type Options struct {
	// Table only.
	Color    bool // ANSI colours; only ever for a terminal
	ShowPass bool // list PASS results too
	// TableFooter, when set, is called after the table with the same
	// writer, for sections the table does not know (framework scores).
	TableFooter func(io.Writer) error

	// Rules, when set, supplies descriptions, remediation and links for
	// SARIF rules, ASFF Remediation and OCSF remediation.
	Rules *checks.Registry

	// HomeRegion is the region used where a format needs a real region for
	// a global finding (IAM, the account): the ASFF ProductArn and
	// Resources[].Region, the OCSF cloud.region. Default: the first scanned
	// region, else the partition's default region.
	HomeRegion string
}

// NewWriter returns a writer for one format.
func NewWriter(format string, w io.Writer, meta ScanMeta, opts Options) (Writer, error) {
	switch strings.ToLower(strings.TrimSpace(format)) {
	case FormatTable:
		return &tableWriter{w: w, meta: meta, opts: opts}, nil
	case FormatJSON:
		return newJSONWriter(w, meta)
	case FormatCSV:
		return newCSVWriter(w)
	case FormatSARIF:
		return newSARIFWriter(w, meta, opts)
	case FormatASFF:
		return newASFFWriter(w, meta, opts)
	case FormatOCSF:
		return newOCSFWriter(w, meta, opts)
	case FormatHTML:
		return newHTMLWriter(w, meta, opts)
	}
	return nil, fmt.Errorf("unknown output format %q (want %s)", format, strings.Join(Formats(), ", "))
}

// tableWriter buffers findings for WriteTable, which sorts and counts them.
type tableWriter struct {
	w        io.Writer
	meta     ScanMeta
	opts     Options
	findings []engine.Finding
}

func (t *tableWriter) Write(f engine.Finding) error {
	t.findings = append(t.findings, f)
	return nil
}

func (t *tableWriter) Close(sum engine.Summary) error {
	err := WriteTable(t.w, t.meta, sum, t.findings, TableOptions{Color: t.opts.Color, ShowPass: t.opts.ShowPass})
	if err == nil && t.opts.TableFooter != nil {
		err = t.opts.TableFooter(t.w)
	}
	t.findings = nil
	return err
}

// WriteAll writes every finding to w and closes it: the common case where
// the findings are already in memory.
func WriteAll(w Writer, findings []engine.Finding, sum engine.Summary) error {
	for i := range findings {
		if err := w.Write(findings[i]); err != nil {
			return err
		}
	}
	return w.Close(sum)
}

// homeRegion picks the region for global findings (see Options.HomeRegion).
func homeRegion(meta ScanMeta, opts Options) string {
	if opts.HomeRegion != "" {
		return opts.HomeRegion
	}
	for _, r := range meta.Regions {
		if r != "" && r != "global" {
			return r
		}
	}
	switch meta.Partition {
	case "aws-cn":
		return "cn-north-1"
	case "aws-us-gov":
		return "us-gov-west-1"
	}
	return "us-east-1"
}

// realRegion maps the "global" pseudo-region to the home region.
func realRegion(region, home string) string {
	if region == "" || region == "global" {
		return home
	}
	return region
}

// frameworkNames are the display names of the framework keys rules use.
var frameworkNames = map[string]string{
	checks.CIS50: "CIS AWS Foundations Benchmark v5.0.0",
	checks.FSBP:  "AWS Foundational Security Best Practices",
}

// frameworkName returns a framework key's display name.
func frameworkName(key string) string {
	if n, ok := frameworkNames[key]; ok {
		return n
	}
	return key
}

// sortedKeys returns a map's keys in order, for deterministic output.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// controlRefs lists "framework-key:control" for every mapped control, sorted.
func controlRefs(fw map[string][]string) []string {
	var out []string
	for _, k := range sortedKeys(fw) {
		ids := append([]string(nil), fw[k]...)
		sort.Strings(ids)
		for _, id := range ids {
			out = append(out, k+":"+id)
		}
	}
	return out
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "…"
	cut := n - len(mark)
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// sanitizeText is SanitizeLine for multi-line text demarc writes itself
// (rule descriptions and remediation): newlines and tabs stay, every other
// control or bidi character becomes a visible escape.
func sanitizeText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		parts := strings.Split(l, "\t")
		for j, p := range parts {
			parts[j] = SanitizeLine(p)
		}
		lines[i] = strings.Join(parts, "\t")
	}
	return strings.Join(lines, "\n")
}
