package iam

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	deep := strings.Repeat("[", 100) + strings.Repeat("]", 100)
	cases := []struct {
		name, doc, want string
	}{
		{"malformed JSON", `{"Version":`, "invalid JSON"},
		{"trailing data", `{"Statement":[]} {}`, "unexpected data after"},
		{"not an object", `[1,2]`, "not a policy document"},
		{"unknown top-level element", `{"Statement":[],"Foo":1}`, `unknown top-level element "Foo"`},
		{"lowercase element", `{"statement":[]}`, "case-sensitive"},
		{"bad version", `{"Version":"2012-10-18","Statement":[]}`, "unsupported Version"},
		{"version not string", `{"Version":2012,"Statement":[]}`, "Version must be a string"},
		{"missing statement", `{"Version":"2012-10-17"}`, "missing Statement"},
		{"statement scalar", `{"Statement":"x"}`, "Statement must be an object or an array"},
		{"statement item scalar", `{"Statement":["x"]}`, "statement 0 must be an object"},
		{"missing effect", `{"Statement":[{"Action":"*","Resource":"*"}]}`, "missing Effect"},
		{"unknown effect", `{"Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}`, `unknown Effect "allow"`},
		{"both Action and NotAction", `{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}]}`, "both Action and NotAction"},
		{"neither Action nor NotAction", `{"Statement":[{"Effect":"Allow","Resource":"*"}]}`, "neither Action nor NotAction"},
		{"both Resource and NotResource", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"*"}]}`, "both Resource and NotResource"},
		{"both Principal and NotPrincipal", `{"Statement":[{"Effect":"Deny","Principal":"*","NotPrincipal":"*","Action":"*"}]}`, "both Principal and NotPrincipal"},
		{"principal string", `{"Statement":[{"Effect":"Allow","Principal":"arn:aws:iam::111122223333:root","Action":"*"}]}`, `string must be "*"`},
		{"principal type", `{"Statement":[{"Effect":"Allow","Principal":{"Account":"1"},"Action":"*"}]}`, `unknown Principal type "Account"`},
		{"action number", `{"Statement":[{"Effect":"Allow","Action":[1],"Resource":"*"}]}`, "Action values must be strings"},
		{"resource object", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":{}}]}`, "Resource must be a string or an array"},
		{"sid number", `{"Statement":[{"Sid":1,"Effect":"Allow","Action":"*","Resource":"*"}]}`, "Sid must be a string"},
		{"unknown statement element", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Foo":1}]}`, `unknown element "Foo"`},
		{"condition not object", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":[]}]}`, "Condition must be an object"},
		{"condition operator not object", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":"x"}}]}`, "must map to an object"},
		{"unknown operator", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringSortOf":{"k":"v"}}}]}`, "unknown condition operator"},
		{"unknown set operator", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForSomeValues:StringEquals":{"k":"v"}}}]}`, "unknown condition set operator"},
		{"Null IfExists", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NullIfExists":{"k":"true"}}}]}`, "Null operator takes no IfExists"},
		{"Null value", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Null":{"k":"maybe"}}}]}`, `Null takes "true" or "false"`},
		{"numeric value", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericEquals":{"k":"ten"}}}]}`, "not a number"},
		{"date value", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"k":"yesterday"}}}]}`, "not an ISO 8601 date"},
		{"ip value", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}]}`, "not an IP address"},
		{"binary value", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"BinaryEquals":{"k":"%%%"}}}]}`, "not base64"},
		{"condition value object", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":{"a":1}}}}]}`, "condition values must be strings"},
		{"condition value null", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":null}}}]}`, "condition values must be strings"},
		{"empty condition key", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"":"v"}}}]}`, "empty condition key"},
		{"duplicate key", `{"Statement":[{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}]}`, `duplicate JSON key "Effect"`},
		{"too deep", `{"Statement":` + deep + `}`, "nests deeper"},
		{"too large", `{"Statement":[],"Id":"` + strings.Repeat("x", MaxPolicyBytes) + `"}`, "larger than"},
		{"empty", ``, "invalid JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseString(tc.doc)
			if err == nil {
				t.Fatalf("no error for %s", tc.doc)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestParseForms(t *testing.T) {
	p, err := ParseString(`{
	  "Version": "2012-10-17",
	  "Id": "example",
	  "Statement": [
	    {"Sid": "One", "Effect": "Allow", "Principal": {"AWS": "111122223333", "Service": ["s3.amazonaws.com"], "Federated": "accounts.google.com", "CanonicalUser": "79a5"},
	     "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::b"],
	     "Condition": {"NumericLessThan": {"s3:max-keys": 10}, "Bool": {"aws:SecureTransport": true}, "ForAnyValue:StringLike": {"aws:TagKeys": ["a*", "b"]}}},
	    {"Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:user/x", "arn:aws:iam::111122223333:root"]}, "NotAction": ["s3:Get*"], "NotResource": "arn:aws:s3:::b/*"},
	    {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}
	  ]}`)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "example" || len(p.Statements) != 3 {
		t.Fatalf("got %+v", p)
	}
	s0, s1, s2 := p.Statements[0], p.Statements[1], p.Statements[2]
	if s0.Sid != "One" || s0.Effect != Allow || len(s0.Resources) != 2 || s0.NotResource || !s0.HasResource {
		t.Errorf("statement 0: %+v", s0)
	}
	if s0.Principal.Wildcard || s0.Principal.AWS[0] != "111122223333" || s0.Principal.Service[0] != "s3.amazonaws.com" ||
		s0.Principal.Federated[0] != "accounts.google.com" || s0.Principal.CanonicalUser[0] != "79a5" {
		t.Errorf("principal 0: %+v", s0.Principal)
	}
	if len(s0.Conditions) != 3 || s0.Conditions[0].Values[0] != "10" || s0.Conditions[1].Values[0] != "true" {
		t.Errorf("conditions 0: %+v", s0.Conditions)
	}
	if !s1.NotPrincipal || !s1.NotAction || !s1.NotResource || s1.Effect != Deny {
		t.Errorf("statement 1: %+v", s1)
	}
	if !s2.Principal.Wildcard || s2.HasResource {
		t.Errorf("statement 2: %+v", s2)
	}
	if got := p.Keys(); strings.Join(got, ",") != "aws:securetransport,aws:tagkeys,s3:max-keys" {
		t.Errorf("Keys() = %v", got)
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings: %v", p.Warnings)
	}
}

func TestParseWarnings(t *testing.T) {
	p := MustParse(`{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":"s3","Resource":"arn:aws:s3"},
	  {"Effect":"Allow","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}]}`)
	w := strings.Join(p.Warnings, "\n")
	for _, want := range []string{"not of the form service:action", "not \"*\" or a six-field ARN", "NotPrincipal with Allow"} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings %q lack %q", w, want)
		}
	}
}

