package secsvc

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awscfg "github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	awsgd "github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	awsi2 "github.com/aws/aws-sdk-go-v2/service/inspector2"
	i2types "github.com/aws/aws-sdk-go-v2/service/inspector2/types"
	awsmacie "github.com/aws/aws-sdk-go-v2/service/macie2"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	awssh "github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/secsvc"
)

// must keeps fixture code short; a failed setup call panics, which fails
// the test (cleanups, including stopping moto, still run).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestCollectorsMoto(t *testing.T) {
	url := startMoto(t)
	isolateAWSEnv(t)
	t.Run("enabled vs not enabled", func(t *testing.T) { testMotoEnablement(t, url) })
	t.Run("not enabled vs access denied", func(t *testing.T) { testMotoDenied(t, url) })
}

// enableAll turns every service moto supports on in one region.
func enableAll(t *testing.T, ctx context.Context, cfg sdk.Config, account string) {
	t.Helper()
	must(awsgd.NewFromConfig(cfg).CreateDetector(ctx, &awsgd.CreateDetectorInput{Enable: sdk.Bool(true),
		Features: []gdtypes.DetectorFeatureConfiguration{
			{Name: gdtypes.DetectorFeatureS3DataEvents, Status: gdtypes.FeatureStatusEnabled},
			{Name: gdtypes.DetectorFeatureRdsLoginEvents, Status: gdtypes.FeatureStatusDisabled}}}))
	must(awssh.NewFromConfig(cfg).EnableSecurityHub(ctx, &awssh.EnableSecurityHubInput{}))
	must(awsi2.NewFromConfig(cfg).Enable(ctx, &awsi2.EnableInput{AccountIds: []string{account},
		ResourceTypes: []i2types.ResourceScanType{i2types.ResourceScanTypeEc2, i2types.ResourceScanTypeEcr}}))
	must(awsmacie.NewFromConfig(cfg).EnableMacie(ctx, &awsmacie.EnableMacieInput{}))
	bucket := "config-" + cfg.Region + "-" + account
	in := &awss3.CreateBucketInput{Bucket: &bucket}
	if cfg.Region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(cfg.Region)}
	}
	must(awss3.NewFromConfig(cfg, func(o *awss3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, in))
	cs := awscfg.NewFromConfig(cfg)
	must(cs.PutConfigurationRecorder(ctx, &awscfg.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
		Name: sdk.String("default"), RoleARN: sdk.String("arn:aws:iam::" + account + ":role/config"),
		RecordingGroup: &cfgtypes.RecordingGroup{AllSupported: true, IncludeGlobalResourceTypes: true}}}))
	must(cs.PutDeliveryChannel(ctx, &awscfg.PutDeliveryChannelInput{DeliveryChannel: &cfgtypes.DeliveryChannel{
		Name: sdk.String("default"), S3BucketName: &bucket}}))
	must(cs.StartConfigurationRecorder(ctx, &awscfg.StartConfigurationRecorderInput{ConfigurationRecorderName: sdk.String("default")}))
}

