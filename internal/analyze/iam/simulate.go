package iam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// MaxSimulateInputBytes bounds a simulate request file.
const MaxSimulateInputBytes = 16 << 20

// SimulateInput is the JSON request format of `demarc iam simulate
// --request FILE` (documented in docs/iam-simulate.md). Policy documents are
// JSON objects or JSON strings holding the document.
type SimulateInput struct {
	Principal           string                     `json:"principal"`
	Action              string                     `json:"action"`
	Resource            string                     `json:"resource"`
	Context             map[string]json.RawMessage `json:"context"`
	IdentityPolicies    []json.RawMessage          `json:"identity_policies"`
	ResourcePolicy      json.RawMessage            `json:"resource_policy"`
	PermissionsBoundary json.RawMessage            `json:"permissions_boundary"`
	SessionPolicy       json.RawMessage            `json:"session_policy"`
	SCPs                []json.RawMessage          `json:"scps"`
	RCPs                []json.RawMessage          `json:"rcps"`
	ResourceAccount     string                     `json:"resource_account"`

	// Optional facts (extensions to the required format).
	PrincipalTags                map[string]string `json:"principal_tags"`
	PrincipalOrgID               string            `json:"principal_org_id"`
	PrincipalInManagementAccount bool              `json:"principal_in_management_account"`
	ServiceLinkedRole            bool              `json:"service_linked_role"`
	ResourceInManagementAccount  bool              `json:"resource_in_management_account"`
	SourceUserARN                string            `json:"source_user_arn"`
	// Time (RFC 3339) supplies aws:CurrentTime/aws:EpochTime; default: now.
	Time string `json:"time"`
}

// Simulation is a parsed simulate request.
type Simulation struct {
	Request  *Request
	Policies *PolicySet
	// Warnings: unknown fields and policy constructs AWS would reject.
	Warnings []string
}

var knownSimulateFields = map[string]bool{
	"principal": true, "action": true, "resource": true, "context": true,
	"identity_policies": true, "resource_policy": true, "permissions_boundary": true,
	"session_policy": true, "scps": true, "rcps": true, "resource_account": true,
	"principal_tags": true, "principal_org_id": true, "principal_in_management_account": true,
	"service_linked_role": true, "resource_in_management_account": true, "source_user_arn": true,
	"time": true,
}

// ParseSimulateInput reads a simulate request. now supplies the request time
// when the file has none.
func ParseSimulateInput(data []byte, now time.Time) (*Simulation, error) {
	if len(data) > MaxSimulateInputBytes {
		return nil, fmt.Errorf("request file is larger than %d bytes", MaxSimulateInputBytes)
	}
	var in SimulateInput
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("request file: invalid JSON: %w", err)
	}
	sim := &Simulation{}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err == nil {
		var unknown []string
		for k := range fields {
			if !knownSimulateFields[k] {
				unknown = append(unknown, k)
			}
		}
		sort.Strings(unknown)
		for _, k := range unknown {
			sim.Warnings = append(sim.Warnings, fmt.Sprintf("request file: unknown field %q ignored", k))
		}
	}
	p, err := ParsePrincipal(in.Principal)
	if err != nil {
		return nil, fmt.Errorf("request file: %w", err)
	}
	p.Tags = in.PrincipalTags
	p.OrgID = in.PrincipalOrgID
	p.ManagementAccount = in.PrincipalInManagementAccount
	p.ServiceLinkedRole = p.ServiceLinkedRole || in.ServiceLinkedRole
	p.SourceUserARN = in.SourceUserARN
	if in.Action == "" {
		return nil, fmt.Errorf("request file: missing \"action\"")
	}
	if in.Resource == "" {
		return nil, fmt.Errorf("request file: missing \"resource\" (use \"*\" for actions without one)")
	}
	if in.ResourceAccount != "" && !IsAccountID(in.ResourceAccount) {
		return nil, fmt.Errorf("request file: resource_account %q is not a 12-digit account ID", in.ResourceAccount)
	}
	req := &Request{
		Principal:                   p,
		Action:                      in.Action,
		Resource:                    in.Resource,
		ResourceAccount:             in.ResourceAccount,
		ResourceInManagementAccount: in.ResourceInManagementAccount,
		Time:                        now,
	}
	if in.Time != "" {
		t, err := time.Parse(time.RFC3339, in.Time)
		if err != nil {
			return nil, fmt.Errorf("request file: time %q is not RFC 3339", in.Time)
		}
		req.Time = t
	}
	if len(in.Context) > 0 {
		req.Context = make(map[string][]string, len(in.Context))
		for k, raw := range in.Context {
			vals, err := contextValues(raw)
			if err != nil {
				return nil, fmt.Errorf("request file: context key %q: %w", k, err)
			}
			req.Context[k] = vals
		}
	}
	ps := &PolicySet{}
	sim.Request, sim.Policies = req, ps
	add := func(raw json.RawMessage, name string) (*Policy, error) {
		pol, err := policyFromRaw(raw, name)
		if err != nil || pol == nil {
			return nil, err
		}
		for _, w := range pol.Warnings {
			sim.Warnings = append(sim.Warnings, name+": "+w)
		}
		return pol, nil
	}
	for i, raw := range in.IdentityPolicies {
		pol, err := add(raw, fmt.Sprintf("identity_policies[%d]", i))
		if err != nil {
			return nil, err
		}
		if pol != nil {
			ps.Identity = append(ps.Identity, pol)
		}
	}
	if ps.Resource, err = add(in.ResourcePolicy, "resource_policy"); err != nil {
		return nil, err
	}
	if ps.Boundary, err = add(in.PermissionsBoundary, "permissions_boundary"); err != nil {
		return nil, err
	}
	if ps.Session, err = add(in.SessionPolicy, "session_policy"); err != nil {
		return nil, err
	}
	if ps.SCPs, err = levelsFromRaw(in.SCPs, "scps", add); err != nil {
		return nil, err
	}
	if ps.RCPs, err = levelsFromRaw(in.RCPs, "rcps", add); err != nil {
		return nil, err
	}
	if err := req.Prepare(); err != nil {
		return nil, fmt.Errorf("request file: %w", err)
	}
	return sim, nil
}

