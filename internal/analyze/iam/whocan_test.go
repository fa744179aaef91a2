package iam

import (
	"strings"
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	modeliam "github.com/demarc-sec/demarc/internal/model/iam"
	"github.com/demarc-sec/demarc/internal/model/s3"
)

var whoTime = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

func grantees(r *WhoCanResult) map[string]Grantee {
	m := map[string]Grantee{}
	for _, g := range r.Principals {
		m[g.Principal] = g
	}
	return m
}

// whoSnapshot extends the engine's test snapshot with a public bucket, a
// cross-account grant and a user whose access depends on the source IP.
func whoSnapshot() *model.Snapshot {
	s := testSnapshot()
	bs := s.S3.Buckets.V
	bs = append(bs, s3.Bucket{Meta: core.Meta{ARN: "arn:aws:s3:::public-site", Account: acct, Region: "us-east-1"}, Name: "public-site",
		Policy: core.Known(pol(
			rAllow("*", "s3:GetObject", "arn:aws:s3:::public-site/*"),
			rAllow(awsP(extAcct), "s3:PutObject", "arn:aws:s3:::public-site/*"),
			rstmt("Allow", "*", "s3:ListBucket", "arn:aws:s3:::public-site", `{"StringEquals":{"aws:PrincipalOrgID":"o-partner"}}`),
			rAllow(svcP("logging.s3.amazonaws.com"), "s3:PutObject", "arn:aws:s3:::public-site/logs/*"),
		))})
	s.S3.Buckets = core.Known(bs)
	users := s.IAM.Users.V
	users = append(users, modeliam.User{Meta: core.Meta{ARN: "arn:aws:iam::111122223333:user/office", Account: acct}, Name: "office",
		InlinePolicies: []modeliam.InlinePolicy{{Name: "ip", Document: pol(
			allowIf("s3:PutObject", "arn:aws:s3:::example-bucket/*", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`),
			denyIf("*", "*", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`),
		)}}})
	s.IAM.Users = core.Known(users)
	return s
}

// Who can read an object: identity grants (alice's S3Read), a resource
// grant limited by a boundary (the app role), and the root user
// (reference_policies_evaluation-logic.html).
func TestWhoCanIdentityAndResource(t *testing.T) {
	a := NewAccount(whoSnapshot())
	r, err := a.WhoCan("s3:GetObject", object, WhoCanOptions{Time: whoTime})
	if err != nil {
		t.Fatal(err)
	}
	g := grantees(r)
	if al, ok := g[alice]; !ok || al.Via != "identity" || al.Conditional || len(al.GrantedBy) == 0 || al.GrantedBy[0].Kind != KindIdentity {
		t.Errorf("alice: %+v", al)
	}
	if !strings.Contains(strings.Join(g[alice].Unknowns, " "), "ghosts") {
		t.Errorf("alice's unreadable group is not reported: %v", g[alice].Unknowns)
	}
	if app, ok := g[appRole]; !ok || app.Via != "both" {
		t.Errorf("app role: %+v", app)
	}
	if root, ok := g[rootARN]; !ok || root.Type != PrincipalRoot {
		t.Errorf("root: %+v", root)
	}
	if _, ok := g["arn:aws:iam::111122223333:user/office"]; ok {
		t.Error("office user has no s3:GetObject grant")
	}
	if r.Evaluated < 4 {
		t.Errorf("evaluated %d principals", r.Evaluated)
	}
}

// The KMS key policy must allow, even in the same account
// (key-policies.html): only the root user (named by the key policy) can
// decrypt; the app role's boundary lacks kms.
func TestWhoCanKMS(t *testing.T) {
	a := NewAccount(whoSnapshot())
	r, err := a.WhoCan("kms:Decrypt", keyARN, WhoCanOptions{Time: whoTime})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Principals) != 1 || r.Principals[0].Principal != rootARN {
		t.Errorf("principals %+v", r.Principals)
	}
}

// A trust policy that names a user of the same account grants sts:AssumeRole
// without an identity policy (reference_policies_evaluation-logic.html).
func TestWhoCanAssumeRole(t *testing.T) {
	a := NewAccount(whoSnapshot())
	r, err := a.WhoCan("sts:AssumeRole", appRole, WhoCanOptions{Time: whoTime})
	if err != nil {
		t.Fatal(err)
	}
	g := grantees(r)
	if al, ok := g[alice]; !ok || al.Via != "resource" || al.GrantedBy[0].Kind != KindResource {
		t.Errorf("alice: %+v", al)
	}
	if _, ok := g[rootARN]; ok {
		t.Error("the root user cannot assume roles")
	}
}