func runAll(t *testing.T, ctx context.Context, url, account string, regions []string,
	fault func(*http.Request, []byte) *http.Response) *model.Snapshot {
	t.Helper()
	env, err := aws.NewEnv(ctx, aws.Options{Endpoint: url, Regions: regions,
		HTTPClient: &motoClient{account: account, inner: &http.Client{Timeout: time.Minute}, fault: fault}})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := aws.Run(ctx, env, regions, Collectors(), aws.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func region(t *testing.T, snap *model.Snapshot, name string) int {
	t.Helper()
	for i := range snap.Security {
		if snap.Security[i].Name == name {
			return i
		}
	}
	t.Fatalf("region %s missing", name)
	return -1
}

func testMotoEnablement(t *testing.T, url string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	account := newAccountID(t)
	enableAll(t, ctx, setupConfig(t, url, account, "us-east-1"), account)
	// eu-west-1: a GuardDuty detector that is switched off; nothing else.
	// (moto starts every region with a Macie session, unlike AWS: end it.)
	euw1 := setupConfig(t, url, account, "eu-west-1")
	must(awsgd.NewFromConfig(euw1).CreateDetector(ctx, &awsgd.CreateDetectorInput{Enable: sdk.Bool(false)}))
	must(awsmacie.NewFromConfig(euw1).DisableMacie(ctx, &awsmacie.DisableMacieInput{}))

	snap := runAll(t, ctx, url, account, []string{"eu-west-1", "us-east-1"}, nil)
	on := snap.Security[region(t, snap, "us-east-1")]
	off := snap.Security[region(t, snap, "eu-west-1")]

	if g, ok := on.GuardDuty.Get(); !ok || !g.Enabled() {
		t.Errorf("us-east-1 guardduty = %+v", on.GuardDuty)
	} else {
		// The protection plans GetDetector reports (GuardDuty.9/.10).
		s3, s3ok := g.Feature(secsvc.FeatureS3DataEvents)
		rds, rdsok := g.Feature(secsvc.FeatureRDSLoginEvents)
		if !s3ok || s3 != "ENABLED" || !rdsok || rds != "DISABLED" {
			t.Errorf("us-east-1 guardduty features = %+v", g.Features)
		}
	}
	if g, ok := off.GuardDuty.Get(); !ok || g.Enabled() || g.DetectorID == "" || g.Status != "DISABLED" {
		t.Errorf("eu-west-1 guardduty = %+v, want known disabled detector", off.GuardDuty)
	}

	if h, ok := on.SecurityHub.Get(); !ok || h.HubARN != "arn:aws:securityhub:us-east-1:"+account+":hub/default" {
		t.Errorf("us-east-1 security hub = %+v", on.SecurityHub)
	} else if h.Standards.Ok || !strings.HasPrefix(h.Standards.Why(), core.ReasonNotSupported) {
		// moto has no GetEnabledStandards.
		t.Errorf("standards = %+v, want unknown not supported", h.Standards)
	}
	if h, ok := off.SecurityHub.Get(); !ok || h.HubARN != "" {
		t.Errorf("eu-west-1 security hub = %+v, want known not enabled", off.SecurityHub)
	}

	if i, ok := on.Inspector.Get(); !ok || i.EC2 != "ENABLED" || i.ECR != "ENABLED" || i.Lambda == "ENABLED" {
		t.Errorf("us-east-1 inspector = %+v", on.Inspector)
	}
	if i, ok := off.Inspector.Get(); !ok || i.EC2 == "ENABLED" || i.ECR == "ENABLED" {
		t.Errorf("eu-west-1 inspector = %+v, want known not enabled", off.Inspector)
	}

	if m, ok := on.Macie.Get(); !ok || m.Status != "ENABLED" {
		t.Errorf("us-east-1 macie = %+v", on.Macie)
	}
	if m, ok := off.Macie.Get(); !ok || m.Status != "" {
		t.Errorf("eu-west-1 macie = %+v, want known no session", off.Macie)
	}

	if c, ok := on.Config.Get(); !ok || len(c.Recorders) != 1 || !c.Recorders[0].Recording || !c.Recorders[0].AllSupported ||
		!c.Recorders[0].IncludeGlobalResourceTypes || c.DeliveryChannels != 1 || c.Recorders[0].Name != "default" {
		t.Errorf("us-east-1 config = %+v", on.Config)
	}
	if c, ok := off.Config.Get(); !ok || len(c.Recorders) != 0 || c.DeliveryChannels != 0 {
		t.Errorf("eu-west-1 config = %+v", off.Config)
	}

	// moto has no Access Analyzer: unknown in both regions, scan went on.
	for _, r := range []string{"us-east-1", "eu-west-1"} {
		aa := snap.Security[region(t, snap, r)].AccessAnalyzer
		if aa.Ok || aa.Why() != core.ReasonNotSupported+" (access-analyzer:ListAnalyzers)" {
			t.Errorf("%s access analyzer = %+v, want unknown not supported", r, aa)
		}
	}
	for _, e := range snap.Errors {
		if e.Operation != "ListAnalyzers" && e.Operation != "GetEnabledStandards" {
			t.Errorf("unexpected collect error %+v", e)
		}
	}
}

// restJSONError answers a REST-JSON call (GuardDuty, Security Hub, Macie)
// with an AWS error.
func restJSONError(status int, code, msg string) *http.Response {
	return fakeResponse(status, "application/json", `{"message":"`+msg+`"}`, map[string]string{"X-Amzn-ErrorType": code})
}

func inRegion(r *http.Request, region, signingName string) bool {
	return strings.Contains(r.Header.Get("Authorization"), "/"+region+"/"+signingName+"/")
}

func testMotoDenied(t *testing.T, url string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	account := newAccountID(t)
	fault := func(r *http.Request, _ []byte) *http.Response {
		switch {
		// us-east-1: AWS's own "not enabled" answers, which must read as
		// known-not-enabled.
		case inRegion(r, "us-east-1", "macie2") && r.URL.Path == "/macie":
			return restJSONError(http.StatusForbidden, "AccessDeniedException", "Macie is not enabled.")
		case inRegion(r, "us-east-1", "securityhub") && r.URL.Path == "/accounts":
			return restJSONError(http.StatusUnauthorized, "InvalidAccessException",
				"Account "+account+" is not subscribed to AWS Security Hub")
		// eu-west-1: real permission denials, which must stay unknown.
		case inRegion(r, "eu-west-1", "macie2") && r.URL.Path == "/macie":
			return restJSONError(http.StatusForbidden, "AccessDeniedException",
				"User: arn:aws:iam::"+account+":user/scanner is not authorized to perform: macie2:GetMacieSession")
		case inRegion(r, "eu-west-1", "securityhub") && r.URL.Path == "/accounts":
			return restJSONError(http.StatusUnauthorized, "InvalidAccessException",
				"Account "+account+" is not an administrator for this organization")
		case inRegion(r, "eu-west-1", "guardduty") && r.URL.Path == "/detector":
			return restJSONError(http.StatusForbidden, "AccessDeniedException",
				"User is not authorized to perform: guardduty:ListDetectors")
		}
		return nil
	}
	// Everything is enabled in both regions: the injected errors are all
	// that can make a field not-enabled or unknown.
	enableAll(t, ctx, setupConfig(t, url, account, "us-east-1"), account)
	enableAll(t, ctx, setupConfig(t, url, account, "eu-west-1"), account)
	snap := runAll(t, ctx, url, account, []string{"eu-west-1", "us-east-1"}, fault)
	use1 := snap.Security[region(t, snap, "us-east-1")]
	euw1 := snap.Security[region(t, snap, "eu-west-1")]

	if m, ok := use1.Macie.Get(); !ok || m.Status != "" {
		t.Errorf("us-east-1 macie = %+v, want known not enabled", use1.Macie)
	}
	if h, ok := use1.SecurityHub.Get(); !ok || h.HubARN != "" {
		t.Errorf("us-east-1 security hub = %+v, want known not enabled", use1.SecurityHub)
	}
	if euw1.Macie.Ok || euw1.Macie.Why() != "access denied (macie2:GetMacieSession)" {
		t.Errorf("eu-west-1 macie = %+v, want unknown access denied", euw1.Macie)
	}
	if euw1.SecurityHub.Ok {
		t.Errorf("eu-west-1 security hub = %+v, want unknown", euw1.SecurityHub)
	}
	if euw1.GuardDuty.Ok || euw1.GuardDuty.Why() != "access denied (guardduty:ListDetectors)" {
		t.Errorf("eu-west-1 guardduty = %+v, want unknown access denied", euw1.GuardDuty)
	}
	// The other services of the same region are untouched.
	for name, v := range map[string]bool{"us guardduty": use1.GuardDuty.Ok && use1.GuardDuty.V.Enabled(),
		"eu inspector": euw1.Inspector.Ok && euw1.Inspector.V.EC2 == "ENABLED",
		"eu config":    euw1.Config.Ok && len(euw1.Config.V.Recorders) == 1} {
		if !v {
			t.Errorf("%s should be known and enabled", name)
		}
	}
}
