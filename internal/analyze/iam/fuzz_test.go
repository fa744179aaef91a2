package iam

import (
	"testing"
	"time"
)

// fuzzRequests are evaluated against every policy the parser accepts, so
// the evaluator is fuzzed through the parser's output too.
func fuzzRequests() []*Request {
	mk := func(principal, action, resource string, ctx map[string][]string) *Request {
		p, _ := ParsePrincipal(principal)
		p.Tags = map[string]string{"team": "red"}
		return &Request{Principal: p, Action: action, Resource: resource, Context: ctx, Time: time.Unix(1700000000, 0)}
	}
	return []*Request{
		mk(alice, "s3:GetObject", object, kv("aws:SourceIp", "203.0.113.9", "aws:TagKeys", "a|b")),
		mk(appSess, "sts:AssumeRole", appRole, nil),
		mk(bob, "kms:Decrypt", keyARN, kv("aws:CurrentTime", "2020-01-01T00:00:00Z")),
		mk("*", "s3:ListBucket", bucket, kv("s3:prefix", "home/")),
		mk("cloudtrail.amazonaws.com", "s3:PutObject", object, nil),
		mk(rootARN, "iam:CreateUser", "*", nil),
	}
}

func FuzzParse(f *testing.F) {
	seeds := []string{
		carlosPolicy, carlosBucketPolicy, getListPolicy, carlosCrossPolicy, rcpPerimeter,
		pol(notPrincipalBob), pol(notPrincipalAuditor),
		pol(allowIf("s3:*", "arn:aws:s3:::b/${aws:username}/*", `{"StringLike":{"s3:prefix":["","home/${aws:username}/"]},"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:DB8::/32"]}}`)),
		pol(denyIf("*", "*", `{"ForAllValues:StringNotLike":{"aws:TagKeys":"key1*"},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"},"NumericLessThan":{"s3:max-keys":10},"Null":{"aws:TokenIssueTime":"true"},"BinaryEquals":{"k":"QQ=="},"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:t"},"Bool":{"aws:SecureTransport":false}}`)),
		`{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"*"},"NotAction":"s3:*","NotResource":"arn:aws:s3:::${*}"}}`,
		`{"Version":"2008-10-17","Statement":[]}`,
		`{}`, `[]`, `"x"`, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringEqualsIgnoreCaseIfExists":{"k":[1,true,"x"]}}}]}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	reqs := fuzzRequests()
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			if p != nil {
				t.Fatal("policy and error both returned")
			}
			return
		}
		_ = p.Keys()
		for _, req := range reqs {
			for _, ps := range []*PolicySet{
				{Identity: []*Policy{p}},
				{Resource: p},
				{Identity: []*Policy{p}, Boundary: p, Session: p, SCPs: []Level{{Policies: []*Policy{p}}}, RCPs: []Level{{Policies: []*Policy{p}}}},
			} {
				d, err := Evaluate(req, ps)
				if err != nil {
					t.Fatal(err)
				}
				o, _ := Decide(req, ps)
				if o != d.Outcome {
					t.Fatalf("Decide %s != Evaluate %s", o, d.Outcome)
				}
				if d.Outcome == Allowed && len(d.Reasons) == 0 {
					t.Fatal("allow without explanation")
				}
			}
		}
	})
}

func FuzzEvaluate(f *testing.F) {
	f.Add(alice, "s3:GetObject", "arn:aws:s3:::example-bucket/home/alice/x", "aws:SourceIp", "203.0.113.7")
	f.Add(appSess, "sts:AssumeRole", appRole, "aws:TagKeys", "a")
	f.Add("*", "S3:getobject", "arn:aws:s3:::b/${*}", "s3:prefix", "home/")
	f.Add(bob, "kms:Decrypt", keyARN, "aws:CurrentTime", "2020-01-01")
	f.Add("s3.amazonaws.com", "s3:PutObject", "*", "aws:SourceArn", "arn:aws:sns:us-east-1:1:t")
	policies := []*Policy{
		MustParse(pol(allowIf("s3:*", "arn:aws:s3:::example-bucket/home/${aws:username}/*", `{"StringLike":{"s3:prefix":["","home/${aws:username}/"]}}`))),
		MustParse(pol(allowAll, denyIf("*", "*", `{"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:DB8::/32"]}}`))),
		MustParse(pol(allowIf("*", "*", `{"ForAllValues:StringLike":{"aws:TagKeys":["a*","b?"]},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:${aws:username}"}}`))),
		MustParse(pol(rAllow("*", "*", "*"), notPrincipalBob, rAllow(awsP(rootARN), "kms:*", "*"))),
	}
	ps := &PolicySet{Identity: policies[:3], Resource: policies[3], Boundary: policies[1],
		SCPs: []Level{{Policies: []*Policy{MustParse(fullAccess)}}}, RCPs: []Level{{Policies: []*Policy{MustParse(fullAccess)}}}}
	f.Fuzz(func(t *testing.T, principal, action, resource, key, value string) {
		req := &Request{Action: action, Resource: resource, Context: map[string][]string{key: {value, value + "x"}}}
		p, err := ParsePrincipal(principal)
		if err != nil {
			return
		}
		req.Principal = p
		d, err := Evaluate(req, ps)
		if err != nil {
			return
		}
		o, err := Decide(req, ps)
		if err != nil || o != d.Outcome {
			t.Fatalf("Decide %s (%v) != Evaluate %s", o, err, d.Outcome)
		}
	})
}
