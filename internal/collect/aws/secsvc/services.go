package secsvc

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsaa "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	awscfg "github.com/aws/aws-sdk-go-v2/service/configservice"
	awsgd "github.com/aws/aws-sdk-go-v2/service/guardduty"
	awsi2 "github.com/aws/aws-sdk-go-v2/service/inspector2"
	i2types "github.com/aws/aws-sdk-go-v2/service/inspector2/types"
	awsmacie "github.com/aws/aws-sdk-go-v2/service/macie2"
	awssh "github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/smithy-go"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/secsvc"
)

// errUnknown is returned by the readers after they stored an unknown value,
// so Collect reports the service as unreadable in that region.
type errUnknown string

func (e errUnknown) Error() string { return string(e) }

// ---- GuardDuty -------------------------------------------------------------

// GuardDutyAPI is the part of the GuardDuty client used.
type GuardDutyAPI interface {
	awsgd.ListDetectorsAPIClient
	GetDetector(context.Context, *awsgd.GetDetectorInput, ...func(*awsgd.Options)) (*awsgd.GetDetectorOutput, error)
}

// NewGuardDuty returns the GuardDuty enablement collector (regional).
func NewGuardDuty() aws.Collector {
	return regional{name: "guardduty", read: func(ctx context.Context, env *aws.Env, region, _ string, r *secsvc.Region) error {
		r.GuardDuty = ReadGuardDuty(ctx, env, awsgd.NewFromConfig(env.Config(region)), region)
		return valErr(r.GuardDuty)
	}}
}

// ReadGuardDuty lists the region's detector (at most one exists per region)
// and reads its status and protection plans. No detector is a known "not
// enabled".
func ReadGuardDuty(ctx context.Context, env *aws.Env, c GuardDutyAPI, region string) core.Val[secsvc.GuardDuty] {
	var ids []string
	p := awsgd.NewListDetectorsPaginator(c, &awsgd.ListDetectorsInput{})
	for n := 0; p.HasMorePages(); n++ {
		if n >= maxPages {
			return core.Unknown[secsvc.GuardDuty](env.Unknown("guardduty", region, "ListDetectors", "", errors.New("too many pages")))
		}
		out, err := p.NextPage(ctx)
		if err != nil {
			return core.Unknown[secsvc.GuardDuty](env.Unknown("guardduty", region, "ListDetectors", "", err))
		}
		ids = append(ids, out.DetectorIds...)
	}
	if len(ids) == 0 {
		return core.Known(secsvc.GuardDuty{})
	}
	sort.Strings(ids)
	// Should several detectors ever be listed, an enabled one decides.
	var first core.Val[secsvc.GuardDuty]
	for i, id := range ids {
		out, err := c.GetDetector(ctx, &awsgd.GetDetectorInput{DetectorId: sdk.String(id)})
		var v core.Val[secsvc.GuardDuty]
		switch {
		case err != nil:
			v = core.Unknown[secsvc.GuardDuty](env.Unknown("guardduty", region, "GetDetector", id, err))
		case out == nil || out.Status == "":
			v = core.Unknown[secsvc.GuardDuty]("not reported (guardduty:GetDetector)")
		default:
			v = core.Known(guardDutyState(id, out))
		}
		if v.Ok && v.V.Enabled() {
			return v
		}
		if i == 0 {
			first = v
		}
	}
	return first
}

// guardDutyState converts a GetDetector answer: the status, the protection
// plans (features) and the legacy S3 data source.
func guardDutyState(id string, out *awsgd.GetDetectorOutput) secsvc.GuardDuty {
	g := secsvc.GuardDuty{DetectorID: id, Status: string(out.Status)}
	for _, f := range out.Features {
		if f.Name == "" {
			continue
		}
		g.Features = append(g.Features, secsvc.GuardDutyFeature{Name: string(f.Name), Status: string(f.Status)})
	}
	sort.Slice(g.Features, func(i, j int) bool { return g.Features[i].Name < g.Features[j].Name })
	if ds := out.DataSources; ds != nil && ds.S3Logs != nil {
		g.S3Logs = string(ds.S3Logs.Status)
	}
	return g
}

// ---- Security Hub ----------------------------------------------------------

// SecurityHubAPI is the part of the Security Hub client used.
type SecurityHubAPI interface {
	DescribeHub(context.Context, *awssh.DescribeHubInput, ...func(*awssh.Options)) (*awssh.DescribeHubOutput, error)
	awssh.GetEnabledStandardsAPIClient
}

