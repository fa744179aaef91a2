package iam

import (
	"fmt"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	modeliam "github.com/demarc-sec/demarc/internal/model/iam"
	"github.com/demarc-sec/demarc/internal/model/s3"
)

// syntheticAccount builds an account of nPrincipals users and roles (half
// each) and nPolicies customer managed policies of the shapes real accounts
// carry (service read access, scoped writes, conditions, denies), each
// principal with four attached policies and one inline policy.
func syntheticAccount(nPrincipals, nPolicies int) *model.Snapshot {
	s := model.New(acct, "aws", []string{"us-east-1"})
	shapes := []string{
		pol(allow(`["ec2:Describe*","cloudwatch:Get*","cloudwatch:List*"]`, "*")),
		pol(allow(`["s3:GetObject","s3:PutObject"]`, `["arn:aws:s3:::team-%[1]d/*","arn:aws:s3:::shared/%[1]d/*"]`), allow("s3:ListBucket", "arn:aws:s3:::team-%[1]d")),
		pol(allowIf("s3:*", "arn:aws:s3:::data-%[1]d/*", `{"IpAddress":{"aws:SourceIp":["10.0.0.0/8"]},"StringEquals":{"aws:PrincipalTag/team":"t%[1]d"}}`)),
		pol(allow(`["dynamodb:GetItem","dynamodb:Query"]`, "arn:aws:dynamodb:us-east-1:111122223333:table/t%[1]d"), deny(`["iam:*"]`, "*")),
		pol(allow(`["sqs:SendMessage","sns:Publish"]`, "*"), denyIf("s3:DeleteObject", "*", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`)),
	}
	pols := make([]modeliam.ManagedPolicy, nPolicies)
	for i := range pols {
		arn := fmt.Sprintf("arn:aws:iam::111122223333:policy/p%05d", i)
		pols[i] = modeliam.ManagedPolicy{Meta: core.Meta{ARN: arn, Account: acct}, Name: fmt.Sprintf("p%05d", i), DefaultVersionID: "v1",
			AttachmentCount: 1, Versions: []modeliam.PolicyVersion{{VersionID: "v1", IsDefault: true,
				Document: fmt.Sprintf(shapes[i%len(shapes)], i)}}}
	}
	s.IAM.Policies = core.Known(pols)
	attach := func(i int) []modeliam.AttachedPolicy {
		out := make([]modeliam.AttachedPolicy, 4)
		for j := range out {
			k := (i*4 + j) % nPolicies
			out[j] = modeliam.AttachedPolicy{Name: pols[k].Name, ARN: pols[k].ARN}
		}
		return out
	}
	inline := func(i int) []modeliam.InlinePolicy {
		return []modeliam.InlinePolicy{{Name: "own", Document: pol(allow("s3:GetObject", fmt.Sprintf("arn:aws:s3:::home/%d/*", i)))}}
	}
	var users []modeliam.User
	var roles []modeliam.Role
	for i := 0; i < nPrincipals; i++ {
		if i%2 == 0 {
			users = append(users, modeliam.User{Meta: core.Meta{ARN: fmt.Sprintf("arn:aws:iam::111122223333:user/u%05d", i), Account: acct,
				Tags: map[string]string{"team": fmt.Sprintf("t%d", i%50)}}, Name: fmt.Sprintf("u%05d", i),
				AttachedPolicies: attach(i), InlinePolicies: inline(i)})
			continue
		}
		roles = append(roles, modeliam.Role{Meta: core.Meta{ARN: fmt.Sprintf("arn:aws:iam::111122223333:role/r%05d", i), Account: acct},
			Name: fmt.Sprintf("r%05d", i), AssumeRolePolicy: pol(rAllow(svcP("ec2.amazonaws.com"), "sts:AssumeRole", "")),
			AttachedPolicies: attach(i), InlinePolicies: inline(i)})
	}
	s.IAM.Users = core.Known(users)
	s.IAM.Roles = core.Known(roles)
	s.IAM.Groups = core.Known([]modeliam.Group{})
	s.S3.Buckets = core.Known([]s3.Bucket{{Meta: core.Meta{ARN: "arn:aws:s3:::shared", Account: acct, Region: "us-east-1"}, Name: "shared",
		Policy: core.Known(pol(rAllow(awsP("arn:aws:iam::111122223333:role/r00001"), "s3:*", "arn:aws:s3:::shared/*")))}})
	return s
}

func TestWhoCanSynthetic(t *testing.T) {
	a := NewAccount(syntheticAccount(500, 2000))
	r, err := a.WhoCan("s3:GetObject", "arn:aws:s3:::shared/7/report.csv", WhoCanOptions{Time: whoTime})
	if err != nil {
		t.Fatal(err)
	}
	// Principals attached to policy 7 (shape 2: scoped GetObject on
	// shared/7/*) and r00001 (named by the bucket policy), plus root.
	g := grantees(r)
	if _, ok := g["arn:aws:iam::111122223333:role/r00001"]; !ok {
		t.Errorf("bucket-policy role missing")
	}
	if _, ok := g["arn:aws:iam::111122223333:user/u00000"]; ok {
		t.Errorf("u00000 has no grant on shared/7")
	}
	if r.Evaluated != 501 {
		t.Errorf("evaluated %d", r.Evaluated)
	}
}

// BenchmarkWhoCan answers one who-can question over 5,000 principals and
// 20,000 policies, on an indexed account (the index is built once per
// snapshot and shared by every question).
func BenchmarkWhoCan(b *testing.B) {
	a := NewAccount(syntheticAccount(5000, 20000))
	b.ResetTimer()
	cpu0, ok := processCPU()
	for i := 0; i < b.N; i++ {
		if _, err := a.WhoCan("s3:GetObject", "arn:aws:s3:::shared/7/report.csv", WhoCanOptions{Time: whoTime}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0, ok)
}

func reportCPU(b *testing.B, cpu0 int64, ok bool) {
	if cpu1, ok1 := processCPU(); ok && ok1 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkWhoCanWithIndex includes indexing the snapshot (parsing the
// 20,000 policies): the cost of `demarc iam who-can` after loading.
func BenchmarkWhoCanWithIndex(b *testing.B) {
	s := syntheticAccount(5000, 20000)
	b.ResetTimer()
	cpu0, ok := processCPU()
	for i := 0; i < b.N; i++ {
		a := NewAccount(s)
		if _, err := a.WhoCan("s3:GetObject", "arn:aws:s3:::shared/7/report.csv", WhoCanOptions{Time: whoTime}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0, ok)
}
