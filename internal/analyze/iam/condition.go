package iam

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
)

// condFamily is the comparison a condition operator performs.
type condFamily uint8

const (
	famStringEquals condFamily = iota + 1
	famStringEqualsIgnoreCase
	famStringLike
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famArn
	famNull
)

// cmpKind is the ordering test of the Numeric and Date families.
type cmpKind uint8

const (
	cmpEq cmpKind = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

// setQualifier is ForAllValues / ForAnyValue.
type setQualifier uint8

const (
	setNone setQualifier = iota
	setForAll
	setForAny
)

type opInfo struct {
	fam     condFamily
	cmp     cmpKind
	negated bool
}

// operators maps lowercased operator names (without set prefix or IfExists
// suffix) to their meaning (reference_policies_elements_condition_operators.html).
var operators = map[string]opInfo{
	"stringequals":              {fam: famStringEquals},
	"stringnotequals":           {fam: famStringEquals, negated: true},
	"stringequalsignorecase":    {fam: famStringEqualsIgnoreCase},
	"stringnotequalsignorecase": {fam: famStringEqualsIgnoreCase, negated: true},
	"stringlike":                {fam: famStringLike},
	"stringnotlike":             {fam: famStringLike, negated: true},
	"numericequals":             {fam: famNumeric, cmp: cmpEq},
	"numericnotequals":          {fam: famNumeric, cmp: cmpEq, negated: true},
	"numericlessthan":           {fam: famNumeric, cmp: cmpLt},
	"numericlessthanequals":     {fam: famNumeric, cmp: cmpLe},
	"numericgreaterthan":        {fam: famNumeric, cmp: cmpGt},
	"numericgreaterthanequals":  {fam: famNumeric, cmp: cmpGe},
	"dateequals":                {fam: famDate, cmp: cmpEq},
	"datenotequals":             {fam: famDate, cmp: cmpEq, negated: true},
	"datelessthan":              {fam: famDate, cmp: cmpLt},
	"datelessthanequals":        {fam: famDate, cmp: cmpLe},
	"dategreaterthan":           {fam: famDate, cmp: cmpGt},
	"dategreaterthanequals":     {fam: famDate, cmp: cmpGe},
	"bool":                      {fam: famBool},
	"binaryequals":              {fam: famBinary},
	"ipaddress":                 {fam: famIP},
	"notipaddress":              {fam: famIP, negated: true},
	"arnequals":                 {fam: famArn},
	"arnlike":                   {fam: famArn},
	"arnnotequals":              {fam: famArn, negated: true},
	"arnnotlike":                {fam: famArn, negated: true},
	"null":                      {fam: famNull},
}

// Condition is one (operator, key, values) triple of a Condition block.
type Condition struct {
	Operator string   // as written, e.g. "ForAnyValue:StringLikeIfExists"
	Key      string   // as written
	Values   []string // as written (numbers and booleans as their JSON text)

	key      string // lowercased: condition keys are case-insensitive
	op       opInfo
	set      setQualifier
	ifExists bool
	vals     []condValue
	hasVars  bool
}

// condValue is one policy value, pre-parsed for its family.
type condValue struct {
	raw  string
	pat  pattern    // string families (with variables when allowed)
	arn  resPattern // famArn
	num  float64
	t    int64 // Unix nanoseconds
	ip   netip.Prefix
	bin  []byte
	bval bool // famBool / famNull: "true"
}

func parseConditionBlock(n *jsonNode, where string, vars bool) ([]*Condition, error) {
	if n.kind != jObject {
		return nil, perr("%s: Condition must be an object, not %s", where, n.kind)
	}
	var out []*Condition
	for _, om := range n.members {
		if om.val.kind != jObject {
			return nil, perr("%s: Condition operator %q must map to an object of keys, not %s", where, om.key, om.val.kind)
		}
		for _, km := range om.val.members {
			c, err := compileCondition(om.key, km.key, km.val, where, vars)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

func compileCondition(opName, key string, vn *jsonNode, where string, vars bool) (*Condition, error) {
	c := &Condition{Operator: opName, Key: key, key: strings.ToLower(key)}
	name := opName
	if i := strings.IndexByte(name, ':'); i >= 0 {
		switch strings.ToLower(name[:i]) {
		case "forallvalues":
			c.set = setForAll
		case "foranyvalue":
			c.set = setForAny
		default:
			return nil, perr("%s: unknown condition set operator %q in %q (want ForAllValues or ForAnyValue)", where, name[:i], opName)
		}
		name = name[i+1:]
	}
	lname := strings.ToLower(name)
	if strings.HasSuffix(lname, "ifexists") {
		c.ifExists = true
		lname = strings.TrimSuffix(lname, "ifexists")
	}
	info, ok := operators[lname]
	if !ok {
		return nil, perr("%s: unknown condition operator %q", where, opName)
	}
	if info.fam == famNull && (c.ifExists || c.set != setNone) {
		return nil, perr("%s: %q: the Null operator takes no IfExists suffix or set qualifier", where, opName)
	}
	c.op = info
	if key == "" {
		return nil, perr("%s: %s has an empty condition key", where, opName)
	}
	var nodes []*jsonNode
	switch vn.kind {
	case jArray:
		nodes = vn.items
	default:
		nodes = []*jsonNode{vn}
	}
	for _, it := range nodes {
		s, ok := it.scalarText()
		if !ok {
			return nil, perr("%s: %s %q: condition values must be strings, numbers or booleans, found %s", where, opName, key, it.kind)
		}
		c.Values = append(c.Values, s)
		v, err := compileValue(info.fam, s, vars)
		if err != nil {
			return nil, perr("%s: %s %q: %v", where, opName, key, err)
		}
		if v.pat.hasVars || v.arn.vars {
			c.hasVars = true
		}
		c.vals = append(c.vals, v)
	}
	return c, nil
}

func compileValue(fam condFamily, s string, vars bool) (condValue, error) {
	v := condValue{raw: s}
	switch fam {
	case famStringEquals, famStringEqualsIgnoreCase:
		v.pat = compilePattern(s, false, vars)
	case famStringLike:
		v.pat = compilePattern(s, true, vars)
	case famBool:
		// Bool accepts policy variables; compare case-insensitively.
		v.pat = compilePattern(s, false, vars)
	case famArn:
		v.arn = compileResource(s, vars)
	case famNumeric:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(f) {
			return v, errf("%q is not a number", s)
		}
		v.num = f
	case famDate:
		t, ok := parseDate(s)
		if !ok {
			return v, errf("%q is not an ISO 8601 date or epoch time", s)
		}
		v.t = t
	case famBinary:
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return v, errf("%q is not base64", s)
		}
		v.bin = b
	case famIP:
		p, ok := parseIPOrCIDR(s)
		if !ok {
			return v, errf("%q is not an IP address or CIDR block", s)
		}
		v.ip = p
	case famNull:
		switch strings.ToLower(s) {
		case "true":
			v.bval = true
		case "false":
		default:
			return v, errf("Null takes \"true\" or \"false\", not %q", s)
		}
	}
	return v, nil
}

var errf = fmt.Errorf

// parseIPOrCIDR accepts 203.0.113.0/24, 2001:DB8::/32 or a bare address,
// which means /32 (or /128).
func parseIPOrCIDR(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.WithZone("")
	return netip.PrefixFrom(a, a.BitLen()), true
}

// dateLayouts are the ISO 8601 forms AWS accepts in date conditions.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02",
	"20060102T150405Z",
	"20060102T150405Z0700",
	"20060102",
}

// parseDate reads an ISO 8601 date/time or an epoch time in seconds (the
// form aws:EpochTime has); a string of digits longer than 11 is taken as
// milliseconds.
func parseDate(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if isDigits(s) || (s[0] == '-' && isDigits(s[1:])) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, false
		}
		if len(strings.TrimPrefix(s, "-")) > 11 {
			return n * int64(time.Millisecond), true
		}
		if n > math.MaxInt64/int64(time.Second) || n < math.MinInt64/int64(time.Second) {
			return 0, false
		}
		return n * int64(time.Second), true
	}
	if i := strings.IndexByte(s, '.'); i > 0 && isDigits(s[:i]) && isDigits(s[i+1:]) {
		// Fractional epoch seconds.
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return int64(f * float64(time.Second)), true
		}
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UnixNano(), true
		}
	}
	return 0, false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// eval evaluates the condition against the request context
