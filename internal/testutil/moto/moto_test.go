package moto

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestAccountIsolation checks the two ways of selecting an account that the
// e2e tests rely on: the x-moto-account-id header and sts:AssumeRole.
func TestAccountIsolation(t *testing.T) {
	s := Start(t)
	ctx := context.Background()
	id, err := sts.NewFromConfig(s.Config("us-east-1", s.Account)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(id.Account); got != s.Account {
		t.Fatalf("header account: got %s, want %s", got, s.Account)
	}

	// No header: AssumeRole into the test's account.
	base := s.Config("us-east-1", "")
	out, err := sts.NewFromConfig(base).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(RoleARN(s.Account)), RoleSessionName: aws.String("t"),
	})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	role := s.ConfigWithKeys("us-east-1", "", aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey))
	role.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey),
			SessionToken: aws.ToString(c.SessionToken)}, nil
	})
	id, err = sts.NewFromConfig(role).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(id.Account); got != s.Account || !strings.Contains(aws.ToString(id.Arn), ScannerRole) {
		t.Fatalf("assumed role: got %s %s, want account %s", got, aws.ToString(id.Arn), s.Account)
	}

	// S3 Control puts the account in the host name; the client must still
	// reach the server.
	sc := s3control.NewFromConfig(s.Config("us-east-1", s.Account))
	_, err = sc.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{
		AccountId: aws.String(s.Account),
		PublicAccessBlockConfiguration: &s3ctypes.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(true),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := sc.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(s.Account)})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(got.PublicAccessBlockConfiguration.BlockPublicAcls) {
		t.Fatal("account BPA not read back")
	}
}

func TestEnv(t *testing.T) {
	s := &Server{URL: "http://127.0.0.1:1"}
	env := strings.Join(s.Env(), "\n")
	for _, want := range []string{"AWS_ENDPOINT_URL=http://127.0.0.1:1", "AWS_EC2_METADATA_DISABLED=true", "AWS_REGION=us-east-1"} {
		if !strings.Contains(env, want) {
			t.Errorf("Env lacks %s", want)
		}
	}
}

// recorder is a testing.TB that records Skip and Fatal instead of ending the
// goroutine, to test what Start does when moto is missing.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Skip(args ...any)          { r.skipped, r.msg = true, fmt.Sprint(args...) }
func (r *recorder) Fatalf(f string, a ...any) { r.failed, r.msg = true, fmt.Sprintf(f, a...) }

func TestUnavailable(t *testing.T) {
	for _, c := range []struct {
		name, ci, require string
		wantFail          bool
	}{
		{"developer machine: skip", "", "", false},
		{"CI: fail", "true", "", true},
		{"DEMARC_REQUIRE_MOTO: fail", "", "1", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("CI", c.ci)
			t.Setenv("DEMARC_REQUIRE_MOTO", c.require)
			r := &recorder{TB: t}
			unavailable(r, errors.New("no python"))
			if r.failed != c.wantFail || r.skipped == c.wantFail {
				t.Fatalf("failed=%v skipped=%v, want failed=%v", r.failed, r.skipped, c.wantFail)
			}
			if !strings.Contains(r.msg, "pip install 'moto[server]'") || !strings.Contains(r.msg, "no python") {
				t.Errorf("message lacks the install hint or the cause: %s", r.msg)
			}
		})
	}
}
