package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/demarc-sec/demarc/internal/testutil/moto"
)

// noAuthCalls is how many requests moto serves before it enforces SigV4 and
// IAM: exactly the three that create the admin identity the builder then uses.
const noAuthCalls = 3

// TestAccessDeniedS3 runs demarc as an identity that may do everything
// except S3 (an explicit Deny s3:*), with moto enforcing IAM. Every S3
// result must be UNKNOWN with "access denied" in the message, never PASS or
// FAIL; the scan must still complete (exit 0) and evaluate the other
// services.
func TestAccessDeniedS3(t *testing.T) {
	t.Parallel()
	srv := moto.Start(t, moto.WithEnv("INITIAL_NO_AUTH_ACTION_COUNT="+strconv.Itoa(noAuthCalls)))
	ctx := context.Background()
	// With IAM enforced the access key selects the account, so this test
	// stays in moto's default account of its private server.
	const region = "us-east-1"
	boot := iam.NewFromConfig(srv.Config(region, ""))
	_, err := boot.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("admin")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = boot.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("admin"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
	if err != nil {
		t.Fatal(err)
	}
	adminKey, err := boot.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("admin")})
	if err != nil {
		t.Fatal(err)
	}
	admin := srv.ConfigWithKeys(region, "", aws.ToString(adminKey.AccessKey.AccessKeyId), aws.ToString(adminKey.AccessKey.SecretAccessKey))
	ic := iam.NewFromConfig(admin)
	// Proof that IAM is now enforced: the fake "testing" key is refused.
	if _, err := boot.ListUsers(ctx, &iam.ListUsersInput{}); err == nil {
		t.Fatal("moto did not enforce IAM after INITIAL_NO_AUTH_ACTION_COUNT calls")
	}

	// Something for the S3 rules to look at: a bucket, public and
	// unencrypted, so a rule that wrongly ignored the denial would FAIL
	// or PASS it.
	sc := s3.NewFromConfig(admin, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := "denied-" + moto.DefaultAccount
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policyJSON(map[string]any{
		"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + bucket + "/*",
	}))}); err != nil {
		t.Fatal(err)
	}
	// And for IAM: a user with a console password and no MFA.
	if _, err := ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String("Password-123-456")}); err != nil {
		t.Fatal(err)
	}

	// Two scanners: one denied all of S3, one that may list the buckets but
	// read nothing about them (so the per-bucket reads, not the list, fail).
	scanners := []struct {
		name, user string
		deny       []string
		perBucket  bool
	}{
		{"deny s3:*", "scanner", []string{"s3:*"}, false},
		{"deny bucket reads", "scanner-list-only", []string{"s3:Get*", "s3:ListBucket*"}, true},
	}
	// Through a front so that Access Analyzer answers (without it, moto's
	// HTTP 500 costs the scan its retries).
	aaFront := newFront(t, srv.URL, moto.DefaultAccount)
	for _, sc := range scanners {
		t.Run(sc.name, func(t *testing.T) {
			if _, err := ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(sc.user)}); err != nil {
				t.Fatal(err)
			}
			if _, err := ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(sc.user), PolicyName: aws.String("deny-s3"),
				PolicyDocument: aws.String(policyJSON(
					map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"},
					map[string]any{"Effect": "Deny", "Action": sc.deny, "Resource": "*"},
				))}); err != nil {
				t.Fatal(err)
			}
			key, err := ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(sc.user)})
			if err != nil {
				t.Fatal(err)
			}
			ak, sk := aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey)
			// Sanity: moto denies what the policy denies (else the test
			// proves nothing).
			s3c := s3.NewFromConfig(srv.ConfigWithKeys(region, "", ak, sk), func(o *s3.Options) { o.UsePathStyle = true })
			_, listErr := s3c.ListBuckets(ctx, &s3.ListBucketsInput{})
			_, polErr := s3c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
			if (listErr == nil) != sc.perBucket || polErr == nil {
				t.Fatalf("moto's enforcement is not what the test needs: ListBuckets err=%v, GetBucketPolicy err=%v", listErr, polErr)
			}
			d := scanJSON(t, moto.EnvFor(aaFront.URL, ak, sk), "", []string{region})
			checkDenied(t, d, bucket, sc.perBucket)
		})
	}
}

// checkDenied asserts the scan of an identity that cannot read S3: every S3
// result UNKNOWN with "access denied", and the rest of the scan evaluated.
func checkDenied(t *testing.T, d scanDoc, bucket string, perBucket bool) {
	t.Helper()
	if d.AccountID != moto.DefaultAccount {
		t.Errorf("account %q, want %s", d.AccountID, moto.DefaultAccount)
	}
	var s3Results, bucketResults, evaluated int
	for _, r := range d.Results {
		isS3 := r.Service == "s3" || strings.HasPrefix(r.RuleID, "s3-")
		if isS3 {
			s3Results++
			if strings.HasSuffix(r.ResourceARN, ":::"+bucket) {
				bucketResults++
			}
			if r.Status != "UNKNOWN" {
				t.Errorf("%s on %s: %s (%s), want UNKNOWN: the scanner cannot read S3", r.RuleID, r.ResourceARN, r.Status, r.Message)
			} else if !strings.Contains(strings.ToLower(r.Message), "access denied") {
				t.Errorf("%s on %s: UNKNOWN without \"access denied\" in the message: %q", r.RuleID, r.ResourceARN, r.Message)
			}
			continue
		}
		// Rules about CloudTrail's bucket read S3 too: they may not PASS.
		if strings.Contains(r.RuleID, "bucket") && r.Status == "PASS" {
			t.Errorf("%s on %s: PASS although its bucket could not be read (%s)", r.RuleID, r.ResourceARN, r.Message)
		}
		if r.Status == "PASS" || r.Status == "FAIL" {
			evaluated++
		}
	}
	if s3Results == 0 {
		t.Error("no S3 results at all: a denied read must give UNKNOWN results, not silence")
	}
	if perBucket && bucketResults == 0 {
		t.Errorf("no S3 result names bucket %s although the scanner may list it", bucket)
	}
	if evaluated == 0 {
		t.Error("no rule outside S3 was evaluated (PASS/FAIL): the denial stopped the rest of the scan")
	}
	// The IAM user bob must be seen and failed for console access without MFA.
	if got := statusOf(d, "iam-user-console-mfa", ":user/bob"); len(got) != 1 || got[0] != "FAIL" {
		t.Errorf("iam-user-console-mfa on bob: %v, want [FAIL]", got)
	}
	t.Logf("%d results: %d S3 (all UNKNOWN, %d on the bucket), %d other results evaluated", len(d.Results), s3Results, bucketResults, evaluated)
}
