package checks

import (
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/lambda"
)

func lambdaFixtures() map[string]fixture {
	return map[string]fixture{
		"lambda-supported-runtime": failWhen(func(s *model.Snapshot) { lambdaFn(s).Runtime = "nodejs16.x" }),
		"lambda-in-vpc":            failWhen(func(s *model.Snapshot) { lambdaFn(s).VPC = nil }),
		"lambda-vpc-multi-az":      failWhen(func(s *model.Snapshot) { lambdaFn(s).VPC.SubnetIDs = []string{"subnet-1"} }),
		"inspector-lambda-code-scanning": failWhen(func(s *model.Snapshot) {
			secAt(s, "us-east-1").Inspector.V.LambdaCode = "DISABLED"
		}),
	}
}

func lambdaWorld(f lambda.Function, collected time.Time) *model.Snapshot {
	s := compliantSnapshot()
	s.CollectedAt = collected
	*lambdaFn(s) = f
	return s
}

func oneStatus(t *testing.T, res []Result) Status {
	t.Helper()
	if len(res) != 1 {
		t.Fatalf("want one result, got %d: %+v", len(res), res)
	}
	return res[0].Status
}

func TestLambdaRuntime(t *testing.T) {
	fn := func(runtime, pkg string) lambda.Function {
		return lambda.Function{Meta: core.Meta{ARN: "arn:aws:lambda:eu-west-1:" + acct + ":function:f", Region: "eu-west-1"}, Name: "f", Runtime: runtime, PackageType: pkg}
	}
	cases := []struct {
		name    string
		f       lambda.Function
		at      time.Time
		want    Status
		results int
	}{
		{"supported", fn("python3.12", "Zip"), now, Pass, 1},
		{"deprecated long ago", fn("python2.7", "Zip"), now, Fail, 1},
		// nodejs18.x was deprecated on 2025-09-01: supported the day before, not on the day.
		{"day before deprecation", fn("nodejs18.x", "Zip"), day0(2025, 8, 31).Add(23 * time.Hour), Pass, 1},
		{"on deprecation day", fn("nodejs18.x", "Zip"), day0(2025, 9, 1), Fail, 1},
		{"unknown runtime", fn("cobol1.x", "Zip"), now, Unknown, 1},
		{"no collection time", fn("python3.12", "Zip"), time.Time{}, Unknown, 1},
		{"container image", fn("", "Image"), now, "", 0},
		{"runtime not reported", fn("", ""), now, Unknown, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := checkLambdaRuntime(lambdaWorld(c.f, c.at))
			if len(res) != c.results {
				t.Fatalf("results: %+v", res)
			}
			if c.results == 1 && res[0].Status != c.want {
				t.Errorf("got %s (%s), want %s", res[0].Status, res[0].Message, c.want)
			}
		})
	}
}

// Every runtime the FSBP catalogue's Lambda.2 list names is in the table.
func TestLambdaRuntimeTableCoversCatalogue(t *testing.T) {
	for _, r := range []string{"dotnet8", "dotnet6", "java21", "java17", "java11", "java8.al2", "nodejs22.x", "nodejs20.x",
		"nodejs18.x", "python3.13", "python3.12", "python3.11", "python3.10", "python3.9", "python3.8", "ruby3.3", "ruby3.2"} {
		if _, ok := lambdaRuntimes[r]; !ok {
			t.Errorf("runtime %s missing", r)
		}
	}
}

func TestLambdaMultiAZ(t *testing.T) {
	base := func() lambda.Function {
		return lambda.Function{Name: "f",
			VPC: &lambda.VPCConfig{VPCID: "vpc-1", SubnetIDs: []string{"subnet-1", "subnet-2"}}}
	}
	t.Run("two zones", func(t *testing.T) {
		if st := oneStatus(t, checkLambdaMultiAZ(lambdaWorld(base(), now))); st != Pass {
			t.Error(st)
		}
	})
	t.Run("unknown subnet", func(t *testing.T) {
		f := base()
		f.VPC.SubnetIDs = []string{"subnet-1", "subnet-9"}
		if st := oneStatus(t, checkLambdaMultiAZ(lambdaWorld(f, now))); st != Unknown {
			t.Error(st)
		}
	})
	t.Run("subnets unreadable", func(t *testing.T) {
		s := lambdaWorld(base(), now)
		for _, r := range testRegions {
			ec2At(s, r).Subnets = core.Unknown[[]ec2.Subnet]("access denied")
		}
		if st := oneStatus(t, checkLambdaMultiAZ(s)); st != Unknown {
			t.Error(st)
		}
	})
	t.Run("not in a VPC: out of scope", func(t *testing.T) {
		f := base()
		f.VPC = nil
		if res := checkLambdaMultiAZ(lambdaWorld(f, now)); len(res) != 0 {
			t.Errorf("%+v", res)
		}
	})
}
