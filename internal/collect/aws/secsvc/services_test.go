package secsvc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsaa "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	awscfg "github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	awsgd "github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	awsi2 "github.com/aws/aws-sdk-go-v2/service/inspector2"
	i2types "github.com/aws/aws-sdk-go-v2/service/inspector2/types"
	awsmacie "github.com/aws/aws-sdk-go-v2/service/macie2"
	macietypes "github.com/aws/aws-sdk-go-v2/service/macie2/types"
	awssh "github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/secsvc"
)

const acct = "111122223333"

func apiErr(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }

var denied = apiErr("AccessDeniedException", "User: arn:aws:iam::111122223333:user/x is not authorized to perform this action")

func newEnv() *aws.Env { return &aws.Env{AccountID: acct} }

// tokenIndex maps "" → 0, "p1" → 1, …
func tokenIndex(tok *string) int {
	i := 0
	if t := sdk.ToString(tok); t != "" {
		fmt.Sscanf(t, "p%d", &i)
	}
	return i
}

func nextToken(i, n int) *string {
	if i+1 < n {
		return sdk.String(fmt.Sprintf("p%d", i+1))
	}
	return nil
}

// ---- GuardDuty ----

type fakeGD struct {
	pages    [][]string
	listErr  error
	status   map[string]gdtypes.DetectorStatus
	features map[string][]gdtypes.DetectorFeatureConfigurationResult
	s3Logs   map[string]gdtypes.DataSourceStatus
	getErr   map[string]error
	getCalls int
}

func (f *fakeGD) ListDetectors(_ context.Context, in *awsgd.ListDetectorsInput, _ ...func(*awsgd.Options)) (*awsgd.ListDetectorsOutput, error) {
	if f.listErr != nil {
		return nil, f.listErr
	}
	i := tokenIndex(in.NextToken)
	if i >= len(f.pages) {
		return &awsgd.ListDetectorsOutput{}, nil
	}
	return &awsgd.ListDetectorsOutput{DetectorIds: f.pages[i], NextToken: nextToken(i, len(f.pages))}, nil
}

func (f *fakeGD) GetDetector(_ context.Context, in *awsgd.GetDetectorInput, _ ...func(*awsgd.Options)) (*awsgd.GetDetectorOutput, error) {
	f.getCalls++
	id := sdk.ToString(in.DetectorId)
	if err := f.getErr[id]; err != nil {
		return nil, err
	}
	out := &awsgd.GetDetectorOutput{Status: f.status[id], Features: f.features[id]}
	if st, ok := f.s3Logs[id]; ok {
		out.DataSources = &gdtypes.DataSourceConfigurationsResult{S3Logs: &gdtypes.S3LogsConfigurationResult{Status: st}}
	}
	return out, nil
}

func feature(name gdtypes.DetectorFeatureResult, st gdtypes.FeatureStatus) gdtypes.DetectorFeatureConfigurationResult {
	return gdtypes.DetectorFeatureConfigurationResult{Name: name, Status: st}
}