// NewSecurityHub returns the Security Hub enablement collector (regional).
func NewSecurityHub() aws.Collector {
	return regional{name: "securityhub", read: func(ctx context.Context, env *aws.Env, region, arnPrefix string, r *secsvc.Region) error {
		r.SecurityHub = ReadSecurityHub(ctx, env, awssh.NewFromConfig(env.Config(region)), region, arnPrefix)
		return valErr(r.SecurityHub)
	}}
}

// IsSecurityHubNotEnabled reports whether err is Security Hub's answer for
// an account that has not enabled it: InvalidAccessException with "not
// subscribed" (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_DescribeHub.html,
// real message: "Account 123456789012 is not subscribed to AWS Security
// Hub"). InvalidAccessException is also used for other account problems
// (e.g. "is not an administrator for this organization"), which stay unknown.
func IsSecurityHubNotEnabled(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidAccessException" {
		return false
	}
	return strings.Contains(strings.ToLower(ae.ErrorMessage()), "not subscribed")
}

// enabledStandard reports whether a subscription counts as an enabled
// standard: READY, or INCOMPLETE (enabled, some controls failed to turn on).
// PENDING, FAILED and DELETING do not.
func enabledStandard(s shtypes.StandardsStatus) bool {
	return s == shtypes.StandardsStatusReady || s == shtypes.StandardsStatusIncomplete
}

// ReadSecurityHub reads whether Security Hub is enabled, and its standards.
func ReadSecurityHub(ctx context.Context, env *aws.Env, c SecurityHubAPI, region, arnPrefix string) core.Val[secsvc.SecurityHub] {
	hub, err := c.DescribeHub(ctx, &awssh.DescribeHubInput{})
	if err != nil {
		if IsSecurityHubNotEnabled(err) {
			return core.Known(secsvc.SecurityHub{Standards: core.Known([]string{})})
		}
		return core.Unknown[secsvc.SecurityHub](env.Unknown("securityhub", region, "DescribeHub", "", err))
	}
	out := secsvc.SecurityHub{}
	if hub != nil {
		out.HubARN = sdk.ToString(hub.HubArn)
	}
	if out.HubARN == "" {
		// DescribeHub answered, so the hub exists; keep "enabled" even if
		// the ARN was left out. Every account has the one hub "default".
		out.HubARN = arnPrefix + ":securityhub:" + region + ":" + env.AccountID + ":hub/default"
	}
	stds, err := enabledStandards(ctx, c)
	if err != nil {
		out.Standards = core.Unknown[[]string](env.Unknown("securityhub", region, "GetEnabledStandards", "", kit.NotImplemented(err)))
		return core.Known(out)
	}
	sort.Strings(stds)
	if stds == nil {
		stds = []string{}
	}
	out.Standards = core.Known(stds)
	return core.Known(out)
}

// enabledStandards lists the ARNs of the enabled standards.
func enabledStandards(ctx context.Context, c SecurityHubAPI) ([]string, error) {
	var stds []string
	p := awssh.NewGetEnabledStandardsPaginator(c, &awssh.GetEnabledStandardsInput{})
	for n := 0; p.HasMorePages(); n++ {
		if n >= maxPages {
			return nil, errors.New("too many pages")
		}
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range page.StandardsSubscriptions {
			if a := sdk.ToString(s.StandardsArn); a != "" && enabledStandard(s.StandardsStatus) {
				stds = append(stds, a)
			}
		}
	}
	return stds, nil
}

// ---- Inspector -------------------------------------------------------------

// InspectorAPI is the part of the Inspector2 client used.
type InspectorAPI interface {
	BatchGetAccountStatus(context.Context, *awsi2.BatchGetAccountStatusInput, ...func(*awsi2.Options)) (*awsi2.BatchGetAccountStatusOutput, error)
}

// NewInspector returns the Inspector (v2) enablement collector (regional).
func NewInspector() aws.Collector {
	return regional{name: "inspector2", read: func(ctx context.Context, env *aws.Env, region, _ string, r *secsvc.Region) error {
		r.Inspector = ReadInspector(ctx, env, awsi2.NewFromConfig(env.Config(region)), region)
		return valErr(r.Inspector)
	}}
}

func stateStatus(s *i2types.State) string {
	if s == nil {
		return ""
	}
	return string(s.Status)
}

