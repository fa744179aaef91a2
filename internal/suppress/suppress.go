// Package suppress reads a suppression file (.demarc-ignore.yaml) and marks
// the findings it covers. A suppression is an accepted risk, so it is never
// silent: every entry needs a reason, may carry an expiry date after which it
// stops applying (and is reported as expired), and suppressed findings stay in
// every output, marked with the reason.
//
// File format (docs/formats.md, "Suppressions"):
//
//	version: 1
//	suppressions:
//	  - rule_id: s3-bucket-public-read          # exact rule ID, and/or
//	    resource: "arn:aws:s3:::public-site-*"  # ARN glob: * any run, ? one character
//	    reason: "static website, accepted by SEC-123"
//	    expires: 2026-12-31                     # optional, YYYY-MM-DD (UTC)
//
// Parsing is strict: unknown keys, a missing reason, a malformed date or an
// entry that would match every finding are errors, reported with the line.
package suppress

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
)

// DefaultFile is read from the working directory when no --ignore is given.
const DefaultFile = ".demarc-ignore.yaml"

// FileVersion is the only suppression file version this demarc reads.
const FileVersion = 1

// maxFileSize bounds what Load reads: a suppression file is hand-written
// configuration, and a runaway file should fail loudly, not eat memory.
const maxFileSize = 8 << 20

// Entry is one suppression.
type Entry struct {
	RuleID   string // exact rule ID; empty matches any rule
	Resource string // ARN glob; empty matches any resource
	Reason   string
	// Expires is the first day (00:00 UTC) on which the entry no longer
	// applies; zero when the entry does not expire.
	Expires time.Time
	Line    int // line in the file, for messages
}

// Active reports whether the entry still suppresses at time now. An entry
// with "expires: 2026-12-31" stops applying at 2026-12-31T00:00:00Z: ending a
// risk acceptance early is the safe side of the ambiguity.
func (e Entry) Active(now time.Time) bool {
	return e.Expires.IsZero() || now.Before(e.Expires)
}

// Matches reports whether the entry covers the finding (ignoring expiry).
func (e Entry) Matches(f *engine.Finding) bool {
	if e.RuleID != "" && e.RuleID != f.RuleID {
		return false
	}
	if e.Resource != "" && !Glob(e.Resource, f.ResourceARN) {
		return false
	}
	return true
}

// String describes the entry for messages.
func (e Entry) String() string {
	var parts []string
	if e.RuleID != "" {
		parts = append(parts, "rule "+e.RuleID)
	}
	if e.Resource != "" {
		parts = append(parts, "resource "+e.Resource)
	}
	s := strings.Join(parts, ", ")
	if !e.Expires.IsZero() {
		s += ", expires " + e.Expires.Format(time.DateOnly)
	}
	return fmt.Sprintf("line %d (%s)", e.Line, s)
}

// Set is a parsed suppression file. The zero value suppresses nothing.
type Set struct {
	Path    string // where it was read from; empty when none
	Entries []Entry
}

type fileDoc struct {
	Version      *int        `yaml:"version"`
	Suppressions []entryNode `yaml:"suppressions"`
}

type entryNode struct {
	RuleID   string `yaml:"rule_id"`
	Resource string `yaml:"resource"`
	Reason   string `yaml:"reason"`
	Expires  string `yaml:"expires"`
	line     int
}

// UnmarshalYAML records the entry's line so errors can point at it.
func (e *entryNode) UnmarshalYAML(n *yaml.Node) error {
	type plain entryNode
	var p plain
	// A nested decoder does not inherit KnownFields, so check keys here.
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			switch k := n.Content[i].Value; k {
			case "rule_id", "resource", "reason", "expires":
			default:
				return fmt.Errorf("line %d: unknown field %q (want rule_id, resource, reason, expires)", n.Content[i].Line, k)
			}
		}
	}
	if err := n.Decode(&p); err != nil {
		return err
	}
	*e = entryNode(p)
	e.line = n.Line
	return nil
}

// Load reads a suppression file. With path "", it reads DefaultFile from the
// working directory if present and otherwise returns an empty set; an
// explicit path that does not exist is an error.
func Load(path string) (*Set, error) {
	explicit := path != ""
	if !explicit {
		path = DefaultFile
	}
	f, err := os.Open(path)
	if err != nil {
		if !explicit && errors.Is(err, fs.ErrNotExist) {
			return &Set{}, nil
		}
		return nil, fmt.Errorf("read suppression file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read suppression file %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("suppression file %s: larger than %d bytes", path, maxFileSize)
	}
	return Parse(data, path)
}

// Parse parses a suppression file's content; name is used in messages.
func Parse(data []byte, name string) (*Set, error) {
	set := &Set{Path: name}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var doc fileDoc
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return set, nil // an empty file suppresses nothing
		}
		return nil, fmt.Errorf("suppression file %s: %w", name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("suppression file %s: more than one YAML document", name)
	}
	if doc.Version != nil && *doc.Version != FileVersion {
		return nil, fmt.Errorf("suppression file %s: version %d is not supported (want %d)", name, *doc.Version, FileVersion)
	}
	var errs []error
	for _, n := range doc.Suppressions {
		e, err := n.entry()
		if err != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", n.line, err))
			continue
		}
		set.Entries = append(set.Entries, e)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("suppression file %s: %w", name, errors.Join(errs...))
	}
	return set, nil
}

