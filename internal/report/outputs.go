package report

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/engine"
)

// OutputSpec is one requested output: a format and where it goes.
type OutputSpec struct {
	Format string
	Path   string // "" or "-" means stdout
}

// Stdout reports whether the output goes to standard output.
func (o OutputSpec) Stdout() bool { return o.Path == "" || o.Path == "-" }

// ParseOutputs turns --output values and --output-file into specs.
//
// Each --output value is a comma-separated list of FORMAT or FORMAT=FILE.
// --output-file applies to the formats given without a file: with one such
// format it is that format's file; with several it is a base name to which
// each format's extension is added (report → report.json, report.sarif; a
// known extension on the base is dropped first). At most one output may go
// to stdout. With no --output at all, the table goes to stdout (or to
// --output-file).
func ParseOutputs(values []string, outputFile string) ([]OutputSpec, error) {
	var specs []OutputSpec
	for _, v := range values {
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			format, path, _ := strings.Cut(item, "=")
			format = strings.ToLower(strings.TrimSpace(format))
			if _, ok := formatExt[format]; !ok {
				return nil, fmt.Errorf("unknown output format %q (want %s)", format, strings.Join(Formats(), ", "))
			}
			if strings.Contains(item, "=") && strings.TrimSpace(path) == "" {
				return nil, fmt.Errorf("--output %s=: missing file name", format)
			}
			specs = append(specs, OutputSpec{Format: format, Path: strings.TrimSpace(path)})
		}
	}
	if len(specs) == 0 {
		specs = []OutputSpec{{Format: FormatTable}}
	}
	var unnamed []int
	for i, s := range specs {
		if s.Path == "" {
			unnamed = append(unnamed, i)
		}
	}
	if outputFile != "" {
		switch len(unnamed) {
		case 0:
			return nil, errors.New("--output-file given but every --output names its own file")
		case 1:
			specs[unnamed[0]].Path = outputFile
		default:
			base := outputFile
			// Longest extension first: "x.asff.json" drops ".asff.json".
			exts := make([]string, 0, len(formatExt))
			for _, ext := range formatExt {
				exts = append(exts, ext)
			}
			sort.Slice(exts, func(i, j int) bool {
				if len(exts[i]) != len(exts[j]) {
					return len(exts[i]) > len(exts[j])
				}
				return exts[i] < exts[j]
			})
			for _, ext := range exts {
				if strings.HasSuffix(base, ext) {
					base = strings.TrimSuffix(base, ext)
					break
				}
			}
			for _, i := range unnamed {
				specs[i].Path = base + formatExt[specs[i].Format]
			}
		}
	}
	seen := map[string]bool{}
	toStdout := 0
	for _, s := range specs {
		if s.Stdout() {
			toStdout++
			continue
		}
		clean := filepath.Clean(s.Path)
		if seen[clean] {
			return nil, fmt.Errorf("two outputs write to %s", s.Path)
		}
		seen[clean] = true
	}
	if toStdout > 1 {
		return nil, errors.New("several formats would go to stdout: give --output-file or FORMAT=FILE")
	}
	return specs, nil
}

// Outputs writes every finding to several writers (one per spec). Files
// are written to a temporary name in the same directory and renamed into
// place by Close, so an interrupted scan never leaves a truncated SARIF or
// ASFF file for a CI step to upload; Abort removes them.
type Outputs struct {
	writers []Writer
	files   []*pendingFile
}

type pendingFile struct {
	f    *os.File
	path string
}

// OpenOutputs opens a writer per spec. opts.Color applies only to a table
// written to stdout.
func OpenOutputs(specs []OutputSpec, stdout io.Writer, meta ScanMeta, opts Options) (*Outputs, error) {
	o := &Outputs{}
	for _, s := range specs {
		var w io.Writer = stdout
		wopts := opts
		if !s.Stdout() {
			dir := filepath.Dir(s.Path)
			f, err := os.CreateTemp(dir, "."+filepath.Base(s.Path)+".tmp-*")
			if err != nil {
				o.Abort()
				return nil, fmt.Errorf("create %s report %s: %w", s.Format, s.Path, err)
			}
			o.files = append(o.files, &pendingFile{f: f, path: s.Path})
			w = f
			wopts.Color = false
		}
		wr, err := NewWriter(s.Format, w, meta, wopts)
		if err != nil {
			o.Abort()
			return nil, err
		}
		o.writers = append(o.writers, wr)
	}
	return o, nil
}

// Write sends one finding to every writer.
func (o *Outputs) Write(f engine.Finding) error {
	for _, w := range o.writers {
		if err := w.Write(f); err != nil {
			return err
		}
	}
	return nil
}

// Close finishes every writer and moves files into place. On error, files
// not yet in place are removed.
func (o *Outputs) Close(sum engine.Summary) error {
	var errs []error
	for _, w := range o.writers {
		if err := w.Close(sum); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		o.Abort()
		return errors.Join(errs...)
	}
	for _, p := range o.files {
		if err := p.f.Close(); err != nil {
			errs = append(errs, fmt.Errorf("write report %s: %w", p.path, err))
			os.Remove(p.f.Name())
			continue
		}
		// CreateTemp makes 0600 files; a report is shared like any output.
		os.Chmod(p.f.Name(), 0o644)
		if err := os.Rename(p.f.Name(), p.path); err != nil {
			errs = append(errs, fmt.Errorf("write report %s: %w", p.path, err))
			os.Remove(p.f.Name())
		}
	}
	o.files = nil
	return errors.Join(errs...)
}

// Abort removes files not yet moved into place. Safe to call after Close.
func (o *Outputs) Abort() {
	for _, p := range o.files {
		p.f.Close()
		os.Remove(p.f.Name())
	}
	o.files = nil
}