func TestReadGuardDuty(t *testing.T) {
	tests := []struct {
		name   string
		f      *fakeGD
		want   core.Val[secsvc.GuardDuty]
		reason string
	}{
		{"no detector is known not enabled", &fakeGD{}, core.Known(secsvc.GuardDuty{}), ""},
		{"enabled", &fakeGD{pages: [][]string{{"d1"}}, status: map[string]gdtypes.DetectorStatus{"d1": "ENABLED"}},
			core.Known(secsvc.GuardDuty{DetectorID: "d1", Status: "ENABLED"}), ""},
		{"suspended detector", &fakeGD{pages: [][]string{{"d1"}}, status: map[string]gdtypes.DetectorStatus{"d1": "DISABLED"}},
			core.Known(secsvc.GuardDuty{DetectorID: "d1", Status: "DISABLED"}), ""},
		{"enabled detector on a later page wins", &fakeGD{pages: [][]string{{"a"}, {"b"}},
			status: map[string]gdtypes.DetectorStatus{"a": "DISABLED", "b": "ENABLED"}},
			core.Known(secsvc.GuardDuty{DetectorID: "b", Status: "ENABLED"}), ""},
		{"list denied", &fakeGD{listErr: denied}, core.Val[secsvc.GuardDuty]{}, "access denied (guardduty:ListDetectors)"},
		{"get denied", &fakeGD{pages: [][]string{{"d1"}}, getErr: map[string]error{"d1": denied}},
			core.Val[secsvc.GuardDuty]{}, "access denied (guardduty:GetDetector)"},
		{"status missing", &fakeGD{pages: [][]string{{"d1"}}}, core.Val[secsvc.GuardDuty]{}, "not reported (guardduty:GetDetector)"},
		{"protection plans sorted, legacy S3 data source kept", &fakeGD{pages: [][]string{{"d1"}},
			status: map[string]gdtypes.DetectorStatus{"d1": "ENABLED"},
			features: map[string][]gdtypes.DetectorFeatureConfigurationResult{"d1": {
				feature("S3_DATA_EVENTS", "ENABLED"), feature("RDS_LOGIN_EVENTS", "DISABLED"), {Status: "ENABLED"}}},
			s3Logs: map[string]gdtypes.DataSourceStatus{"d1": "ENABLED"}},
			core.Known(secsvc.GuardDuty{DetectorID: "d1", Status: "ENABLED", S3Logs: "ENABLED", Features: []secsvc.GuardDutyFeature{
				{Name: "RDS_LOGIN_EVENTS", Status: "DISABLED"}, {Name: "S3_DATA_EVENTS", Status: "ENABLED"}}}), ""},
		{"region not enabled", &fakeGD{listErr: apiErr("UnrecognizedClientException", "The security token included in the request is invalid for this region")},
			core.Val[secsvc.GuardDuty]{}, "region not enabled (guardduty:ListDetectors)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ReadGuardDuty(context.Background(), newEnv(), tt.f, "eu-west-1")
			if tt.reason != "" {
				if got.Ok || got.Why() != tt.reason {
					t.Errorf("got %+v, want unknown %q", got, tt.reason)
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// ---- Security Hub ----

type fakeSH struct {
	hub      *awssh.DescribeHubOutput
	hubErr   error
	stdPages [][]shtypes.StandardsSubscription
	stdErr   error
}

func (f *fakeSH) DescribeHub(context.Context, *awssh.DescribeHubInput, ...func(*awssh.Options)) (*awssh.DescribeHubOutput, error) {
	return f.hub, f.hubErr
}

func (f *fakeSH) GetEnabledStandards(_ context.Context, in *awssh.GetEnabledStandardsInput, _ ...func(*awssh.Options)) (*awssh.GetEnabledStandardsOutput, error) {
	if f.stdErr != nil {
		return nil, f.stdErr
	}
	i := tokenIndex(in.NextToken)
	if i >= len(f.stdPages) {
		return &awssh.GetEnabledStandardsOutput{}, nil
	}
	return &awssh.GetEnabledStandardsOutput{StandardsSubscriptions: f.stdPages[i], NextToken: nextToken(i, len(f.stdPages))}, nil
}

func std(arn string, s shtypes.StandardsStatus) shtypes.StandardsSubscription {
	return shtypes.StandardsSubscription{StandardsArn: sdk.String(arn), StandardsStatus: s}
}

func TestReadSecurityHub(t *testing.T) {
	hubARN := "arn:aws:securityhub:eu-west-1:111122223333:hub/default"
	t.Run("not subscribed is known not enabled", func(t *testing.T) {
		got := ReadSecurityHub(context.Background(), newEnv(), &fakeSH{hubErr: apiErr("InvalidAccessException",
			"Account 111122223333 is not subscribed to AWS Security Hub")}, "eu-west-1", "arn:aws")
		if !got.Ok || got.V.HubARN != "" || !got.V.Standards.Ok || len(got.V.Standards.V) != 0 {
			t.Errorf("got %+v", got)
		}
	})
	for _, err := range []error{
		denied,
		apiErr("InvalidAccessException", "Account 111122223333 is not an administrator for this organization"),
		apiErr("InternalException", "boom"),
	} {
		t.Run("unknown on "+err.Error(), func(t *testing.T) {
			got := ReadSecurityHub(context.Background(), newEnv(), &fakeSH{hubErr: err}, "eu-west-1", "arn:aws")
			if got.Ok || !strings.HasSuffix(got.Why(), "(securityhub:DescribeHub)") {
				t.Errorf("got %+v", got)
			}
		})
	}
	t.Run("enabled with standards over pages", func(t *testing.T) {
		f := &fakeSH{hub: &awssh.DescribeHubOutput{HubArn: sdk.String(hubARN)}, stdPages: [][]shtypes.StandardsSubscription{
			{std("arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/5.0.0", shtypes.StandardsStatusReady),
				std("arn:aws:securityhub:eu-west-1::standards/pci-dss/v/4.0.1", shtypes.StandardsStatusFailed)},
			{std("arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0", shtypes.StandardsStatusIncomplete),
				std("arn:aws:securityhub:eu-west-1::standards/nist-800-53/v/5.0.0", shtypes.StandardsStatusPending),
				std("arn:aws:securityhub:eu-west-1::standards/x", shtypes.StandardsStatusDeleting), {}},
		}}
		got := ReadSecurityHub(context.Background(), newEnv(), f, "eu-west-1", "arn:aws")
		want := []string{"arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0",
			"arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/5.0.0"}
		if !got.Ok || got.V.HubARN != hubARN || !got.V.Standards.Ok || !slices.Equal(got.V.Standards.V, want) {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("standards unreadable keeps the hub", func(t *testing.T) {
		got := ReadSecurityHub(context.Background(), newEnv(), &fakeSH{hub: &awssh.DescribeHubOutput{}, stdErr: denied}, "eu-west-1", "arn:aws")
		if !got.Ok || got.V.HubARN != hubARN || got.V.Standards.Ok || got.V.Standards.Why() != "access denied (securityhub:GetEnabledStandards)" {
			t.Errorf("got %+v", got)
		}
	})
}

// ---- Macie ----

type fakeMacie struct {
	out *awsmacie.GetMacieSessionOutput
	err error
}

func (f fakeMacie) GetMacieSession(context.Context, *awsmacie.GetMacieSessionInput, ...func(*awsmacie.Options)) (*awsmacie.GetMacieSessionOutput, error) {
	return f.out, f.err
}

func TestIsMacieNotEnabled(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{apiErr("AccessDeniedException", "Macie is not enabled."), true},
		{apiErr("AccessDeniedException", "Macie is not enabled"), true},
		{apiErr("ResourceNotFoundException", "The request failed because the specified resource doesn't exist."), true},
		{denied, false},
		{apiErr("AccessDeniedException", ""), false},
		{apiErr("UnrecognizedClientException", "Macie is not enabled."), false},
		{errors.New("Macie is not enabled."), false},
		{fmt.Errorf("wrapped: %w", apiErr("AccessDeniedException", "Macie is not enabled.")), true},
	}
	for _, tt := range tests {
		if got := IsMacieNotEnabled(tt.err); got != tt.want {
			t.Errorf("IsMacieNotEnabled(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestReadMacie(t *testing.T) {
	ctx := context.Background()
	if got := ReadMacie(ctx, newEnv(), fakeMacie{out: &awsmacie.GetMacieSessionOutput{Status: macietypes.MacieStatusPaused}}, "r"); !got.Ok || got.V.Status != "PAUSED" {
		t.Errorf("paused = %+v", got)
	}
	if got := ReadMacie(ctx, newEnv(), fakeMacie{err: apiErr("AccessDeniedException", "Macie is not enabled.")}, "r"); !got.Ok || got.V.Status != "" {
		t.Errorf("not enabled = %+v", got)
	}
	if got := ReadMacie(ctx, newEnv(), fakeMacie{err: denied}, "r"); got.Ok || got.Why() != "access denied (macie2:GetMacieSession)" {
		t.Errorf("denied = %+v", got)
	}
	if got := ReadMacie(ctx, newEnv(), fakeMacie{out: &awsmacie.GetMacieSessionOutput{}}, "r"); got.Ok {
		t.Errorf("no status = %+v, want unknown", got)
	}
	if got := ReadMacie(ctx, newEnv(), fakeMacie{}, "r"); got.Ok {
		t.Errorf("nil output = %+v, want unknown", got)
	}
}

// ---- Inspector ----

type fakeI2 struct {
	out *awsi2.BatchGetAccountStatusOutput
	err error
}

func (f fakeI2) BatchGetAccountStatus(_ context.Context, in *awsi2.BatchGetAccountStatusInput, _ ...func(*awsi2.Options)) (*awsi2.BatchGetAccountStatusOutput, error) {
	if !slices.Equal(in.AccountIds, []string{acct}) {
		return nil, fmt.Errorf("account IDs %v, want the caller's", in.AccountIds)
	}
	return f.out, f.err
}

func st(s i2types.Status) *i2types.State { return &i2types.State{Status: s} }

func TestReadInspector(t *testing.T) {
	ctx := context.Background()
	full := &awsi2.BatchGetAccountStatusOutput{Accounts: []i2types.AccountState{
		{AccountId: sdk.String("999988887777"), ResourceState: &i2types.ResourceState{Ec2: st("ENABLED")}},
		{AccountId: sdk.String(acct), State: st("ENABLED"), ResourceState: &i2types.ResourceState{
			Ec2: st("ENABLED"), Ecr: st("DISABLED"), Lambda: st("ENABLING"), LambdaCode: st("DISABLED")}},
	}}
	got := ReadInspector(ctx, newEnv(), fakeI2{out: full}, "r")
	if want := (secsvc.Inspector{EC2: "ENABLED", ECR: "DISABLED", Lambda: "ENABLING", LambdaCode: "DISABLED"}); !got.Ok || got.V != want {
		t.Errorf("got %+v", got)
	}
	got = ReadInspector(ctx, newEnv(), fakeI2{out: &awsi2.BatchGetAccountStatusOutput{Accounts: []i2types.AccountState{{AccountId: sdk.String(acct)}}}}, "r")
	if !got.Ok || got.V != (secsvc.Inspector{}) {
		t.Errorf("no resource state = %+v", got)
	}
	got = ReadInspector(ctx, newEnv(), fakeI2{out: &awsi2.BatchGetAccountStatusOutput{}}, "r")
	if !got.Ok || got.V != (secsvc.Inspector{}) {
		t.Errorf("account not listed = %+v, want known nothing enabled", got)
	}
	got = ReadInspector(ctx, newEnv(), fakeI2{out: &awsi2.BatchGetAccountStatusOutput{FailedAccounts: []i2types.FailedAccount{
		{AccountId: sdk.String(acct), ErrorCode: i2types.ErrorCodeAccessDenied, ErrorMessage: sdk.String("denied")}}}}, "r")
	if got.Ok || got.Why() != "access denied (inspector2:BatchGetAccountStatus)" {
		t.Errorf("failed account access denied = %+v", got)
	}
	got = ReadInspector(ctx, newEnv(), fakeI2{out: &awsi2.BatchGetAccountStatusOutput{FailedAccounts: []i2types.FailedAccount{
		{AccountId: sdk.String(acct), ErrorCode: i2types.ErrorCodeInternalError}}}}, "r")
	if got.Ok || got.Why() != "service error (inspector2:BatchGetAccountStatus)" {
		t.Errorf("failed account internal = %+v", got)
	}
	if got = ReadInspector(ctx, newEnv(), fakeI2{err: denied}, "r"); got.Ok {
		t.Errorf("denied = %+v", got)
	}
	if got = ReadInspector(ctx, newEnv(), fakeI2{}, "r"); got.Ok {
		t.Errorf("nil output = %+v", got)
	}
}

// ---- Config ----

type fakeCfg struct {
	recs  *awscfg.DescribeConfigurationRecordersOutput
	sts   *awscfg.DescribeConfigurationRecorderStatusOutput
	chs   *awscfg.DescribeDeliveryChannelsOutput
	fail  string
	calls []string
}

func (f *fakeCfg) err(op string) error {
	f.calls = append(f.calls, op)
	if f.fail == op {
		return denied
	}
	return nil
}

func (f *fakeCfg) DescribeConfigurationRecorders(context.Context, *awscfg.DescribeConfigurationRecordersInput, ...func(*awscfg.Options)) (*awscfg.DescribeConfigurationRecordersOutput, error) {
	return f.recs, f.err("DescribeConfigurationRecorders")
}
func (f *fakeCfg) DescribeConfigurationRecorderStatus(context.Context, *awscfg.DescribeConfigurationRecorderStatusInput, ...func(*awscfg.Options)) (*awscfg.DescribeConfigurationRecorderStatusOutput, error) {
	return f.sts, f.err("DescribeConfigurationRecorderStatus")
}
func (f *fakeCfg) DescribeDeliveryChannels(context.Context, *awscfg.DescribeDeliveryChannelsInput, ...func(*awscfg.Options)) (*awscfg.DescribeDeliveryChannelsOutput, error) {
	return f.chs, f.err("DescribeDeliveryChannels")
}

func TestReadConfig(t *testing.T) {
	ctx := context.Background()
	f := &fakeCfg{
		recs: &awscfg.DescribeConfigurationRecordersOutput{ConfigurationRecorders: []cfgtypes.ConfigurationRecorder{
			{Name: sdk.String("z-no-status"), RecordingGroup: &cfgtypes.RecordingGroup{AllSupported: true}},
			{Name: sdk.String("default"), RecordingGroup: &cfgtypes.RecordingGroup{AllSupported: true, IncludeGlobalResourceTypes: true}},
			{},
		}},
		sts: &awscfg.DescribeConfigurationRecorderStatusOutput{ConfigurationRecordersStatus: []cfgtypes.ConfigurationRecorderStatus{
			{Name: sdk.String("default"), Recording: true, LastStatus: cfgtypes.RecorderStatusSuccess}}},
		chs: &awscfg.DescribeDeliveryChannelsOutput{DeliveryChannels: []cfgtypes.DeliveryChannel{{}}},
	}
	got := ReadConfig(ctx, newEnv(), f, "r")
	want := secsvc.Config{DeliveryChannels: 1, Recorders: []secsvc.Recorder{
		{Name: ""},
		{Name: "default", AllSupported: true, IncludeGlobalResourceTypes: true, Recording: true, LastStatus: "SUCCESS"},
		{Name: "z-no-status", AllSupported: true},
	}}
	if !got.Ok || fmt.Sprint(got.V) != fmt.Sprint(want) {
		t.Errorf("got  %+v\nwant %+v", got.V, want)
	}
	empty := ReadConfig(ctx, newEnv(), &fakeCfg{}, "r")
	if !empty.Ok || len(empty.V.Recorders) != 0 || empty.V.DeliveryChannels != 0 {
		t.Errorf("nothing set up = %+v", empty)
	}
	for _, op := range []string{"DescribeConfigurationRecorders", "DescribeConfigurationRecorderStatus", "DescribeDeliveryChannels"} {
		got := ReadConfig(ctx, newEnv(), &fakeCfg{fail: op}, "r")
		if got.Ok || got.Why() != "access denied (config:"+op+")" {
			t.Errorf("%s denied = %+v", op, got)
		}
	}
}

// ---- Access Analyzer ----

type fakeAA struct {
	pages [][]aatypes.AnalyzerSummary
	err   error
}

func (f fakeAA) ListAnalyzers(_ context.Context, in *awsaa.ListAnalyzersInput, _ ...func(*awsaa.Options)) (*awsaa.ListAnalyzersOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	if in.Type != "" {
		return nil, errors.New("every analyzer type must be listed")
	}
	i := tokenIndex(in.NextToken)
	if i >= len(f.pages) {
		return &awsaa.ListAnalyzersOutput{}, nil
	}
	return &awsaa.ListAnalyzersOutput{Analyzers: f.pages[i], NextToken: nextToken(i, len(f.pages))}, nil
}

func TestReadAccessAnalyzer(t *testing.T) {
	ctx := context.Background()
	f := fakeAA{pages: [][]aatypes.AnalyzerSummary{
		{{Arn: sdk.String("arn:aws:access-analyzer:r:111122223333:analyzer/b"), Name: sdk.String("b"), Type: aatypes.TypeAccountUnusedAccess, Status: aatypes.AnalyzerStatusActive}},
		{{Arn: sdk.String("arn:aws:access-analyzer:r:111122223333:analyzer/a"), Name: sdk.String("a"), Type: aatypes.TypeAccount, Status: aatypes.AnalyzerStatusActive}, {}},
	}}
	got := ReadAccessAnalyzer(ctx, newEnv(), f, "r")
	if !got.Ok || len(got.V) != 3 || got.V[1].Name != "a" || got.V[1].Type != "ACCOUNT" || got.V[2].Type != "ACCOUNT_UNUSED_ACCESS" {
		t.Errorf("got %+v", got)
	}
	if none := ReadAccessAnalyzer(ctx, newEnv(), fakeAA{}, "r"); !none.Ok || len(none.V) != 0 {
		t.Errorf("none = %+v", none)
	}
	if d := ReadAccessAnalyzer(ctx, newEnv(), fakeAA{err: denied}, "r"); d.Ok || d.Why() != "access denied (access-analyzer:ListAnalyzers)" {
		t.Errorf("denied = %+v", d)
	}
}

// responseErr builds the error the SDK returns for an HTTP answer.
func responseErr(status int, inner error) error {
	return &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: inner}
}

func TestNotImplemented(t *testing.T) {
	undecodable := &smithy.DeserializationError{Err: errors.New("invalid character '<'")}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"bare 500 (moto without the service)", responseErr(500, undecodable), core.ReasonNotSupported},
		{"bare 404", responseErr(404, undecodable), core.ReasonNotSupported},
		{"coded 500 is a service error", responseErr(500, apiErr("InternalFailure", "x")), core.ReasonServiceError},
		{"bare 403 stays access denied", responseErr(403, undecodable), core.ReasonAccessDenied},
		{"coded denial", denied, core.ReasonAccessDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := aws.Classify(kit.NotImplemented(tt.err)); got != tt.want {
				t.Errorf("Classify(kit.NotImplemented(%v)) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

// ---- collectors ----

func TestCollectorsIdentity(t *testing.T) {
	cs := Collectors()
	aws.CheckUnique(cs)
	var names []string
	for _, c := range cs {
		if !c.Regional() {
			t.Errorf("%s must be regional", c.Name())
		}
		names = append(names, c.Name())
	}
	if want := []string{"guardduty", "securityhub", "inspector2", "macie2", "config", "accessanalyzer"}; !slices.Equal(names, want) {
		t.Errorf("names = %v", names)
	}
	snap := model.New(acct, "aws", []string{"eu-west-1"})
	for _, c := range cs {
		if err := c.Collect(context.Background(), newEnv(), "eu-west-1", snap); err == nil || !strings.Contains(err.Error(), "not allocated") {
			t.Errorf("%s on an unallocated region: err = %v", c.Name(), err)
		}
	}
}
