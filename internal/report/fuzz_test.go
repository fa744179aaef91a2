package report

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Whatever a cell holds, the result never starts a formula and carries no
// raw control character.
func FuzzCSVCell(f *testing.F) {
	for _, s := range []string{"=1+1", "+a", "-", "@x", "\tx", "\rx", "＝", "a\x1b[31m", "ok", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := CSVCell(s)
		if out == "" {
			return
		}
		r, _ := utf8.DecodeRuneInString(out)
		if strings.ContainsRune("=+-@\t\r＝＋－＠", r) {
			t.Fatalf("CSVCell(%q) = %q starts a formula", s, out)
		}
		if strings.ContainsFunc(out, csvUnsafe) {
			t.Fatalf("CSVCell(%q) = %q has a raw control character", s, out)
		}
	})
}

// SARIFText output has no raw control character and no unescaped bracket.
func FuzzSARIFText(f *testing.F) {
	for _, s := range []string{"[a](b)", `\[x]`, "\x1b[1m", "plain", `\\]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := SARIFText(s)
		if strings.ContainsFunc(out, unsafeRune) {
			t.Fatalf("SARIFText(%q) = %q has a raw control character", s, out)
		}
		for i := 0; i < len(out); i++ {
			if out[i] == '[' || out[i] == ']' {
				// Count the backslashes before it: odd means escaped.
				n := 0
				for j := i - 1; j >= 0 && out[j] == '\\'; j-- {
					n++
				}
				if n%2 == 0 {
					t.Fatalf("SARIFText(%q) = %q has an unescaped bracket at %d", s, out, i)
				}
			}
		}
	})
}

// ParseOutputs never panics, and what it accepts is consistent.
func FuzzParseOutputs(f *testing.F) {
	f.Add("json,sarif=a.sarif", "")
	f.Add("table", "out")
	f.Add("csv,html", "r.csv")
	f.Fuzz(func(t *testing.T, value, file string) {
		specs, err := ParseOutputs([]string{value}, file)
		if err != nil {
			return
		}
		stdout := 0
		for _, s := range specs {
			if _, ok := formatExt[s.Format]; !ok {
				t.Fatalf("accepted unknown format %q", s.Format)
			}
			if s.Stdout() {
				stdout++
			}
		}
		if stdout > 1 {
			t.Fatalf("%d outputs to stdout", stdout)
		}
	})
}