// ReadInspector reads the account's Inspector scan status. The account is
// named explicitly (the API takes the caller's account when none is given,
// moto requires it). A per-account failure in failedAccounts is unknown.
// An answer that lists the account nowhere is read as "nothing enabled":
// AWS lists every requested account in one of the two lists, and moto
// answers a never-enabled account that way.
func ReadInspector(ctx context.Context, env *aws.Env, c InspectorAPI, region string) core.Val[secsvc.Inspector] {
	out, err := c.BatchGetAccountStatus(ctx, &awsi2.BatchGetAccountStatusInput{AccountIds: []string{env.AccountID}})
	if err != nil {
		return core.Unknown[secsvc.Inspector](env.Unknown("inspector2", region, "BatchGetAccountStatus", "", err))
	}
	if out == nil {
		return core.Unknown[secsvc.Inspector]("not reported (inspector2:BatchGetAccountStatus)")
	}
	for _, a := range out.Accounts {
		if id := sdk.ToString(a.AccountId); id != "" && id != env.AccountID {
			continue
		}
		var v secsvc.Inspector
		if rs := a.ResourceState; rs != nil {
			v = secsvc.Inspector{EC2: stateStatus(rs.Ec2), ECR: stateStatus(rs.Ecr), Lambda: stateStatus(rs.Lambda),
				LambdaCode: stateStatus(rs.LambdaCode)}
		}
		return core.Known(v)
	}
	for _, f := range out.FailedAccounts {
		if id := sdk.ToString(f.AccountId); id != "" && id != env.AccountID {
			continue
		}
		// Classify the per-account error like an API error so access
		// denied reads "access denied".
		code := string(f.ErrorCode)
		if f.ErrorCode == i2types.ErrorCodeAccessDenied {
			code = "AccessDeniedException"
		}
		return core.Unknown[secsvc.Inspector](env.Unknown("inspector2", region, "BatchGetAccountStatus", env.AccountID,
			&smithy.GenericAPIError{Code: code, Message: fmt.Sprintf("failed account %s: %s", f.ErrorCode, sdk.ToString(f.ErrorMessage))}))
	}
	return core.Known(secsvc.Inspector{})
}

// ---- Macie -----------------------------------------------------------------

// MacieAPI is the part of the Macie2 client used.
type MacieAPI interface {
	GetMacieSession(context.Context, *awsmacie.GetMacieSessionInput, ...func(*awsmacie.Options)) (*awsmacie.GetMacieSessionOutput, error)
}

// NewMacie returns the Macie enablement collector (regional).
func NewMacie() aws.Collector {
	return regional{name: "macie2", read: func(ctx context.Context, env *aws.Env, region, _ string, r *secsvc.Region) error {
		r.Macie = ReadMacie(ctx, env, awsmacie.NewFromConfig(env.Config(region)), region)
		return valErr(r.Macie)
	}}
}

// IsMacieNotEnabled reports whether err is Macie's answer for an account
// without a Macie session. AWS answers AccessDeniedException with the
// message "Macie is not enabled." — the code alone cannot be trusted, a real
// IAM denial shares it. moto answers ResourceNotFoundException (there is no
// session resource), which means the same and cannot be a permission
// problem.
func IsMacieNotEnabled(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "AccessDeniedException":
		return strings.Contains(strings.ToLower(ae.ErrorMessage()), "macie is not enabled")
	case "ResourceNotFoundException":
		return true
	}
	return false
}

// ReadMacie reads the Macie session status (ENABLED | PAUSED; "" = none).
func ReadMacie(ctx context.Context, env *aws.Env, c MacieAPI, region string) core.Val[secsvc.Macie] {
	out, err := c.GetMacieSession(ctx, &awsmacie.GetMacieSessionInput{})
	if err != nil {
		if IsMacieNotEnabled(err) {
			return core.Known(secsvc.Macie{})
		}
		return core.Unknown[secsvc.Macie](env.Unknown("macie2", region, "GetMacieSession", "", err))
	}
	if out == nil || out.Status == "" {
		return core.Unknown[secsvc.Macie]("not reported (macie2:GetMacieSession)")
	}
	return core.Known(secsvc.Macie{Status: string(out.Status)})
}

// ---- AWS Config ------------------------------------------------------------

// ConfigAPI is the part of the AWS Config client used.
type ConfigAPI interface {
	DescribeConfigurationRecorders(context.Context, *awscfg.DescribeConfigurationRecordersInput, ...func(*awscfg.Options)) (*awscfg.DescribeConfigurationRecordersOutput, error)
	DescribeConfigurationRecorderStatus(context.Context, *awscfg.DescribeConfigurationRecorderStatusInput, ...func(*awscfg.Options)) (*awscfg.DescribeConfigurationRecorderStatusOutput, error)
	DescribeDeliveryChannels(context.Context, *awscfg.DescribeDeliveryChannelsInput, ...func(*awscfg.Options)) (*awscfg.DescribeDeliveryChannelsOutput, error)
}

// NewConfig returns the AWS Config recorder collector (regional).
func NewConfig() aws.Collector {
	return regional{name: "config", read: func(ctx context.Context, env *aws.Env, region, _ string, r *secsvc.Region) error {
		r.Config = ReadConfig(ctx, env, awscfg.NewFromConfig(env.Config(region)), region)
		return valErr(r.Config)
	}}
}

