package iam

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Principals and resources shared by the golden cases.
const (
	acct    = "111122223333"
	extAcct = "444455556666"
	alice   = "arn:aws:iam::111122223333:user/alice"
	carlos  = "arn:aws:iam::123456789012:user/carlossalazar"
	bob     = "arn:aws:iam::444455556666:user/Bob"
	appRole = "arn:aws:iam::111122223333:role/app"
	appSess = "arn:aws:sts::111122223333:assumed-role/app/sess1"
	extSess = "arn:aws:sts::444455556666:assumed-role/auditor/audit-app"
	fedUser = "arn:aws:sts::111122223333:federated-user/carol"
	rootARN = "arn:aws:iam::111122223333:root"
	bucket  = "arn:aws:s3:::example-bucket"
	object  = "arn:aws:s3:::example-bucket/key.txt"
	keyARN  = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

// AWS documentation pages the cases encode.
const (
	docIAM        = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
	docEval       = docIAM + "reference_policies_evaluation-logic.html"
	docDenyAllow  = docIAM + "reference_policies_evaluation-logic_policy-eval-denyallow.html"
	docCross      = docIAM + "reference_policies_evaluation-logic-cross-account.html"
	docCondOps    = docIAM + "reference_policies_elements_condition_operators.html"
	docMulti      = docIAM + "reference_policies_multi-value-conditions.html"
	docVars       = docIAM + "reference_policies_variables.html"
	docVersion    = docIAM + "reference_policies_elements_version.html"
	docAction     = docIAM + "reference_policies_elements_action.html"
	docNotAction  = docIAM + "reference_policies_elements_notaction.html"
	docResource   = docIAM + "reference_policies_elements_resource.html"
	docNotRes     = docIAM + "reference_policies_elements_notresource.html"
	docPrincipal  = docIAM + "reference_policies_elements_principal.html"
	docNotPrinc   = docIAM + "reference_policies_elements_notprincipal.html"
	docCondKeys   = docIAM + "reference_policies_condition-keys.html"
	docBoundaries = docIAM + "access_policies_boundaries.html"
	docSession    = docIAM + "access_policies.html#policies_session"
	docTrust      = docIAM + "id_roles_compare-resource-policies.html"
	docRoleUse    = docIAM + "id_roles_use_permissions-to-switch.html"
	docCreds      = docIAM + "id_credentials_temp_request.html"
	docSCP        = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html"
	docSCPEffects = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html"
	docRCP        = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html"
	docRCPSvc     = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html"
	docKMS        = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html"
	docKMSDefault = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"
)

// js renders a value for a policy: raw JSON when it starts with [ or {,
// otherwise a JSON string.
func js(v string) string {
	if strings.HasPrefix(v, "[") || strings.HasPrefix(v, "{") {
		return v
	}
	return fmt.Sprintf("%q", v)
}

func pol(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func pol08(stmts ...string) string {
	return `{"Version":"2008-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func polNoVersion(stmts ...string) string {
	return `{"Statement":[` + strings.Join(stmts, ",") + `]}`
}

func stmt(effect, action, resource, cond string) string {
	s := fmt.Sprintf(`{"Effect":%q,"Action":%s,"Resource":%s`, effect, js(action), js(resource))
	if cond != "" {
		s += `,"Condition":` + cond
	}
	return s + "}"
}

func allow(action, resource string) string { return stmt("Allow", action, resource, "") }
func deny(action, resource string) string  { return stmt("Deny", action, resource, "") }
func allowIf(action, resource, cond string) string {
	return stmt("Allow", action, resource, cond)
}
func denyIf(action, resource, cond string) string {
	return stmt("Deny", action, resource, cond)
}

// rstmt is a resource-policy statement; principal is raw JSON ("*" or an object).
func rstmt(effect, principal, action, resource, cond string) string {
	p := principal
	if p == "*" {
		p = `"*"`
	}
	s := fmt.Sprintf(`{"Effect":%q,"Principal":%s,"Action":%s`, effect, p, js(action))
	if resource != "" {
		s += `,"Resource":` + js(resource)
	}
	if cond != "" {
		s += `,"Condition":` + cond
	}
	return s + "}"
}

func rAllow(principal, action, resource string) string {
	return rstmt("Allow", principal, action, resource, "")
}
func rDeny(principal, action, resource string) string {
	return rstmt("Deny", principal, action, resource, "")
}

// awsP renders {"AWS": [...]}.
func awsP(ids ...string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = fmt.Sprintf("%q", id)
	}
	return `{"AWS":[` + strings.Join(q, ",") + `]}`
}

func svcP(name string) string { return fmt.Sprintf(`{"Service":%q}`, name) }

// kv builds a context from key, value pairs; a value with "|" is a list.
func kv(pairs ...string) map[string][]string {
	m := map[string][]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			m[pairs[i]] = []string{}
			continue
		}
		m[pairs[i]] = strings.Split(pairs[i+1], "|")
	}
	return m
}

var (
	allowAll   = allow("*", "*")
	fullAccess = pol(allowAll) // FullAWSAccess / RCPFullAWSAccess
)

type goldenCase struct {
	name      string
	doc       string
	principal string
	action    string
	resource  string
	resAcct   string
	ctx       map[string][]string
	identity  []string
	rp        string // resource policy
	pb        string // permissions boundary
	sp        string // session policy
	scps      [][]string
	rcps      [][]string
	tweak     func(*Request, *PolicySet)
	want      Outcome
	why       string // substring the explanation must contain
}

func mustPolicy(t *testing.T, text, name string) *Policy {
	t.Helper()
	p, err := ParseString(text)
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, text)
	}
	p.Name = name
	return p
}

func (tc goldenCase) build(t *testing.T) (*Request, *PolicySet) {
	t.Helper()
	pr, err := ParsePrincipal(tc.principal)
	if err != nil {
		t.Fatalf("principal: %v", err)
	}
	req := &Request{
		Principal:       pr,
		Action:          tc.action,
		Resource:        tc.resource,
		ResourceAccount: tc.resAcct,
		Context:         tc.ctx,
		Time:            time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC),
	}
	ps := &PolicySet{}
	for i, d := range tc.identity {
		ps.Identity = append(ps.Identity, mustPolicy(t, d, fmt.Sprintf("identity-%d", i)))
	}
	if tc.rp != "" {
		ps.Resource = mustPolicy(t, tc.rp, "resource")
	}
	if tc.pb != "" {
		ps.Boundary = mustPolicy(t, tc.pb, "boundary")
	}
	if tc.sp != "" {
		ps.Session = mustPolicy(t, tc.sp, "session")
	}
	levels := func(in [][]string, kind string) []Level {
		var out []Level
		for i, lv := range in {
			l := Level{}
			for j, d := range lv {
				l.Policies = append(l.Policies, mustPolicy(t, d, fmt.Sprintf("%s-%d-%d", kind, i, j)))
			}
			out = append(out, l)
		}
		return out
	}
	ps.SCPs = levels(tc.scps, "scp")
	ps.RCPs = levels(tc.rcps, "rcp")
	if tc.tweak != nil {
		tc.tweak(req, ps)
	}
	return req, ps
}