// Public and cross-account grants of a bucket policy: anonymous, any
// principal, another account, a service; an organization condition makes
// the "any principal" grant conditional.
func TestWhoCanResourcePolicyPrincipals(t *testing.T) {
	a := NewAccount(whoSnapshot())
	obj := "arn:aws:s3:::public-site/index.html"
	r, err := a.WhoCan("s3:GetObject", obj, WhoCanOptions{Time: whoTime})
	if err != nil {
		t.Fatal(err)
	}
	g := grantees(r)
	if an, ok := g["anonymous"]; !ok || an.Via != "resource" || !an.External || an.Type != PrincipalAnonymous {
		t.Errorf("anonymous: %+v", an)
	}
	if any, ok := g["*"]; !ok || any.Conditional {
		t.Errorf("any principal: %+v", any)
	}
	// The other account is named for PutObject only, but the public
	// statement covers it too.
	if ext, ok := g["arn:aws:iam::444455556666:root"]; !ok || ext.GrantedBy[0].Index != 0 {
		t.Errorf("other account: %+v", ext)
	}

	r, _ = a.WhoCan("s3:PutObject", obj, WhoCanOptions{Time: whoTime})
	g = grantees(r)
	ext, ok := g["arn:aws:iam::444455556666:root"]
	if !ok || !ext.External || ext.Account != extAcct || ext.Via != "resource" {
		t.Errorf("external account: %+v", ext)
	}
	if _, ok := g["anonymous"]; ok {
		t.Error("anonymous cannot put")
	}

	r, _ = a.WhoCan("s3:PutObject", "arn:aws:s3:::public-site/logs/x", WhoCanOptions{Time: whoTime})
	if _, ok := grantees(r)["logging.s3.amazonaws.com"]; !ok {
		t.Errorf("service principal missing: %+v", r.Principals)
	}

	r, _ = a.WhoCan("s3:ListBucket", "arn:aws:s3:::public-site", WhoCanOptions{Time: whoTime})
	g = grantees(r)
	if any, ok := g["*"]; !ok || !any.Conditional || strings.Join(any.Conditions, ",") != "aws:PrincipalOrgID" {
		t.Errorf("organization grant: %+v", any)
	}
	if _, ok := g["anonymous"]; ok {
		t.Error("anonymous has no organization")
	}
}

// Conditions on keys the requester controls make a grant conditional, not
// absent; a deny that the requester can avoid (MFA) is reported as a
// condition too (reference_policies_condition-keys.html).
func TestWhoCanConditional(t *testing.T) {
	a := NewAccount(whoSnapshot())
	r, err := a.WhoCan("s3:PutObject", object, WhoCanOptions{Time: whoTime})
	if err != nil {
		t.Fatal(err)
	}
	off, ok := grantees(r)["arn:aws:iam::111122223333:user/office"]
	if !ok || !off.Conditional || strings.Join(off.Conditions, ",") != "aws:MultiFactorAuthPresent,aws:SourceIp" {
		t.Fatalf("office: %+v", off)
	}
	// With the context supplied, the grant is decided outright.
	r, _ = a.WhoCan("s3:PutObject", object, WhoCanOptions{Time: whoTime,
		Context: map[string][]string{"aws:SourceIp": {"203.0.113.9"}, "aws:MultiFactorAuthPresent": {"true"}}})
	if off := grantees(r)["arn:aws:iam::111122223333:user/office"]; off.Conditional || off.Decision != Allowed {
		t.Errorf("office with context: %+v", off)
	}
	r, _ = a.WhoCan("s3:PutObject", object, WhoCanOptions{Time: whoTime,
		Context: map[string][]string{"aws:SourceIp": {"198.51.100.1"}, "aws:MultiFactorAuthPresent": {"true"}}})
	if _, ok := grantees(r)["arn:aws:iam::111122223333:user/office"]; ok {
		t.Error("office allowed from outside its IP range")
	}
}

func TestWhoCanUnknowns(t *testing.T) {
	a := NewAccount(whoSnapshot())
	r, err := a.WhoCan("s3:DeleteBucket", "arn:aws:s3:::hidden", WhoCanOptions{Time: whoTime})
	if err != nil {
		t.Fatal(err)
	}
	u := strings.Join(r.Unknowns, "\n")
	if !strings.Contains(u, "bucket policy of arn:aws:s3:::hidden not collected") {
		t.Errorf("unknowns %v", r.Unknowns)
	}
	if !strings.Contains(u, alice+" is not allowed as far as the snapshot shows") {
		t.Errorf("alice's gap not reported: %v", r.Unknowns)
	}
	for _, bad := range []string{"", "s3:*", "s3GetObject"} {
		if _, err := a.WhoCan(bad, object, WhoCanOptions{}); err == nil {
			t.Errorf("action %q accepted", bad)
		}
	}
}
