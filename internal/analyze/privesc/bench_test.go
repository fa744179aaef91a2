package privesc

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	modeliam "github.com/demarc-sec/demarc/internal/model/iam"
	"github.com/demarc-sec/demarc/internal/model/lambda"
)

// syntheticAccount builds an account of users+roles principals and
// policies customer-managed policies of the kind real accounts carry
// (scoped reads and writes, conditions, a few denies), with groups,
// service roles with instance profiles and functions, roles trusting the
// account, and a sprinkling of escalation permissions.
func syntheticAccount(users, roles, policies int) *model.Snapshot {
	rng := rand.New(rand.NewSource(42))
	w := newWorld()
	s := w.s
	polARN := func(i int) string { return fmt.Sprintf("arn:aws:iam::%s:policy/p%05d", acct, i) }
	bodies := []func(i int) string{
		func(i int) string {
			return doc(allow(fmt.Sprintf("arn:aws:s3:::bucket-%d/*", i%97), "s3:GetObject", "s3:PutObject"),
				allow(fmt.Sprintf("arn:aws:s3:::bucket-%d", i%97), "s3:ListBucket"))
		},
		func(i int) string {
			return doc(allow("*", "ec2:Describe*", "cloudwatch:Get*", "logs:Describe*"), deny("*", "ec2:TerminateInstances"))
		},
		func(i int) string {
			return doc(allowIf(fmt.Sprintf("arn:aws:dynamodb:us-east-1:%s:table/t%d", acct, i%50),
				`{"StringEquals":{"aws:PrincipalTag/team":"t1"}}`, "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"))
		},
		func(i int) string {
			return doc(allowIf("*", `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`, "iam:Get*", "iam:List*"),
				allow(fmt.Sprintf("arn:aws:sqs:us-east-1:%s:q%d", acct, i%30), "sqs:SendMessage", "sqs:ReceiveMessage"))
		},
		func(i int) string {
			return doc(allow(fmt.Sprintf("arn:aws:lambda:us-east-1:%s:function:svc-%d", acct, i%40), "lambda:InvokeFunction", "lambda:GetFunction"),
				allowIf("*", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, "kms:Decrypt"))
		},
	}
	for i := 0; i < policies; i++ {
		w.managed(fmt.Sprintf("p%05d", i), bodies[i%len(bodies)](i))
	}
	// Escalation permissions on a few principals.
	risky := []string{
		doc(allow("*", "iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction")),
		doc(allow("*", "sts:AssumeRole")),
		doc(allow("arn:aws:iam::"+acct+":user/${aws:username}", "iam:PutUserPolicy")),
		doc(allow("*", "ssm:SendCommand")),
		doc(allow("*", "iam:CreateAccessKey")),
	}
	groups := 50
	for g := 0; g < groups; g++ {
		s.IAM.Groups.V = append(s.IAM.Groups.V, modeliam.Group{Meta: meta(iamARN("group", fmt.Sprintf("g%d", g))), Name: fmt.Sprintf("g%d", g), Path: "/",
			AttachedPolicies: []modeliam.AttachedPolicy{attach(polARN(rng.Intn(policies))), attach(polARN(rng.Intn(policies)))}})
	}
	next := 0
	take := func(n int) []modeliam.AttachedPolicy {
		var out []modeliam.AttachedPolicy
		for k := 0; k < n; k++ {
			out = append(out, attach(polARN(next%policies)))
			next++
		}
		return out
	}
	per := policies / (users + roles)
	if per < 1 {
		per = 1
	}
	for i := 0; i < users; i++ {
		name := fmt.Sprintf("u%04d", i)
		var docs []string
		if rng.Intn(100) < 3 {
			docs = append(docs, risky[rng.Intn(len(risky))])
		}
		u := w.user(name, docs...)
		u.Tags = map[string]string{"team": fmt.Sprintf("t%d", i%3)}
		u.AttachedPolicies = take(per)
		for k := rng.Intn(3); k >= 0; k-- {
			u.Groups = append(u.Groups, fmt.Sprintf("g%d", rng.Intn(groups)))
		}
	}
	var instances []ec2.Instance
	var functions []lambda.Function
	for i := 0; i < roles; i++ {
		name := fmt.Sprintf("r%04d", i)
		var trust string
		switch k := rng.Intn(10); {
		case k < 3:
			trust = trustService(svcLambda)
		case k < 5:
			trust = trustService(svcEC2)
		case k < 7:
			trust = trustAccount
		case k < 9:
			trust = trustAWS(iamARN("user", fmt.Sprintf("u%04d", rng.Intn(users))))
		default:
			trust = trustAWS(iamARN("role", fmt.Sprintf("r%04d", rng.Intn(roles))))
		}
		var docs []string
		switch {
		case i%200 == 0:
			docs = append(docs, adminDoc)
		case rng.Intn(100) < 3:
			docs = append(docs, risky[rng.Intn(len(risky))])
		}
		r := w.role(name, trust, docs...)
		if i%200 != 0 {
			r.AttachedPolicies = take(per)
		}
		switch {
		case trust == trustService(svcEC2):
			arn := w.profile(name)
			if rng.Intn(3) == 0 {
				id := fmt.Sprintf("i-%08d", i)
				instances = append(instances, ec2.Instance{Meta: core.Meta{ARN: instanceARN(id), Account: acct, Region: region}, ID: id, State: "running", IAMInstanceProfile: arn})
			}
		case trust == trustService(svcLambda) && rng.Intn(2) == 0:
			functions = append(functions, lambda.Function{Meta: core.Meta{ARN: functionARN("f" + name), Account: acct, Region: region},
				Name: "f" + name, Role: r.ARN, Policy: core.Known("")})
		}
	}
	s.EC2[0].Instances = core.Known(instances)
	s.Lambda[0].Functions = core.Known(functions)
	return s
}

func TestSyntheticAccount(t *testing.T) {
	s := syntheticAccount(200, 200, 1000)
	a := New(s, Options{Now: testNow})
	v := a.Verdicts()
	admins, paths, unknown := 0, 0, 0
	for _, x := range v {
		switch {
		case x.Admin:
			admins++
		case x.Path != nil:
			paths++
		case len(x.Unknown) > 0:
			unknown++
		}
	}
	if admins == 0 || paths == 0 || unknown != 0 {
		t.Fatalf("admins %d, paths %d, unknown %d", admins, paths, unknown)
	}
	t.Logf("%d principals: %d admins, %d with a path", len(v), admins, paths)
}

// BenchmarkPaths2000 is the figure: every principal of an account
// of 2,000 principals (1,000 users, 1,000 roles) and 10,000 policies,
// searched for a path to admin, index building included.
//
// It also reports cpu-ns/op (user+system CPU of the process per
// operation), which stays meaningful on a machine shared with other work,
// where wall time (ns/op) is not.
func BenchmarkPaths2000(b *testing.B) {
	s := syntheticAccount(1000, 1000, 10000)
	b.ResetTimer()
	start := cpuTime()
	for b.Loop() {
		a := New(s, Options{Now: testNow})
		v := a.Verdicts()
		if len(v) != 2000 {
			b.Fatal(len(v))
		}
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}