// ReadConfig reads the recorders, their status and the delivery channels.
// The three answers make one value: if any is missing the whole value is
// unknown, because "recording" without its status or channel could be
// mistaken for a working setup or a broken one.
func ReadConfig(ctx context.Context, env *aws.Env, c ConfigAPI, region string) core.Val[secsvc.Config] {
	recs, err := c.DescribeConfigurationRecorders(ctx, &awscfg.DescribeConfigurationRecordersInput{})
	if err != nil {
		return core.Unknown[secsvc.Config](env.Unknown("config", region, "DescribeConfigurationRecorders", "", err))
	}
	sts, err := c.DescribeConfigurationRecorderStatus(ctx, &awscfg.DescribeConfigurationRecorderStatusInput{})
	if err != nil {
		return core.Unknown[secsvc.Config](env.Unknown("config", region, "DescribeConfigurationRecorderStatus", "", err))
	}
	chs, err := c.DescribeDeliveryChannels(ctx, &awscfg.DescribeDeliveryChannelsInput{})
	if err != nil {
		return core.Unknown[secsvc.Config](env.Unknown("config", region, "DescribeDeliveryChannels", "", err))
	}
	out := secsvc.Config{Recorders: []secsvc.Recorder{}}
	if chs != nil {
		out.DeliveryChannels = len(chs.DeliveryChannels)
	}
	type status struct {
		recording bool
		last      string
	}
	byName := map[string]status{}
	if sts != nil {
		for _, s := range sts.ConfigurationRecordersStatus {
			// The API says "Success"/"Failure"/"Pending"; the model speaks
			// upper case like the other services.
			byName[sdk.ToString(s.Name)] = status{recording: s.Recording, last: strings.ToUpper(string(s.LastStatus))}
		}
	}
	if recs != nil {
		for _, rc := range recs.ConfigurationRecorders {
			name := sdk.ToString(rc.Name)
			// A recorder without a status entry is not known to record:
			// Recording stays false, which can only fail a check.
			st := byName[name]
			r := secsvc.Recorder{Name: name, Recording: st.recording, LastStatus: st.last}
			if g := rc.RecordingGroup; g != nil {
				r.AllSupported = g.AllSupported
				r.IncludeGlobalResourceTypes = g.IncludeGlobalResourceTypes
			}
			out.Recorders = append(out.Recorders, r)
		}
	}
	sort.Slice(out.Recorders, func(i, j int) bool { return out.Recorders[i].Name < out.Recorders[j].Name })
	return core.Known(out)
}

// ---- IAM Access Analyzer ---------------------------------------------------

// AccessAnalyzerAPI is the part of the Access Analyzer client used.
type AccessAnalyzerAPI interface {
	awsaa.ListAnalyzersAPIClient
}

// NewAccessAnalyzer returns the IAM Access Analyzer collector (regional).
func NewAccessAnalyzer() aws.Collector {
	return regional{name: "accessanalyzer", read: func(ctx context.Context, env *aws.Env, region, _ string, r *secsvc.Region) error {
		r.AccessAnalyzer = ReadAccessAnalyzer(ctx, env, awsaa.NewFromConfig(env.Config(region)), region)
		return valErr(r.AccessAnalyzer)
	}}
}

// ReadAccessAnalyzer lists every analyzer of the region (all types).
func ReadAccessAnalyzer(ctx context.Context, env *aws.Env, c AccessAnalyzerAPI, region string) core.Val[[]secsvc.Analyzer] {
	out := []secsvc.Analyzer{}
	p := awsaa.NewListAnalyzersPaginator(c, &awsaa.ListAnalyzersInput{})
	for n := 0; p.HasMorePages(); n++ {
		var err error
		var page *awsaa.ListAnalyzersOutput
		if n >= maxPages {
			err = errors.New("too many pages")
		} else {
			page, err = p.NextPage(ctx)
		}
		if err != nil {
			return core.Unknown[[]secsvc.Analyzer](env.Unknown("access-analyzer", region, "ListAnalyzers", "", kit.NotImplemented(err)))
		}
		for _, a := range page.Analyzers {
			out = append(out, secsvc.Analyzer{ARN: sdk.ToString(a.Arn), Name: sdk.ToString(a.Name),
				Type: string(a.Type), Status: string(a.Status)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return core.Known(out)
}

// valErr turns an unknown value into the collector's error.
func valErr[T any](v core.Val[T]) error {
	if v.Ok {
		return nil
	}
	return errUnknown(v.Why())
}
