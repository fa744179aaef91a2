package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
)

// TableOptions control the terminal rendering.
type TableOptions struct {
	Color    bool // ANSI colours (only when stdout is a terminal)
	ShowPass bool // list PASS results too
}

const (
	ansiReset  = "\x1b[0m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiGreen  = "\x1b[32m"
	ansiBold   = "\x1b[1m"
)

// WriteTable writes a human summary: per-service counts, then every FAIL and
// UNKNOWN (and PASS with ShowPass), most severe first.
func WriteTable(w io.Writer, meta ScanMeta, sum engine.Summary, findings []engine.Finding, o TableOptions) error {
	paint := func(code, s string) string {
		if !o.Color {
			return s
		}
		return code + s + ansiReset
	}
	statusCol := func(s checks.Status) string {
		switch s {
		case checks.Fail:
			return paint(ansiRed, string(s))
		case checks.Unknown:
			return paint(ansiYellow, string(s))
		case checks.Pass:
			return paint(ansiGreen, string(s))
		}
		return string(s)
	}
	partial := ""
	if meta.Partial {
		partial = " (PARTIAL: collection was interrupted)"
	}
	fmt.Fprintf(w, "%s account %s, regions %s%s\n", paint(ansiBold, "demarc scan"),
		SanitizeLine(meta.AccountID), SanitizeLine(strings.Join(meta.Regions, ",")), partial)
	suppressed := ""
	if sum.Suppressed > 0 {
		suppressed = fmt.Sprintf(" (%d suppressed)", sum.Suppressed)
	}
	fmt.Fprintf(w, "%d results from %d rules: %d FAIL, %d UNKNOWN, %d PASS%s\n\n",
		sum.Total, sum.RulesRun, sum.ByStatus["FAIL"], sum.ByStatus["UNKNOWN"], sum.ByStatus["PASS"], suppressed)

	type counts struct{ pass, fail, unknown int }
	bySvc := map[string]*counts{}
	for _, f := range findings {
		c := bySvc[f.Service]
		if c == nil {
			c = &counts{}
			bySvc[f.Service] = c
		}
		switch f.Status {
		case checks.Pass:
			c.pass++
		case checks.Fail:
			c.fail++
		case checks.Unknown:
			c.unknown++
		}
	}
	svcs := make([]string, 0, len(bySvc))
	for s := range bySvc {
		svcs = append(svcs, s)
	}
	sort.Strings(svcs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tFAIL\tUNKNOWN\tPASS")
	for _, s := range svcs {
		c := bySvc[s]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", SanitizeLine(s), c.fail, c.unknown, c.pass)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	var shown []engine.Finding
	for _, f := range findings {
		if f.Status != checks.Pass || o.ShowPass {
			shown = append(shown, f)
		}
	}
	sort.SliceStable(shown, func(i, j int) bool {
		a, b := shown[i], shown[j]
		if ra, rb := statusRank(a.Status), statusRank(b.Status); ra != rb {
			return ra < rb
		}
		if a.Severity.Rank() != b.Severity.Rank() {
			return a.Severity.Rank() > b.Severity.Rank()
		}
		return false
	})
	if len(shown) > 0 {
		fmt.Fprintln(w)
		// Every colour code has the same byte length, so tabwriter's
		// column maths stays right with or without colour.
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "STATUS\tSEVERITY\tRULE\tREGION\tRESOURCE\tMESSAGE")
		for _, f := range shown {
			msg := SanitizeLine(f.Message)
			if f.Suppressed {
				msg += " [suppressed: " + SanitizeLine(f.SuppressReason) + "]"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", statusCol(f.Status), f.Severity,
				SanitizeLine(f.RuleID), SanitizeLine(f.Region), SanitizeLine(f.ResourceARN), msg)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(meta.Errors) > 0 {
		fmt.Fprintf(w, "\n%d reads failed (values reported UNKNOWN); see --output json coverage.errors\n", len(meta.Errors))
	}
	return nil
}

func statusRank(s checks.Status) int {
	switch s {
	case checks.Fail:
		return 0
	case checks.Unknown:
		return 1
	case checks.Manual:
		return 2
	}
	return 3
}
