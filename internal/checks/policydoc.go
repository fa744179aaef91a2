package checks

// A minimal reader of IAM policy documents: just enough grammar for the
// rules of this package (admin statements, public principals, TLS denies).
// The full policy-evaluation engine lives in internal/analyze once it
// lands; grantsFullAdmin is the one seam the IAM rules call, so swapping it
// for the engine is a one-function change.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// policyDocument is the subset of the IAM policy grammar the rules read.
type policyDocument struct {
	Statements []policyStatement
}

// policyStatement is one statement. The Has* flags record the presence of
// the negated elements, which invert the meaning of a statement.
type policyStatement struct {
	Sid             string
	Effect          string
	Principal       principalSet
	HasPrincipal    bool
	HasNotPrincipal bool
	Action          []string
	NotAction       []string
	HasNotAction    bool
	Resource        []string
	NotResource     []string
	HasNotResource  bool
	// Condition maps operator → key → values (values stringified).
	Condition map[string]map[string][]string
}

// principalSet is a parsed Principal element.
type principalSet struct {
	// Wildcard is "Principal": "*" or {"AWS": "*"}: everyone, anonymous included.
	Wildcard      bool
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

func (st policyStatement) allow() bool { return strings.EqualFold(st.Effect, "Allow") }
func (st policyStatement) deny() bool  { return strings.EqualFold(st.Effect, "Deny") }

// rawStatement mirrors the JSON; every element may be a string or a list.
type rawStatement struct {
	Sid          string                                `json:"Sid"`
	Effect       string                                `json:"Effect"`
	Principal    json.RawMessage                       `json:"Principal"`
	NotPrincipal json.RawMessage                       `json:"NotPrincipal"`
	Action       stringList                            `json:"Action"`
	NotAction    *stringList                           `json:"NotAction"`
	Resource     stringList                            `json:"Resource"`
	NotResource  *stringList                           `json:"NotResource"`
	Condition    map[string]map[string]json.RawMessage `json:"Condition"`
}

// stringList decodes a JSON string or array of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		*l = nil
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = stringList{s}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("want a string or a list of strings: %w", err)
	}
	*l = list
	return nil
}

// parsePolicy parses a policy document. IAM returns documents URL-encoded
// from some APIs; an encoded document is decoded first.
func parsePolicy(doc string) (policyDocument, error) {
	doc = strings.TrimSpace(doc)
	if doc == "" {
		return policyDocument{}, errors.New("empty policy document")
	}
	if strings.HasPrefix(doc, "%7B") || strings.HasPrefix(doc, "%7b") {
		dec, err := url.QueryUnescape(doc)
		if err != nil {
			return policyDocument{}, fmt.Errorf("url-decode policy document: %w", err)
		}
		doc = dec
	}
	var raw struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return policyDocument{}, fmt.Errorf("parse policy document: %w", err)
	}
	var stmts []rawStatement
	st := bytes.TrimSpace(raw.Statement)
	switch {
	case len(st) == 0 || bytes.Equal(st, []byte("null")):
		// A policy without statements grants nothing.
	case st[0] == '{':
		var one rawStatement
		if err := json.Unmarshal(st, &one); err != nil {
			return policyDocument{}, fmt.Errorf("parse policy statement: %w", err)
		}
		stmts = []rawStatement{one}
	default:
		if err := json.Unmarshal(st, &stmts); err != nil {
			return policyDocument{}, fmt.Errorf("parse policy statements: %w", err)
		}
	}
	out := policyDocument{Statements: make([]policyStatement, 0, len(stmts))}
	for i, r := range stmts {
		ps := policyStatement{
			Sid:      r.Sid,
			Effect:   r.Effect,
			Action:   r.Action,
			Resource: r.Resource,
		}
		if r.NotAction != nil {
			ps.HasNotAction, ps.NotAction = true, *r.NotAction
		}
		if r.NotResource != nil {
			ps.HasNotResource, ps.NotResource = true, *r.NotResource
		}
		if len(r.Principal) > 0 && !bytes.Equal(bytes.TrimSpace(r.Principal), []byte("null")) {
			p, err := parsePrincipal(r.Principal)
			if err != nil {
				return policyDocument{}, fmt.Errorf("statement %d principal: %w", i, err)
			}
			ps.Principal, ps.HasPrincipal = p, true
		}
		ps.HasNotPrincipal = len(r.NotPrincipal) > 0 && !bytes.Equal(bytes.TrimSpace(r.NotPrincipal), []byte("null"))
		if len(r.Condition) > 0 {
			ps.Condition = make(map[string]map[string][]string, len(r.Condition))
			for op, keys := range r.Condition {
				m := make(map[string][]string, len(keys))
				for k, v := range keys {
					vals, err := conditionValues(v)
					if err != nil {
						return policyDocument{}, fmt.Errorf("statement %d condition %s %s: %w", i, op, k, err)
					}
					m[k] = vals
				}
				ps.Condition[op] = m
			}
		}
		out.Statements = append(out.Statements, ps)
	}
	return out, nil
}

