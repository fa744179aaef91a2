package exposure

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/s3"
)

// Nothing collected: every kind is a gap (unknown), never "no exposure".
func TestUncollectedSnapshotHasGaps(t *testing.T) {
	r := Analyze(model.New(acct, "aws", []string{"eu-west-1", region}))
	if len(r.Findings) != 0 {
		t.Errorf("findings on an empty snapshot: %+v", r.Findings)
	}
	for _, k := range Kinds {
		_, gaps := r.Of(k)
		if len(gaps) == 0 {
			t.Errorf("%s: no gap on an uncollected snapshot", k)
		}
		for _, g := range gaps {
			if g.Reason == "" || g.ARN == "" {
				t.Errorf("%s: incomplete gap %+v", k, g)
			}
		}
	}
}

func TestTrusted(t *testing.T) {
	cases := []struct {
		g    Grant
		want bool
	}{
		{Grant{Scope: ScopeAccount, Account: other}, true},
		{Grant{Scope: ScopePrincipal, Account: other, Principal: "arn:aws:iam::" + other + ":role/x"}, true},
		{Grant{Scope: ScopeAccount, Account: "555566667777"}, false},
		{Grant{Scope: ScopeOrganization, OrgID: ownOrg}, true},
		{Grant{Scope: ScopeOrganization, OrgID: "o-other"}, false},
		{Grant{Scope: ScopeUnidentified, Principal: "canonical user x"}, false},
		{Grant{Scope: ScopePublic, Principal: "*"}, false},
	}
	for _, c := range cases {
		if got := Trusted(c.g, []string{other}, ownOrg); got != c.want {
			t.Errorf("Trusted(%+v) = %v", c.g, got)
		}
	}
}

// The report is deterministic and serializes.
func TestDeterministic(t *testing.T) {
	build := func() *model.Snapshot {
		s := base()
		noBPA(s)
		var bs []s3.Bucket
		for i := 9; i >= 0; i-- {
			name := fmt.Sprintf("b%d", i)
			bs = append(bs, s3.Bucket{Meta: core.Meta{ARN: "arn:aws:s3:::" + name, Account: acct, Region: region}, Name: name,
				Policy: core.Known(pol(st("Allow", `{"AWS":["`+other+`","555566667777"]}`, "s3:GetObject", "arn:aws:s3:::"+name+"/*", ""),
					st("Allow", star, "s3:ListBucket", "arn:aws:s3:::"+name, ""))),
				PublicAccessBlock: core.Known[*s3.PublicAccessBlock](nil), ACL: core.Known(s3.ACL{}), ObjectOwnership: core.Known("BucketOwnerEnforced")})
		}
		s.S3.Buckets = core.Known(bs)
		return s
	}
	a, _ := json.Marshal(Analyze(build()))
	b, _ := json.Marshal(Analyze(build()))
	if string(a) != string(b) {
		t.Fatal("two analyses differ")
	}
	r := Analyze(build())
	if r.Findings[0].ARN != "arn:aws:s3:::b0" || len(r.Findings[0].External()) != 2 || len(r.Findings[0].Public()) != 1 {
		t.Errorf("first finding %+v", r.Findings[0])
	}
}

// BenchmarkAnalyze measures exposure analysis of 1,000 buckets with public,
// cross-account and private policies.
func BenchmarkAnalyze(b *testing.B) {
	s := base()
	noBPA(s)
	var bs []s3.Bucket
	for i := 0; i < 1000; i++ {
		name := fmt.Sprintf("bucket-%04d", i)
		obj := "arn:aws:s3:::" + name + "/*"
		var p string
		switch i % 3 {
		case 0:
			p = pol(st("Allow", star, "s3:GetObject", obj, ""))
		case 1:
			p = pol(st("Allow", `{"AWS":"`+other+`"}`, "s3:*", obj, ""))
		default:
			p = pol(st("Deny", star, "s3:*", obj, `{"Bool":{"aws:SecureTransport":"false"}}`))
		}
		bs = append(bs, s3.Bucket{Meta: core.Meta{ARN: "arn:aws:s3:::" + name, Account: acct, Region: region}, Name: name, Policy: core.Known(p),
			PublicAccessBlock: core.Known[*s3.PublicAccessBlock](nil), ACL: core.Known(s3.ACL{}), ObjectOwnership: core.Known("BucketOwnerEnforced")})
	}
	s.S3.Buckets = core.Known(bs)
	b.ResetTimer()
	cpu0, ok := processCPU()
	for i := 0; i < b.N; i++ {
		_ = Analyze(s)
	}
	if cpu1, ok1 := processCPU(); ok && ok1 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
	}
}
