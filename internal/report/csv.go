package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/demarc-sec/demarc/internal/engine"
)

// csvColumns is the header row; docs/formats.md documents each column.
var csvColumns = []string{
	"account_id", "region", "service", "rule_id", "title", "severity", "status",
	"resource_arn", "message", "frameworks", "responsibility", "fingerprint",
	"suppressed", "suppression_reason",
}

// csvWriter writes RFC 4180 CSV (CRLF line ends, quoted fields as needed)
// that is safe to open in a spreadsheet: see CSVCell.
type csvWriter struct {
	bw  *bufio.Writer
	cw  *csv.Writer
	row []string
}

func newCSVWriter(w io.Writer) (*csvWriter, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	c := &csvWriter{bw: bw, cw: csv.NewWriter(bw), row: make([]string, len(csvColumns))}
	c.cw.UseCRLF = true
	if err := c.cw.Write(csvColumns); err != nil {
		return nil, fmt.Errorf("write CSV header: %w", err)
	}
	return c, nil
}

func (c *csvWriter) Write(f engine.Finding) error {
	r := c.row[:0]
	r = append(r, f.AccountID, f.Region, f.Service, f.RuleID, f.Title, string(f.Severity), string(f.Status),
		f.ResourceARN, f.Message, strings.Join(controlRefs(f.Frameworks), " "), f.Responsibility, f.Fingerprint,
		strconv.FormatBool(f.Suppressed), f.SuppressReason)
	for i := range r {
		r[i] = CSVCell(r[i])
	}
	if err := c.cw.Write(r); err != nil {
		return fmt.Errorf("write CSV row %s: %w", f.RuleID, err)
	}
	return nil
}

func (c *csvWriter) Close(engine.Summary) error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	if err := c.bw.Flush(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// CSVCell makes an untrusted value safe for a spreadsheet cell:
//
//   - a cell that a spreadsheet would evaluate as a formula (it starts with
//     =, +, -, @, a tab or a carriage return, or their full-width forms) is
//     prefixed with a single quote, which spreadsheets read as "text"
//     (OWASP, "CSV Injection");
//   - control characters other than newline and tab (ANSI escape sequences,
//     bidi overrides) become visible \uXXXX escapes, so `cat report.csv`
//     cannot drive the terminal either.
//
// Quoting of commas, quotes and newlines is encoding/csv's job (RFC 4180).
func CSVCell(s string) string {
	if strings.ContainsFunc(s, csvUnsafe) {
		var b strings.Builder
		for _, r := range s {
			if csvUnsafe(r) {
				fmt.Fprintf(&b, `\u%04x`, r)
				continue
			}
			b.WriteRune(r)
		}
		s = b.String()
	}
	if s == "" {
		return s
	}
	switch r, _ := utf8.DecodeRuneInString(s); r {
	case '=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠':
		return "'" + s
	}
	return s
}

func csvUnsafe(r rune) bool {
	return r != '\n' && r != '\t' && unsafeRune(r)
}