// (reference_policies_multi-value-conditions.html):
//
//   - a missing key makes the condition false, except: ...IfExists → true,
//     negated operators → true, ForAllValues → true (the empty-set trap),
//     ForAnyValue → false;
//   - several policy values are OR'ed; negated operators are NOR'ed;
//   - ForAllValues: every request value matches some policy value;
//     ForAnyValue: some request value matches some policy value.
func (c *Condition) eval(ev *evalCtx) bool {
	vals, present := ev.req.lookup(c.key)
	if c.op.fam == famNull {
		for i := range c.vals {
			if c.vals[i].bval != present {
				return true
			}
		}
		return false
	}
	if present && c.set != setNone {
		vals = nonEmpty(vals)
		present = len(vals) > 0
	}
	if !present {
		switch {
		case c.ifExists:
			return true
		case c.set == setForAll:
			return true
		case c.set == setForAny:
			return false
		}
		return c.op.negated
	}
	switch c.set {
	case setForAll:
		for _, v := range vals {
			if c.matchAny(ev, v) == c.op.negated {
				return false
			}
		}
		return true
	case setForAny:
		for _, v := range vals {
			if c.matchAny(ev, v) != c.op.negated {
				return true
			}
		}
		return false
	}
	// No set qualifier: a positive operator holds when any request value
	// matches any policy value; a negated one when none does.
	for _, v := range vals {
		if c.matchAny(ev, v) {
			return !c.op.negated
		}
	}
	return c.op.negated
}

