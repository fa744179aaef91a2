package iam

import "strings"

// arnFields holds the six colon-separated fields of an ARN:
// arn:partition:service:region:account:resource. The resource field keeps
// any further colons (arn:aws:sns:us-east-1:111122223333:topic:subscription).
type arnFields [6]string

// splitARN splits s into its six fields; ok is false when s is not an ARN.
func splitARN(s string) (f arnFields, ok bool) {
	if !strings.HasPrefix(s, "arn:") {
		return f, false
	}
	rest := s
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return f, false
		}
		f[i] = rest[:j]
		rest = rest[j+1:]
	}
	f[5] = rest
	return f, true
}

// splitPatternARN splits a Resource or ArnLike pattern into ARN fields. It
// differs from splitARN in two ways: a colon inside ${...} does not separate
// fields (a variable such as ${aws:username} contains one), and the first
// field may be a wildcard. n is the number of fields found (1..6).
func splitPatternARN(s string, vars bool) (f arnFields, n int) {
	start, depth := 0, 0
	for i := 0; i < len(s) && n < 5; i++ {
		switch {
		case vars && s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
		case depth > 0 && s[i] == '}':
			depth--
		case depth == 0 && s[i] == ':':
			f[n] = s[start:i]
			n++
			start = i + 1
		}
	}
	f[n] = s[start:]
	return f, n + 1
}

// resPattern is a compiled Resource/NotResource entry or ARN condition value.
type resPattern struct {
	raw   string
	any   bool       // "*"
	arn   bool       // six fields: matched field by field
	segs  [6]pattern // when arn
	whole pattern    // the raw text as one pattern
	vars  bool
}

func compileResource(raw string, vars bool) resPattern {
	rp := resPattern{raw: raw, whole: compilePattern(raw, true, vars)}
	rp.vars = rp.whole.hasVars
	if raw == "*" {
		rp.any = true
		return rp
	}
	f, n := splitPatternARN(raw, vars)
	if n == 6 {
		rp.arn = true
		for i := range f {
			rp.segs[i] = compilePattern(f[i], true, vars)
		}
	}
	return rp
}

// match reports whether the resource (split into fields when it is an ARN)
// matches. Each ARN field is matched on its own so that a * in the region or
// account never spans a colon, as the ARN condition operators document
// (reference_policies_elements_condition_operators.html#Conditions_ARN).
//
// lenient decides what a pattern that is not a six-field ARN does against an
// ARN: AWS rejects such Resource values when a policy is saved, so the case
// only arises for hand-written input; Deny statements then match the text as
// one glob (deny more) and Allow statements match nothing (allow less).
func (rp *resPattern) match(s string, f *arnFields, isARN bool, r *Request, lenient bool) bool {
	if rp.any {
		return true
	}
	if rp.arn && isARN {
		for i := range rp.segs {
			seg := &rp.segs[i]
			if seg.hasVars {
				if m, ok := seg.matchVars(f[i], r, false); !ok || !m {
					return false
				}
				continue
			}
			if !seg.match(f[i]) {
				return false
			}
		}
		return true
	}
	if isARN && !lenient {
		return false
	}
	if rp.vars {
		m, ok := rp.whole.matchVars(s, r, false)
		return ok && m
	}
	return rp.whole.match(s)
}
