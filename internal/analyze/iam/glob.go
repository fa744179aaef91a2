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

// resolve substitutes policy variables. ok is false when a variable has no
// value and no default: AWS then treats the element as matching nothing
// ("Policy variables with no value", reference_policies_variables.html).
// Substituted values are literal text, never wildcards.
func (p *pattern) resolve(look func(key string) (string, bool)) (toks []tok, ok bool) {
	toks = make([]tok, 0, len(p.toks))
	for _, t := range p.toks {
		if t.kind != tVar {
			toks = append(toks, t)
			continue
		}
		v, found := look(t.s)
		if !found {
			if !t.hasDef {
				return nil, false
			}
			v = t.def
		}
		toks = append(toks, tok{kind: tLit, s: v})
	}
	return toks, true
}

// literal renders resolved tokens as text (for equality operators, where
// wildcards are not special).
func literal(toks []tok) string {
	if len(toks) == 1 && toks[0].kind == tLit {
		return toks[0].s
	}
	var b strings.Builder
	for _, t := range toks {
		switch t.kind {
		case tLit:
			b.WriteString(t.s)
		case tStar:
			b.WriteByte('*')
		case tQuest:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// matchToks matches s against literal/*/? tokens. Backtracking to the last
// star is enough because every other token has a fixed extent.
func matchToks(toks []tok, s string) bool {
	pi, si := 0, 0
	starPi, starSi := -1, 0
	for {
		if pi < len(toks) {
			t := &toks[pi]
			switch t.kind {
			case tStar:
				starPi, starSi = pi, si
				pi++
				continue
			case tQuest:
				if si < len(s) {
					_, sz := utf8.DecodeRuneInString(s[si:])
					si += sz
					pi++
					continue
				}
			case tLit:
				if strings.HasPrefix(s[si:], t.s) {
					si += len(t.s)
					pi++
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
	}
}