func nonEmpty(vals []string) []string {
	for _, v := range vals {
		if v == "" {
			out := make([]string, 0, len(vals))
			for _, w := range vals {
				if w != "" {
					out = append(out, w)
				}
			}
			return out
		}
	}
	return vals
}

// matchAny reports whether the request value ctx matches any policy value
// under the positive form of the operator.
func (c *Condition) matchAny(ev *evalCtx, ctx string) bool {
	switch c.op.fam {
	case famNumeric:
		f, err := strconv.ParseFloat(strings.TrimSpace(ctx), 64)
		if err != nil {
			return false
		}
		for i := range c.vals {
			if compareNum(f, c.vals[i].num, c.op.cmp) {
				return true
			}
		}
		return false
	case famDate:
		t, ok := parseDate(ctx)
		if !ok {
			return false
		}
		for i := range c.vals {
			if compareInt(t, c.vals[i].t, c.op.cmp) {
				return true
			}
		}
		return false
	case famIP:
		a, ok := parseIPOrCIDR(ctx)
		if !ok {
			return false
		}
		for i := range c.vals {
			p := c.vals[i].ip
			if a.Addr().Is4In6() && p.Addr().Is4() {
				a = netip.PrefixFrom(a.Addr().Unmap(), 32)
			}
			if p.Bits() <= a.Bits() && p.Contains(a.Addr()) {
				return true
			}
		}
		return false
	case famBinary:
		b, err := base64.StdEncoding.DecodeString(ctx)
		if err != nil {
			b = []byte(ctx)
		}
		for i := range c.vals {
			if bytes.Equal(b, c.vals[i].bin) {
				return true
			}
		}
		return false
	case famArn:
		f, isARN := splitARN(ctx)
		for i := range c.vals {
			if c.vals[i].arn.match(ctx, &f, isARN, ev.req, false) {
				return true
			}
		}
		return false
	}
	// String families and Bool.
	for i := range c.vals {
		p := &c.vals[i].pat
		if p.hasVars {
			// A variable without a value is null: it equals nothing, so
			// only negated operators can hold. Equality patterns have no
			// wildcard tokens, so matching them is an exact comparison.
			fold := c.op.fam == famStringEqualsIgnoreCase || c.op.fam == famBool
			if m, ok := p.matchVars(ctx, ev.req, fold); ok && m {
				return true
			}
			continue
		}
		switch c.op.fam {
		case famStringLike:
			if p.match(ctx) {
				return true
			}
		default:
			if c.matchString(p.raw, ctx) {
				return true
			}
		}
	}
	return false
}

func (c *Condition) matchString(policy, ctx string) bool {
	switch c.op.fam {
	case famStringEqualsIgnoreCase, famBool:
		return strings.EqualFold(policy, ctx)
	}
	return policy == ctx
}

func compareNum(ctx, pol float64, k cmpKind) bool {
	switch k {
	case cmpLt:
		return ctx < pol
	case cmpLe:
		return ctx <= pol
	case cmpGt:
		return ctx > pol
	case cmpGe:
		return ctx >= pol
	}
	return ctx == pol
}

func compareInt(ctx, pol int64, k cmpKind) bool {
	switch k {
	case cmpLt:
		return ctx < pol
	case cmpLe:
		return ctx <= pol
	case cmpGt:
		return ctx > pol
	case cmpGe:
		return ctx >= pol
	}
	return ctx == pol
}

// Keys returns the sorted, lowercased condition keys a policy tests; other
// engines use it to know which context a question needs.
func (p *Policy) Keys() []string {
	seen := map[string]bool{}
	for _, st := range p.Statements {
		for _, c := range st.Conditions {
			seen[c.key] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
