package iam

import (
	"strings"
	"unicode/utf8"
)

// tokKind is one element of a compiled pattern.
type tokKind uint8

const (
	tLit   tokKind = iota // literal text
	tStar                 // * : any run of characters, possibly empty
	tQuest                // ? : exactly one character
	tVar                  // ${key} or ${key, 'default'}: a policy variable
)

type tok struct {
	kind   tokKind
	s      string // literal text, or the lowercased context key of a variable
	def    string // default value of a variable
	hasDef bool
}

// fastKind lets the common pattern shapes skip the general matcher: most
// actions in real policies are "*", "svc:*", "svc:Get*" or exact names.
type fastKind uint8

const (
	fGeneral fastKind = iota
	fAny
	fExact
	fPrefix
	fSuffix
)

// pattern is a compiled string pattern: literal text, wildcards and (for
// policies of Version 2012-10-17) policy variables.
type pattern struct {
	raw     string
	toks    []tok
	fast    fastKind
	lit     string
	hasVars bool
}

// compilePattern compiles raw. wildcards says whether * and ? are wildcards
// (StringLike, Resource, Action) or literal (StringEquals). vars says whether
// ${...} is a policy variable: only in policies of Version 2012-10-17; in
// older policies the text is literal (reference_policies_variables.html).
func compilePattern(raw string, wildcards, vars bool) pattern {
	p := pattern{raw: raw}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p.toks = append(p.toks, tok{kind: tLit, s: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(raw); {
		c := raw[i]
		if vars && c == '$' && i+1 < len(raw) && raw[i+1] == '{' {
			if end := strings.IndexByte(raw[i+2:], '}'); end >= 0 {
				body := raw[i+2 : i+2+end]
				i += end + 3
				switch strings.TrimSpace(body) {
				case "*", "?", "$":
					// ${*}, ${?} and ${$} stand for the literal character,
					// never a wildcard.
					lit.WriteString(strings.TrimSpace(body))
					continue
				}
				flush()
				p.toks = append(p.toks, parseVar(body))
				p.hasVars = true
				continue
			}
		}
		if wildcards && (c == '*' || c == '?') {
			flush()
			k := tStar
			if c == '?' {
				k = tQuest
			}
			// Collapse runs of * so the matcher backtracks less.
			if k == tStar && len(p.toks) > 0 && p.toks[len(p.toks)-1].kind == tStar {
				i++
				continue
			}
			p.toks = append(p.toks, tok{kind: k})
			i++
			continue
		}
		lit.WriteByte(c)
		i++
	}
	flush()
	p.classify()
	return p
}

// parseVar parses the inside of ${...}: "key" or "key, 'default'".
func parseVar(body string) tok {
	t := tok{kind: tVar}
	key := body
	if comma := strings.IndexByte(body, ','); comma >= 0 {
		rest := strings.TrimSpace(body[comma+1:])
		if len(rest) >= 2 && rest[0] == '\'' && rest[len(rest)-1] == '\'' {
			t.def, t.hasDef = rest[1:len(rest)-1], true
			key = body[:comma]
		}
	}
	t.s = strings.ToLower(strings.TrimSpace(key))
	return t
}

func (p *pattern) classify() {
	switch {
	case p.hasVars:
		p.fast = fGeneral
	case len(p.toks) == 0:
		p.fast, p.lit = fExact, ""
	case len(p.toks) == 1 && p.toks[0].kind == tStar:
		p.fast = fAny
	case len(p.toks) == 1 && p.toks[0].kind == tLit:
		p.fast, p.lit = fExact, p.toks[0].s
	case len(p.toks) == 2 && p.toks[0].kind == tLit && p.toks[1].kind == tStar:
		p.fast, p.lit = fPrefix, p.toks[0].s
	case len(p.toks) == 2 && p.toks[0].kind == tStar && p.toks[1].kind == tLit:
		p.fast, p.lit = fSuffix, p.toks[1].s
	default:
		p.fast = fGeneral
	}
}

// lowered returns the pattern with its literal text lowercased, for the
// case-insensitive Action element.
func (p pattern) lowered() pattern {
	q := p
	q.toks = make([]tok, len(p.toks))
	for i, t := range p.toks {
		if t.kind == tLit {
			t.s = strings.ToLower(t.s)
		}
		q.toks[i] = t
	}
	q.lit = strings.ToLower(p.lit)
	return q
}

// match reports whether s matches a pattern without variables.
func (p *pattern) match(s string) bool {
	switch p.fast {
	case fAny:
		return true
	case fExact:
		return s == p.lit
	case fPrefix:
		return strings.HasPrefix(s, p.lit)
	case fSuffix:
		return strings.HasSuffix(s, p.lit)
	}
	return matchToks(p.toks, s)
}

// matchVars matches s against a pattern with policy variables, substituting
// their values on the fly. resolved is false when a variable has no value
// and no default: AWS then treats the element as matching nothing ("Policy
// variables with no value", reference_policies_variables.html). Substituted
// values are literal text, never wildcards. fold compares literals
// case-insensitively.
func (p *pattern) matchVars(s string, r *Request, fold bool) (matched, resolved bool) {
	var buf [8]string
	vals := buf[:0]
	for i := range p.toks {
		t := &p.toks[i]
		if t.kind != tVar {
			continue
		}
		v, found := r.lookupOne(t.s)
		if !found {
			if !t.hasDef {
				return false, false
			}
			v = t.def
		}
		vals = append(vals, v)
	}
	return matchToksV(p.toks, vals, s, fold), true
}

// matchToks matches s against literal/*/? tokens.
func matchToks(toks []tok, s string) bool { return matchToksV(toks, nil, s, false) }

// matchToksV matches s against tokens; the i-th variable token stands for
// the literal vals[i]. Backtracking to the last star is enough because every
// other token has a fixed extent.
func matchToksV(toks []tok, vals []string, s string, fold bool) bool {
	pi, si := 0, 0
	starPi, starSi := -1, 0
	vi, starVi := 0, 0 // variables consumed before pi
	for {
		if pi < len(toks) {
			t := &toks[pi]
			switch t.kind {
			case tStar:
				starPi, starSi, starVi = pi, si, vi
				pi++
				continue
			case tQuest:
				if si < len(s) {
					_, sz := utf8.DecodeRuneInString(s[si:])
					si += sz
					pi++
					continue
				}
			case tLit, tVar:
				lit := t.s
				if t.kind == tVar {
					lit = vals[vi]
				}
				if hasPrefix(s[si:], lit, fold) {
					si += len(lit)
					pi++
					if t.kind == tVar {
						vi++
					}
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		if starPi < 0 || starSi >= len(s) {
			return false
		}
		_, sz := utf8.DecodeRuneInString(s[starSi:])
		starSi += sz
		si = starSi
		pi = starPi + 1
		vi = starVi
	}
}

func hasPrefix(s, prefix string, fold bool) bool {
	if len(s) < len(prefix) {
		return false
	}
	if fold {
		return strings.EqualFold(s[:len(prefix)], prefix)
	}
	return s[:len(prefix)] == prefix
}