func TestParsePrincipal(t *testing.T) {
	cases := []struct {
		in        string
		typ       PrincipalType
		acct, arn string
		slr       bool
		err       bool
	}{
		{in: "arn:aws:iam::111122223333:user/division/alice", typ: PrincipalUser, acct: acct},
		{in: "arn:aws:iam::111122223333:role/app", typ: PrincipalRole, acct: acct, arn: appRole},
		{in: "arn:aws:sts::111122223333:assumed-role/app/s", typ: PrincipalAssumedRole, acct: acct, arn: appRole},
		{in: "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForSupport/s", typ: PrincipalAssumedRole, acct: acct, slr: true},
		{in: "arn:aws:iam::111122223333:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport", typ: PrincipalRole, acct: acct, slr: true},
		{in: "arn:aws:sts::111122223333:federated-user/carol", typ: PrincipalFederatedUser, acct: acct},
		{in: "arn:aws:iam::111122223333:root", typ: PrincipalRoot, acct: acct},
		{in: "111122223333", typ: PrincipalRoot, acct: acct},
		{in: "*", typ: PrincipalAnonymous},
		{in: "", typ: PrincipalAnonymous},
		{in: "s3.amazonaws.com", typ: PrincipalService},
		{in: "cognito-identity.amazonaws.com", typ: PrincipalWebIdentity},
		{in: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com", typ: PrincipalWebIdentity, acct: acct},
		{in: "arn:aws:sts::111122223333:assumed-role/app", err: true},
		{in: "arn:aws:iam::12345:user/x", err: true},
		{in: "arn:aws:s3:::bucket", err: true},
		{in: "arn:aws:iam::111122223333:group/admins", err: true},
		{in: "alice", err: true},
		{in: "arn:aws", err: true},
	}
	for _, tc := range cases {
		p, err := ParsePrincipal(tc.in)
		if tc.err {
			if err == nil {
				t.Errorf("%q: no error", tc.in)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if p.Type != tc.typ || p.Account != tc.acct || (tc.arn != "" && p.RoleARN != tc.arn) || p.ServiceLinkedRole != tc.slr {
			t.Errorf("%q: got %+v", tc.in, p)
		}
	}
}

func TestGlob(t *testing.T) {
	cases := []struct {
		pat, s string
		want   bool
	}{
		{"*", "", true},
		{"a*b", "ab", true},
		{"a*b", "axxb", true},
		{"a*b", "axxbc", false},
		{"a*b*c", "abxbc", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a?c", "aéc", true},
		{"*log*", "carlossalazar-logs", true},
		{"**x", "yx", true},
		{"x", "x", true},
		{"x", "X", false},
	}
	for _, tc := range cases {
		p := compilePattern(tc.pat, true, false)
		if got := p.match(tc.s); got != tc.want {
			t.Errorf("%q ~ %q = %v, want %v", tc.pat, tc.s, got, tc.want)
		}
		if got := matchToks(p.toks, tc.s); got != tc.want {
			t.Errorf("general %q ~ %q = %v, want %v", tc.pat, tc.s, got, tc.want)
		}
	}
}

// TestConcurrentEvaluation backs the claim that parsed policies and
// prepared requests may be shared between goroutines (run with -race).
func TestConcurrentEvaluation(t *testing.T) {
	req, ps := conditionHeavySet()
	done := make(chan Outcome)
	for i := 0; i < 8; i++ {
		go func() {
			var o Outcome
			for j := 0; j < 200; j++ {
				o, _ = Decide(req, ps)
				if d, _ := Evaluate(req, ps); d.Outcome != o {
					o = ExplicitDeny
				}
			}
			done <- o
		}()
	}
	for i := 0; i < 8; i++ {
		if o := <-done; o != Allowed {
			t.Fatalf("got %s", o)
		}
	}
}