func parsePrincipal(b json.RawMessage) (principalSet, error) {
	var p principalSet
	b = bytes.TrimSpace(b)
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return p, err
		}
		if s != "*" {
			return p, fmt.Errorf("a string principal must be \"*\", got %q", s)
		}
		p.Wildcard = true
		return p, nil
	}
	var m map[string]stringList
	if err := json.Unmarshal(b, &m); err != nil {
		return p, err
	}
	for k, v := range m {
		switch strings.ToLower(k) {
		case "aws":
			p.AWS = append(p.AWS, v...)
			for _, x := range v {
				if x == "*" {
					p.Wildcard = true
				}
			}
		case "service":
			p.Service = append(p.Service, v...)
		case "federated":
			p.Federated = append(p.Federated, v...)
		case "canonicaluser":
			p.CanonicalUser = append(p.CanonicalUser, v...)
		}
	}
	return p, nil
}

// conditionValues stringifies a condition value: string, bool, number or a
// list of them.
func conditionValues(b json.RawMessage) ([]string, error) {
	var any1 any
	if err := json.Unmarshal(b, &any1); err != nil {
		return nil, err
	}
	var list []any
	switch v := any1.(type) {
	case []any:
		list = v
	default:
		list = []any{v}
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		switch t := x.(type) {
		case string:
			out = append(out, t)
		case bool:
			out = append(out, strconv.FormatBool(t))
		case float64:
			out = append(out, strconv.FormatFloat(t, 'f', -1, 64))
		case nil:
			out = append(out, "")
		default:
			return nil, fmt.Errorf("unsupported condition value %v", x)
		}
	}
	return out, nil
}

// wildcardMatch matches an IAM-style pattern (* any run, ? one character)
// case-insensitively, as IAM matches action names.
func wildcardMatch(pattern, s string) bool {
	return globMatch(strings.ToLower(pattern), strings.ToLower(s))
}

// globMatch matches case-sensitively (ARNs are case-sensitive).
func globMatch(p, s string) bool {
	// Iterative matcher with backtracking on the last star: linear in
	// practice and never recursive, so hostile patterns cannot blow the stack.
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
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

// isFullAdminAction reports whether an action element grants every action.
// "*:*" is not valid IAM grammar but is matched too, as CIS phrases the
// control that way.
func isFullAdminAction(a string) bool {
	a = strings.TrimSpace(a)
	return a == "*" || a == "*:*"
}

// adminStatement reports whether a statement is the "full administrative
// privileges" shape of CIS 1.15 / FSBP IAM.1: Effect Allow, Action "*" over
// Resource "*", with no Condition. A condition can make the grant narrower
// than it looks, so conditioned statements are left to the full IAM engine.
func adminStatement(st policyStatement) bool {
	if !st.allow() || st.HasNotAction || st.HasNotResource || len(st.Condition) > 0 {
		return false
	}
	action, resource := false, false
	for _, a := range st.Action {
		if isFullAdminAction(a) {
			action = true
		}
	}
	for _, r := range st.Resource {
		if strings.TrimSpace(r) == "*" {
			resource = true
		}
	}
	return action && resource
}

// grantsFullAdmin is the seam the IAM rules use to decide whether a policy
// document grants full "*:*" administrative privileges. It is the single
// function to swap for the analyze engine later.
func grantsFullAdmin(doc string) (bool, error) {
	// Fast path: a document without any '*' cannot grant "*" on "*".
	if !strings.Contains(doc, "*") && !strings.Contains(doc, "%2A") {
		return false, nil
	}
	pd, err := parsePolicy(doc)
	if err != nil {
		return false, err
	}
	for _, st := range pd.Statements {
		if adminStatement(st) {
			return true, nil
		}
	}
	return false, nil
}

// serviceWildcardActions returns the "service:*" (and "*") actions granted by
// Allow statements, sorted and de-duplicated (FSBP IAM.21).
func serviceWildcardActions(doc string) ([]string, error) {
	if !strings.Contains(doc, "*") && !strings.Contains(doc, "%2A") {
		return nil, nil
	}
	pd, err := parsePolicy(doc)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, st := range pd.Statements {
		if !st.allow() {
			continue
		}
		for _, a := range st.Action {
			a = strings.TrimSpace(a)
			if isFullAdminAction(a) || (strings.HasSuffix(a, ":*") && !strings.Contains(strings.TrimSuffix(a, ":*"), "*")) {
				seen[a] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out)
	return out, nil
}
