package s3

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	awss3control "github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	iamcollect "github.com/demarc-sec/demarc/internal/collect/aws/iam"
	"github.com/demarc-sec/demarc/internal/model"
	s3m "github.com/demarc-sec/demarc/internal/model/s3"
	"github.com/demarc-sec/demarc/internal/testutil/moto"
)

// must panics on a fixture-building error: the test fails with the stack.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func setupConfig(t *testing.T, endpoint string, opts ...func(*config.LoadOptions) error) sdkaws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(), append([]func(*config.LoadOptions) error{config.WithBaseEndpoint(endpoint)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func pathStyle(o *awss3.Options) { o.UsePathStyle = true }

const publicPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::open-bucket/*"}]}`

func TestCollectMoto(t *testing.T) {
	motoEnv(t)
	// moto's default account, in a private server: the test counts buckets.
	endpoint := moto.Start(t, moto.WithEnv("MOTO_IAM_LOAD_MANAGED_POLICIES=false")).URL
	ctx := context.Background()
	cfg := setupConfig(t, endpoint)
	c := awss3.NewFromConfig(cfg, pathStyle)
	s := sdkaws.String

	// open-bucket (us-east-1): public policy, ACL public-read, tags, no BPA, no encryption config.
	must(c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: s("open-bucket")}))
	must(c.PutBucketPolicy(ctx, &awss3.PutBucketPolicyInput{Bucket: s("open-bucket"), Policy: s(publicPolicy)}))
	must(c.PutBucketAcl(ctx, &awss3.PutBucketAclInput{Bucket: s("open-bucket"), ACL: s3types.BucketCannedACLPublicRead}))
	must(c.PutBucketTagging(ctx, &awss3.PutBucketTaggingInput{Bucket: s("open-bucket"),
		Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: s("owner"), Value: s("web")}}}}))

	// closed-bucket (eu-west-1): BPA on, KMS encryption, versioning, logging, ownership.
	euc := awss3.NewFromConfig(cfg, pathStyle, func(o *awss3.Options) { o.Region = "eu-west-1" })
	must(euc.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: s("closed-bucket"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}}))
	must(euc.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: s("log-bucket"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}}))
	// The log-delivery group must be able to write to the target bucket.
	must(euc.PutBucketAcl(ctx, &awss3.PutBucketAclInput{Bucket: s("log-bucket"), ACL: s3types.BucketCannedACL("log-delivery-write")}))
	must(euc.PutPublicAccessBlock(ctx, &awss3.PutPublicAccessBlockInput{Bucket: s("closed-bucket"),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: s3true(), IgnorePublicAcls: s3true(),
			BlockPublicPolicy: s3true(), RestrictPublicBuckets: s3true()}}))
	must(euc.PutBucketEncryption(ctx, &awss3.PutBucketEncryptionInput{Bucket: s("closed-bucket"),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: s("alias/data")},
			BucketKeyEnabled:                   s3true(),
		}}}}))
	must(euc.PutBucketVersioning(ctx, &awss3.PutBucketVersioningInput{Bucket: s("closed-bucket"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}))
	must(euc.PutBucketLogging(ctx, &awss3.PutBucketLoggingInput{Bucket: s("closed-bucket"),
		BucketLoggingStatus: &s3types.BucketLoggingStatus{LoggingEnabled: &s3types.LoggingEnabled{TargetBucket: s("log-bucket"), TargetPrefix: s("closed/")}}}))
	must(euc.PutBucketOwnershipControls(ctx, &awss3.PutBucketOwnershipControlsInput{Bucket: s("closed-bucket"),
		OwnershipControls: &s3types.OwnershipControls{Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}}}}))

	env, err := aws.NewEnv(ctx, aws.Options{Endpoint: endpoint})
	if err != nil {
		t.Fatal(err)
	}
	collect := func() *model.Snapshot {
		t.Helper()
		snap := model.New(env.AccountID, env.Partition, []string{"us-east-1"})
		if err := New().Collect(ctx, env, "us-east-1", snap); err != nil {
			t.Fatalf("Collect: %v", err)
		}
		return snap
	}

	snap := collect()
	if v, ok := snap.S3.AccountPublicAccessBlock.Get(); !ok || v != nil {
		t.Errorf("account BPA = %+v (%s), want Known(nil)", v, snap.S3.AccountPublicAccessBlock.Why())
	}
	buckets, ok := snap.S3.Buckets.Get()
	if !ok || len(buckets) != 3 {
		t.Fatalf("buckets = %+v (%s)", buckets, snap.S3.Buckets.Why())
	}
	closed, logb, open := buckets[0], buckets[1], buckets[2]
	if closed.Name != "closed-bucket" || logb.Name != "log-bucket" || open.Name != "open-bucket" {
		t.Fatalf("bucket order = %s %s %s", closed.Name, logb.Name, open.Name)
	}

	// open-bucket
	if open.ARN != "arn:aws:s3:::open-bucket" || open.Region != "us-east-1" || open.Account != env.AccountID || open.Tags["owner"] != "web" {
		t.Errorf("open meta = %+v", open.Meta)
	}
	if p := knownV(t, "open policy", open.Policy); p != publicPolicy {
		t.Errorf("open policy = %q", p)
	}
	// moto 5.2.1 has no GetBucketPolicyStatus (it answers ?policyStatus as
	// ListObjects): the verdict must be unknown, never a guessed false.
	for _, b := range buckets {
		if v := b.PolicyStatusPublic; v.Ok || v.Why() != "service error (s3:GetBucketPolicyStatus)" {
			t.Errorf("%s policy status = %+v, want unknown", b.Name, v)
		}
	}
	if p := knownV(t, "open BPA", open.PublicAccessBlock); p != nil {
		t.Errorf("open BPA = %+v, want nil", p)
	}
	if v := knownV(t, "open versioning", open.Versioning); v.Status != "" {
		t.Errorf("open versioning = %+v", v)
	}
	if l := knownV(t, "open logging", open.Logging); l != nil {
		t.Errorf("open logging = %+v", l)
	}
	acl := knownV(t, "open acl", open.ACL)
	public := false
	for _, g := range acl.Grants {
		if g.GranteeURI == s3m.AllUsersURI && g.Permission == "READ" {
			public = true
		}
	}
	if !public || acl.OwnerID == "" {
		t.Errorf("open acl = %+v", acl)
	}

	// closed-bucket
	if closed.Region != "eu-west-1" || closed.Tags != nil {
		t.Errorf("closed meta = %+v", closed.Meta)
	}
	if p := knownV(t, "closed policy", closed.Policy); p != "" {
		t.Errorf("closed policy = %q, want Known(\"\")", p)
	}
	if p := knownV(t, "closed BPA", closed.PublicAccessBlock); !p.All() {
		t.Errorf("closed BPA = %+v", p)
	}
	enc := knownV(t, "closed encryption", closed.Encryption)
	if enc == nil || len(enc.Rules) != 1 || enc.Rules[0].SSEAlgorithm != "aws:kms" || enc.Rules[0].KMSMasterKeyID != "alias/data" || !enc.Rules[0].BucketKeyEnabled {
		t.Errorf("closed encryption = %+v", enc)
	}
	if v := knownV(t, "closed versioning", closed.Versioning); v.Status != "Enabled" {
		t.Errorf("closed versioning = %+v", v)
	}
	if l := knownV(t, "closed logging", closed.Logging); l == nil || l.TargetBucket != "log-bucket" || l.TargetPrefix != "closed/" {
		t.Errorf("closed logging = %+v", l)
	}
	if o := knownV(t, "closed ownership", closed.ObjectOwnership); o != "BucketOwnerEnforced" {
		t.Errorf("closed ownership = %q", o)
	}
	if o := knownV(t, "log ownership", logb.ObjectOwnership); o != "" {
		t.Errorf("log-bucket ownership = %q", o)
	}
	for _, e := range env.Errors() {
		if e.Operation != "GetBucketPolicyStatus" {
			t.Errorf("collect error: %+v", e)
		}
	}

	// Account-level BPA through S3 Control (the SDK puts the account ID in
	// front of the host; the Env's HTTP client still dials moto).
	ctl := awss3control.NewFromConfig(cfg, func(o *awss3control.Options) { o.HTTPClient = dialOnly(endpoint) })
	must(ctl.PutPublicAccessBlock(ctx, &awss3control.PutPublicAccessBlockInput{AccountId: s(env.AccountID),
		PublicAccessBlockConfiguration: &s3ctltypes.PublicAccessBlockConfiguration{BlockPublicAcls: s3true(), IgnorePublicAcls: s3true(),
			BlockPublicPolicy: s3true(), RestrictPublicBuckets: s3true()}}))
	snap = collect()
	if v, ok := snap.S3.AccountPublicAccessBlock.Get(); !ok || !v.All() {
		t.Errorf("account BPA = %+v (%s), want all on", v, snap.S3.AccountPublicAccessBlock.Why())
	}
}

// dialOnly is an HTTP client that connects to the endpoint's host whatever
// the request's host is ("<account>.127.0.0.1:port" for S3 Control).
func dialOnly(endpoint string) *http.Client {
	u, err := url.Parse(endpoint)
	if err != nil {
		panic(err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, u.Host)
	}
	return &http.Client{Transport: tr}
}

func s3true() *bool { return sdkaws.Bool(true) }

func knownV[T any](t *testing.T, what string, v interface {
	Get() (T, bool)
	Why() string
}) T {
	t.Helper()
	x, ok := v.Get()
	if !ok {
		t.Fatalf("%s unknown: %s", what, v.Why())
	}
	return x
}

// readOnlyIAM lets a scanner read IAM (and identify itself) but nothing in S3.
const readOnlyIAM = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","iam:GenerateCredentialReport","sts:GetCallerIdentity"],"Resource":"*"}]}`

// listOnly adds s3:ListAllMyBuckets and nothing else in S3.
const listOnly = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","iam:GenerateCredentialReport","sts:GetCallerIdentity","s3:ListAllMyBuckets"],"Resource":"*"}]}`

// TestCollectMotoAccessDenied runs the collectors as identities that may not
// read S3 while moto enforces IAM: S3 values must be Unknown with
// "access denied", never Known, and IAM must still be collected.
func TestCollectMotoAccessDenied(t *testing.T) {
	motoEnv(t)
	// moto serves this many requests unauthenticated, then enforces IAM:
	// exactly the fixture calls below.
	const setupCalls = 7
	endpoint := moto.Start(t, moto.WithEnv(fmt.Sprintf("INITIAL_NO_AUTH_ACTION_COUNT=%d", setupCalls),
		"MOTO_IAM_LOAD_MANAGED_POLICIES=false")).URL
	ctx := context.Background()
	cfg := setupConfig(t, endpoint)
	ic := awsiam.NewFromConfig(cfg)
	s := sdkaws.String

	must(awss3.NewFromConfig(cfg, pathStyle).CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: s("secret-bucket")}))
	newUser := func(name, policy string) (id, secret string) {
		must(ic.CreateUser(ctx, &awsiam.CreateUserInput{UserName: s(name)}))
		must(ic.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: s(name), PolicyName: s("scan"), PolicyDocument: s(policy)}))
		k := must(ic.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: s(name)}))
		return *k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey
	}
	type identity struct{ id, secret string }
	var scanner, lister identity
	scanner.id, scanner.secret = newUser("scanner", readOnlyIAM)
	lister.id, lister.secret = newUser("lister", listOnly)

	run := func(who identity) (*model.Snapshot, *aws.Env) {
		t.Helper()
		t.Setenv("AWS_ACCESS_KEY_ID", who.id)
		t.Setenv("AWS_SECRET_ACCESS_KEY", who.secret)
		env, err := aws.NewEnv(ctx, aws.Options{Endpoint: endpoint})
		if err != nil {
			t.Fatal(err)
		}
		snap := model.New(env.AccountID, env.Partition, []string{"us-east-1"})
		if err := New().Collect(ctx, env, "us-east-1", snap); err != nil {
			t.Logf("s3 collect: %v", err)
		}
		if err := iamcollect.New().Collect(ctx, env, "us-east-1", snap); err != nil {
			t.Errorf("iam collect: %v", err)
		}
		return snap, env
	}

	// The scanner may not even list buckets.
	snap, _ := run(scanner)
	if v := snap.S3.Buckets; v.Ok || v.Why() != "access denied (s3:ListBuckets)" {
		t.Errorf("buckets = %+v, want unknown access denied (s3:ListBuckets)", v)
	}
	if v := snap.S3.AccountPublicAccessBlock; v.Ok || !strings.HasPrefix(v.Why(), "access denied") {
		t.Errorf("account BPA = %+v, want unknown access denied", v)
	}
	// The rest of the scan completes: IAM is readable.
	if users, ok := snap.IAM.Users.Get(); !ok || len(users) != 2 {
		t.Errorf("iam users = %+v (%s)", users, snap.IAM.Users.Why())
	}

	// The lister sees the bucket but no setting of it.
	snap, _ = run(lister)
	buckets, ok := snap.S3.Buckets.Get()
	if !ok || len(buckets) != 1 || buckets[0].Name != "secret-bucket" {
		t.Fatalf("buckets = %+v (%s)", buckets, snap.S3.Buckets.Why())
	}
	b := buckets[0]
	for field, why := range map[string]string{
		"policy":           b.Policy.Why(),
		"policy status":    b.PolicyStatusPublic.Why(),
		"public access":    b.PublicAccessBlock.Why(),
		"encryption":       b.Encryption.Why(),
		"versioning":       b.Versioning.Why(),
		"logging":          b.Logging.Why(),
		"acl":              b.ACL.Why(),
		"object ownership": b.ObjectOwnership.Why(),
	} {
		if !strings.HasPrefix(why, "access denied (s3:") {
			t.Errorf("%s: reason %q, want access denied", field, why)
		}
	}
	if b.Policy.Ok || b.PolicyStatusPublic.Ok || b.PublicAccessBlock.Ok || b.Encryption.Ok || b.Versioning.Ok ||
		b.Logging.Ok || b.ACL.Ok || b.ObjectOwnership.Ok {
		t.Errorf("a denied bucket field is known: %+v", b)
	}
}