func (n entryNode) entry() (Entry, error) {
	e := Entry{
		RuleID:   strings.TrimSpace(n.RuleID),
		Resource: strings.TrimSpace(n.Resource),
		Reason:   strings.TrimSpace(n.Reason),
		Line:     n.line,
	}
	if e.RuleID == "" && e.Resource == "" {
		return e, errors.New("an entry needs rule_id, resource or both")
	}
	if e.RuleID == "" && strings.Trim(e.Resource, "*") == "" {
		return e, fmt.Errorf("resource %q without rule_id would suppress every finding", e.Resource)
	}
	if e.Reason == "" {
		return e, errors.New("reason is required: say why this risk is accepted")
	}
	for _, s := range []string{e.RuleID, e.Resource, e.Reason} {
		if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
			return e, errors.New("control characters are not allowed")
		}
	}
	if n.Expires != "" {
		t, err := time.Parse(time.DateOnly, strings.TrimSpace(n.Expires))
		if err != nil {
			return e, fmt.Errorf("expires %q: want a date as YYYY-MM-DD", n.Expires)
		}
		e.Expires = t.UTC()
	}
	return e, nil
}

// UnknownRules returns the entries whose rule_id is not a rule of reg, so the
// CLI can reject a typo that would otherwise silently suppress nothing.
func (s *Set) UnknownRules(reg *checks.Registry) []Entry {
	var out []Entry
	for _, e := range s.Entries {
		if e.RuleID == "" {
			continue
		}
		if _, ok := reg.Get(e.RuleID); !ok {
			out = append(out, e)
		}
	}
	return out
}

// Match returns the first active entry (in file order) covering f. PASS
// results are never suppressed: there is nothing to accept.
func (s *Set) Match(f *engine.Finding, now time.Time) (Entry, bool) {
	if s == nil || f.Status == checks.Pass {
		return Entry{}, false
	}
	for _, e := range s.Entries {
		if e.Active(now) && e.Matches(f) {
			return e, true
		}
	}
	return Entry{}, false
}

// EntryUse is an entry with the number of findings it covered (or, for an
// expired entry, would have covered).
type EntryUse struct {
	Entry
	Findings int
}

// Report says what Apply did.
type Report struct {
	Suppressed int // findings marked suppressed
	// Expired lists every entry past its date, with the findings it would
	// still cover: those are reported again, unsuppressed.
	Expired []EntryUse
	// Unused lists active entries that covered nothing (stale suppressions).
	Unused []Entry
}

// Apply marks the findings covered by an active entry as suppressed, with the
// entry's reason, in place. Findings already marked keep their mark.
func (s *Set) Apply(findings []engine.Finding, now time.Time) Report {
	var rep Report
	if s == nil {
		return rep
	}
	used := make([]int, len(s.Entries))
	for i := range findings {
		f := &findings[i]
		if f.Status == checks.Pass {
			continue
		}
		matched := false
		for j, e := range s.Entries {
			if !e.Matches(f) {
				continue
			}
			if !e.Active(now) {
				used[j]++
				continue
			}
			if !matched {
				used[j]++
				matched = true
				if !f.Suppressed {
					f.Suppressed, f.SuppressReason = true, e.Reason
				}
			}
		}
		if f.Suppressed {
			rep.Suppressed++
		}
	}
	for j, e := range s.Entries {
		switch {
		case !e.Active(now):
			rep.Expired = append(rep.Expired, EntryUse{Entry: e, Findings: used[j]})
		case used[j] == 0:
			rep.Unused = append(rep.Unused, e)
		}
	}
	return rep
}

// Glob matches an ARN against a pattern where * matches any run of
// characters (including ':' and '/', which ARNs are full of) and ? matches
// exactly one character. Matching is case-sensitive, as ARNs are.
func Glob(pattern, s string) bool {
	p, str := []rune(pattern), []rune(s)
	// Iterative matcher with one backtrack point: linear in practice and
	// never exponential, whatever the pattern.
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(str) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == str[si]):
			pi++
			si++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