// policyFromRaw reads a policy given as a JSON object or as a JSON string
// holding the document; null or absent means no policy.
func policyFromRaw(raw json.RawMessage, name string) (*Policy, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	text := []byte(raw)
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		text = []byte(s)
	}
	pol, err := Parse(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	pol.Name = name
	return pol, nil
}

// levelsFromRaw reads SCP/RCP levels: each level is a list of documents or
// an object {"name": "...", "policies": [...]}.
func levelsFromRaw(raws []json.RawMessage, field string, add func(json.RawMessage, string) (*Policy, error)) ([]Level, error) {
	var out []Level
	for i, raw := range raws {
		lv := Level{}
		var docs []json.RawMessage
		trimmed := bytes.TrimSpace(raw)
		switch {
		case len(trimmed) > 0 && trimmed[0] == '[':
			if err := json.Unmarshal(trimmed, &docs); err != nil {
				return nil, fmt.Errorf("%s[%d]: %w", field, i, err)
			}
		case len(trimmed) > 0 && trimmed[0] == '{':
			var named struct {
				Name     string            `json:"name"`
				Policies []json.RawMessage `json:"policies"`
			}
			if err := json.Unmarshal(trimmed, &named); err != nil || named.Policies == nil {
				return nil, fmt.Errorf("%s[%d]: a level is a list of policy documents (or {\"name\", \"policies\"})", field, i)
			}
			lv.Name, docs = named.Name, named.Policies
		default:
			return nil, fmt.Errorf("%s[%d]: a level is a list of policy documents, root first", field, i)
		}
		if lv.Name == "" {
			lv.Name = defaultLevelName(i, len(raws))
		}
		for j, d := range docs {
			pol, err := add(d, fmt.Sprintf("%s[%d][%d]", field, i, j))
			if err != nil {
				return nil, err
			}
			if pol != nil {
				lv.Policies = append(lv.Policies, pol)
			}
		}
		out = append(out, lv)
	}
	return out, nil
}

func defaultLevelName(i, n int) string {
	switch {
	case i == 0:
		return "root"
	case i == n-1:
		return fmt.Sprintf("%d (account)", i)
	}
	return fmt.Sprintf("%d (OU)", i)
}

// contextValues reads a context value: a string, number or boolean, or a
// list of them.
func contextValues(raw json.RawMessage) ([]string, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	scalar := func(x any) (string, bool) {
		switch t := x.(type) {
		case string:
			return t, true
		case json.Number:
			return t.String(), true
		case bool:
			if t {
				return "true", true
			}
			return "false", true
		}
		return "", false
	}
	if list, ok := v.([]any); ok {
		out := make([]string, 0, len(list))
		for _, x := range list {
			s, ok := scalar(x)
			if !ok {
				return nil, fmt.Errorf("values must be strings, numbers or booleans")
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, ok := scalar(v)
	if !ok {
		return nil, fmt.Errorf("value must be a string, number, boolean or a list of them")
	}
	return []string{s}, nil
}

// PolicyNames lists the names of the policies in a set, for reports.
func (ps *PolicySet) PolicyNames() []string {
	var out []string
	for _, p := range ps.Identity {
		out = append(out, p.Name)
	}
	for _, p := range []*Policy{ps.Resource, ps.Boundary, ps.Session} {
		if p != nil {
			out = append(out, p.Name)
		}
	}
	for _, lv := range append(append([]Level(nil), ps.SCPs...), ps.RCPs...) {
		for _, p := range lv.Policies {
			out = append(out, p.Name)
		}
	}
	return out
}
