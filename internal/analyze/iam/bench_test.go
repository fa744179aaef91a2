package iam

import (
	"testing"
	"time"
)

// typicalSet is a user with a few managed and inline policies of the kind
// real accounts carry, a boundary-free SCP tree and no resource policy.
func typicalSet() (*Request, *PolicySet) {
	p, _ := ParsePrincipal("arn:aws:iam::111122223333:user/dev/alice")
	req := &Request{Principal: p, Action: "s3:PutObject", Resource: "arn:aws:s3:::team-data/reports/2024/q1.csv",
		Context: kv("aws:SourceIp", "203.0.113.10", "aws:SecureTransport", "true")}
	ps := &PolicySet{
		Identity: []*Policy{
			MustParse(pol(
				allow(`["ec2:Describe*","cloudwatch:Get*","cloudwatch:List*","logs:Describe*"]`, "*"),
				allow(`["s3:ListAllMyBuckets","s3:GetBucketLocation"]`, "*"))),
			MustParse(pol(
				allow(`["s3:GetObject","s3:PutObject","s3:DeleteObject"]`, `["arn:aws:s3:::team-data/*","arn:aws:s3:::team-shared/*"]`),
				allow("s3:ListBucket", `["arn:aws:s3:::team-data","arn:aws:s3:::team-shared"]`),
				deny("s3:DeleteBucket", "*"))),
			MustParse(pol(
				allow(`["dynamodb:GetItem","dynamodb:Query","dynamodb:PutItem"]`, "arn:aws:dynamodb:us-east-1:111122223333:table/orders"),
				allow("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:jobs"),
				deny(`["iam:*","organizations:*"]`, "*"))),
		},
		SCPs: []Level{{Policies: []*Policy{MustParse(fullAccess)}}, {Policies: []*Policy{MustParse(fullAccess)}}},
	}
	if err := req.Prepare(); err != nil {
		panic(err)
	}
	return req, ps
}

// conditionHeavySet exercises IP ranges, string patterns, dates, set
// operators and policy variables on every statement.
func conditionHeavySet() (*Request, *PolicySet) {
	p, _ := ParsePrincipal("arn:aws:sts::111122223333:assumed-role/ci-deploy/build-42")
	p.Tags = map[string]string{"team": "platform", "env": "prod"}
	p.OrgID = "o-abc123"
	req := &Request{Principal: p, Action: "s3:PutObject", Resource: "arn:aws:s3:::artifacts/platform/build-42.zip",
		Context: kv("aws:SourceIp", "10.20.30.40", "aws:SecureTransport", "true", "aws:TagKeys", "team|env",
			"aws:RequestedRegion", "eu-west-1", "aws:TokenIssueTime", "2024-06-01T11:30:00Z", "s3:x-amz-server-side-encryption", "aws:kms"),
		Time: time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)}
	ps := &PolicySet{
		Identity: []*Policy{MustParse(pol(
			allowIf("s3:PutObject", "arn:aws:s3:::artifacts/${aws:PrincipalTag/team}/*",
				`{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16","2001:db8::/32"]},"StringEquals":{"aws:PrincipalTag/env":["prod","staging"],"aws:RequestedRegion":["eu-west-1","eu-central-1"]},"Bool":{"aws:SecureTransport":"true"},"DateGreaterThan":{"aws:TokenIssueTime":"2024-01-01T00:00:00Z"}}`),
			allowIf("s3:GetObject", "arn:aws:s3:::artifacts/*", `{"StringLike":{"s3:prefix":["${aws:PrincipalTag/team}/*","shared/*"]}}`),
			denyIf("s3:PutObject", "*", `{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}`),
			denyIf("*", "*", `{"ForAnyValue:StringLike":{"aws:TagKeys":["aws:*","admin*"]}}`),
			denyIf("*", "*", `{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]},"Bool":{"aws:ViaAWSService":"false"}}`),
		))},
		Boundary: MustParse(pol(allowIf("s3:*", "*", `{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}`))),
		SCPs: []Level{
			{Policies: []*Policy{MustParse(fullAccess)}},
			{Policies: []*Policy{MustParse(fullAccess), MustParse(pol(`{"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}}`))}},
		},
	}
	if err := req.Prepare(); err != nil {
		panic(err)
	}
	return req, ps
}

func benchDecide(b *testing.B, req *Request, ps *PolicySet, want Outcome) {
	if o, _ := Decide(req, ps); o != want {
		d, _ := Evaluate(req, ps)
		b.Fatalf("outcome %s, want %s: %s", o, want, d.Explanation())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if o, _ := Decide(req, ps); o != want {
			b.Fatal("outcome changed")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}

func benchEvaluate(b *testing.B, req *Request, ps *PolicySet) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Evaluate(req, ps); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}

func BenchmarkEvaluateTypical(b *testing.B) {
	req, ps := typicalSet()
	b.Run("decide", func(b *testing.B) { benchDecide(b, req, ps, Allowed) })
	b.Run("explain", func(b *testing.B) { benchEvaluate(b, req, ps) })
}

func BenchmarkEvaluateConditionHeavy(b *testing.B) {
	req, ps := conditionHeavySet()
	b.Run("decide", func(b *testing.B) { benchDecide(b, req, ps, Allowed) })
	b.Run("explain", func(b *testing.B) { benchEvaluate(b, req, ps) })
}

// BenchmarkPrepare is the per-request cost (principal-derived context),
// paid once per request however many policy sets it is decided against.
func BenchmarkPrepare(b *testing.B) {
	p, _ := ParsePrincipal("arn:aws:iam::111122223333:user/dev/alice")
	p.Tags = map[string]string{"team": "red"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		req := &Request{Principal: p, Action: "s3:PutObject", Resource: object, Context: kv("aws:SourceIp", "203.0.113.10")}
		if err := req.Prepare(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	text := []byte(carlosPolicy)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(text); err != nil {
			b.Fatal(err)
		}
	}
}
