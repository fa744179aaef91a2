package iam

import (
	"errors"
	"fmt"
	"strings"
)

// Policy language versions (reference_policies_elements_version.html).
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Effect is a statement's effect.
type Effect uint8

// Effects.
const (
	Allow Effect = iota + 1
	Deny
)

func (e Effect) String() string {
	switch e {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "?"
}

// Policy is a parsed, compiled policy document. It is immutable after Parse
// and safe to share between goroutines.
type Policy struct {
	// Name identifies the policy in explanations (policy name or ARN). The
	// caller sets it; Parse leaves it empty.
	Name string
	// Version is the Version element as written ("" when absent: the
	// 2008-10-17 language, in which policy variables are literal text).
	Version    string
	ID         string
	Statements []*Statement
	// Warnings are constructs AWS would likely reject or that evaluate in a
	// surprising way; they do not stop evaluation.
	Warnings []string
}

// Statement is one compiled statement.
type Statement struct {
	Index  int // 0-based position in the policy
	Sid    string
	Effect Effect

	// Action or NotAction values as written.
	Actions   []string
	NotAction bool
	// Resource or NotResource values as written; HasResource is false when
	// neither element is present (role trust policies).
	Resources   []string
	NotResource bool
	HasResource bool
	// Principal or NotPrincipal; nil when neither is present.
	Principal    *PrincipalSpec
	NotPrincipal bool

	Conditions []*Condition

	actions   []pattern
	resources []resPattern
}

// PrincipalSpec is a Principal or NotPrincipal element.
type PrincipalSpec struct {
	Wildcard      bool // "*" or {"AWS": "*"}
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// ParseError is returned for a malformed policy document.
type ParseError struct{ Msg string }

func (e *ParseError) Error() string { return "parse policy: " + e.Msg }

// ErrNotPolicy reports text that is valid JSON but not a policy object.
var ErrNotPolicy = errors.New("not a policy document")

// Parse parses and compiles a policy document.
func Parse(text []byte) (*Policy, error) {
	root, err := parseJSON(text)
	if err != nil {
		return nil, &ParseError{err.Error()}
	}
	return fromNode(root)
}

// ParseString is Parse for a string.
func ParseString(text string) (*Policy, error) { return Parse([]byte(text)) }

// MustParse parses a policy known to be valid (tests, embedded policies).
func MustParse(text string) *Policy {
	p, err := ParseString(text)
	if err != nil {
		panic(err)
	}
	return p
}

func perr(format string, a ...any) error { return &ParseError{fmt.Sprintf(format, a...)} }

func fromNode(root *jsonNode) (*Policy, error) {
	if root.kind != jObject {
		return nil, perr("%v: the document is a JSON %s, not an object", ErrNotPolicy, root.kind)
	}
	p := &Policy{}
	var stmts *jsonNode
	for _, m := range root.members {
		switch m.key {
		case "Version":
			if m.val.kind != jString {
				return nil, perr("Version must be a string, not %s", m.val.kind)
			}
			p.Version = m.val.str
		case "Id":
			if m.val.kind != jString {
				return nil, perr("Id must be a string, not %s", m.val.kind)
			}
			p.ID = m.val.str
		case "Statement":
			stmts = m.val
		default:
			return nil, perr("unknown top-level element %q (element names are case-sensitive)", m.key)
		}
	}
	switch p.Version {
	case "", Version2008, Version2012:
	default:
		return nil, perr("unsupported Version %q (want %q or %q)", p.Version, Version2012, Version2008)
	}
	if stmts == nil {
		return nil, perr("missing Statement element")
	}
	var list []*jsonNode
	switch stmts.kind {
	case jObject:
		list = []*jsonNode{stmts}
	case jArray:
		list = stmts.items
	default:
		return nil, perr("Statement must be an object or an array of objects, not %s", stmts.kind)
	}
	vars := p.Version == Version2012
	for i, n := range list {
		st, err := parseStatement(n, i, vars, &p.Warnings)
		if err != nil {
			return nil, err
		}
		p.Statements = append(p.Statements, st)
	}
	return p, nil
}

func stmtName(i int, sid string) string {
	if sid != "" {
		return fmt.Sprintf("statement %d (Sid %q)", i, sid)
	}
	return fmt.Sprintf("statement %d", i)
}

func parseStatement(n *jsonNode, idx int, vars bool, warnings *[]string) (*Statement, error) {
	if n.kind != jObject {
		return nil, perr("statement %d must be an object, not %s", idx, n.kind)
	}
	st := &Statement{Index: idx}
	if sid := n.get("Sid"); sid != nil {
		if sid.kind != jString {
			return nil, perr("statement %d: Sid must be a string, not %s", idx, sid.kind)
		}
		st.Sid = sid.str
	}
	where := stmtName(idx, st.Sid)
	var action, notAction, resource, notResource, principal, notPrincipal, condition *jsonNode
	for _, m := range n.members {
		switch m.key {
		case "Sid":
		case "Effect":
			if m.val.kind != jString {
				return nil, perr("%s: Effect must be a string, not %s", where, m.val.kind)
			}
			switch m.val.str {
			case "Allow":
				st.Effect = Allow
			case "Deny":
				st.Effect = Deny
			default:
				return nil, perr("%s: unknown Effect %q (want \"Allow\" or \"Deny\")", where, m.val.str)
			}
		case "Action":
			action = m.val
		case "NotAction":
			notAction = m.val
		case "Resource":
			resource = m.val
		case "NotResource":
			notResource = m.val
		case "Principal":
			principal = m.val
		case "NotPrincipal":
			notPrincipal = m.val
		case "Condition":
			condition = m.val
		default:
			return nil, perr("%s: unknown element %q (element names are case-sensitive)", where, m.key)
		}
	}
	if st.Effect == 0 {
		return nil, perr("%s: missing Effect", where)
	}
	// Action / NotAction: exactly one.
	switch {
	case action != nil && notAction != nil:
		return nil, perr("%s: has both Action and NotAction", where)
	case action == nil && notAction == nil:
		return nil, perr("%s: has neither Action nor NotAction", where)
	}
	an := action
	if notAction != nil {
		an, st.NotAction = notAction, true
	}
	acts, err := stringList(an, where, elemName("Action", st.NotAction))
	if err != nil {
		return nil, err
	}
	st.Actions = acts
	for _, a := range acts {
		if a != "*" && !strings.Contains(a, ":") {
			*warnings = append(*warnings, fmt.Sprintf("%s: action %q is not of the form service:action", where, a))
		}
		// Actions are case-insensitive and never take policy variables.
		st.actions = append(st.actions, compilePattern(a, true, false).lowered())
	}
	// Resource / NotResource: at most one (trust policies have neither).
	if resource != nil && notResource != nil {
		return nil, perr("%s: has both Resource and NotResource", where)
	}
	if rn := resource; rn != nil || notResource != nil {
		if rn == nil {
			rn, st.NotResource = notResource, true
		}
		st.HasResource = true
		res, err := stringList(rn, where, elemName("Resource", st.NotResource))
		if err != nil {
			return nil, err
		}
		st.Resources = res
		for _, r := range res {
			rp := compileResource(r, vars)
			if !rp.any && !rp.arn {
				*warnings = append(*warnings, fmt.Sprintf("%s: resource %q is not \"*\" or a six-field ARN", where, r))
			}
			st.resources = append(st.resources, rp)
		}
	}
	if principal != nil && notPrincipal != nil {
		return nil, perr("%s: has both Principal and NotPrincipal", where)
	}
	if pn := principal; pn != nil || notPrincipal != nil {
		if pn == nil {
			pn, st.NotPrincipal = notPrincipal, true
		}
		spec, err := parsePrincipalSpec(pn, where, elemName("Principal", st.NotPrincipal))
		if err != nil {
			return nil, err
		}
		st.Principal = spec
		if st.NotPrincipal && st.Effect == Allow {
			*warnings = append(*warnings, fmt.Sprintf("%s: NotPrincipal with Allow grants access to every other principal, anonymous users included", where))
		}
	}
	if condition != nil {
		conds, err := parseConditionBlock(condition, where, vars)
		if err != nil {
			return nil, err
		}
		st.Conditions = conds
	}
	return st, nil
}

func elemName(base string, not bool) string {
	if not {
		return "Not" + base
	}
	return base
}

// stringList reads a string-or-array-of-strings element.
func stringList(n *jsonNode, where, elem string) ([]string, error) {
	switch n.kind {
	case jString:
		return []string{n.str}, nil
	case jArray:
		out := make([]string, 0, len(n.items))
		for _, it := range n.items {
			if it.kind != jString {
				return nil, perr("%s: %s values must be strings, found %s", where, elem, it.kind)
			}
			out = append(out, it.str)
		}
		return out, nil
	}
	return nil, perr("%s: %s must be a string or an array of strings, not %s", where, elem, n.kind)
}

func parsePrincipalSpec(n *jsonNode, where, elem string) (*PrincipalSpec, error) {
	spec := &PrincipalSpec{}
	switch n.kind {
	case jString:
		if n.str != "*" {
			return nil, perr("%s: %s string must be \"*\"; name principals as {\"AWS\": ...}, {\"Service\": ...}, {\"Federated\": ...} or {\"CanonicalUser\": ...}", where, elem)
		}
		spec.Wildcard = true
		return spec, nil
	case jObject:
	default:
		return nil, perr("%s: %s must be \"*\" or an object, not %s", where, elem, n.kind)
	}
	for _, m := range n.members {
		vals, err := stringList(m.val, where, elem+"."+m.key)
		if err != nil {
			return nil, err
		}
		switch m.key {
		case "AWS":
			for _, v := range vals {
				if v == "*" {
					spec.Wildcard = true
				}
			}
			spec.AWS = vals
		case "Service":
			spec.Service = vals
		case "Federated":
			spec.Federated = vals
		case "CanonicalUser":
			spec.CanonicalUser = vals
		default:
			return nil, perr("%s: unknown %s type %q (want AWS, Service, Federated or CanonicalUser)", where, elem, m.key)
		}
	}
	return spec, nil
}
