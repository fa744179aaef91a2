// Package logs collects, in every region, CloudWatch Logs log groups and
// metric filters and CloudWatch metric alarms: the material of CIS AWS
// Foundations section 4 ("ensure a log metric filter and alarm exist for …")
// and of log retention/encryption rules.
package logs

import (
	"context"
	"sort"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	logsm "github.com/demarc-sec/demarc/internal/model/logs"
)

// Service prefixes as IAM names them, used in reasons.
const (
	logsService = "logs"
	cwService   = "cloudwatch"
)

// LogsAPI is the part of the CloudWatch Logs client the collector uses.
type LogsAPI interface {
	cloudwatchlogs.DescribeLogGroupsAPIClient
	cloudwatchlogs.DescribeMetricFiltersAPIClient
}

// AlarmsAPI is the part of the CloudWatch client the collector uses.
type AlarmsAPI interface {
	cloudwatch.DescribeAlarmsAPIClient
}

type collector struct{}

// New returns the CloudWatch Logs/alarms collector. It is global to the
// runner and reads every region of the snapshot itself, writing only
// snap.Logs.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return logsService }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	prefix := snap.ARNPrefix()
	regions, err := kit.PerRegion(ctx, env, logsService, snap.Regions, kit.RegionConcurrency,
		func(ctx context.Context, region string) (logsm.Region, error) {
			cfg := env.Config(region)
			return CollectRegion(ctx, env, cloudwatchlogs.NewFromConfig(cfg), AlarmsClient(cfg), prefix, region)
		})
	snap.Logs = regions
	return err
}

// AlarmsClient returns a CloudWatch client speaking the awsQuery protocol.
// Recent SDKs default to RPCv2 CBOR; CloudWatch still serves awsQuery, its
// protocol since 2010, and so do emulators (moto answers CBOR with 404).
// Using one protocol everywhere keeps the tested path the production path.
func AlarmsClient(cfg sdk.Config) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) {
		o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
	})
}

// CollectRegion reads one region. Each list fails on its own; the error is
// non-nil only when all three failed.
func CollectRegion(ctx context.Context, env *aws.Env, lc LogsAPI, ac AlarmsAPI, arnPrefix, region string) (logsm.Region, error) {
	r := logsm.Region{Name: region}
	var firstErr error
	failed := 0
	fail := func(err error) {
		failed++
		if firstErr == nil {
			firstErr = err
		}
	}

	gp := cloudwatchlogs.NewDescribeLogGroupsPaginator(lc, &cloudwatchlogs.DescribeLogGroupsInput{})
	groups, err := kit.All(ctx, gp.HasMorePages, gp.NextPage, func(o *cloudwatchlogs.DescribeLogGroupsOutput) []cwltypes.LogGroup { return o.LogGroups })
	if err != nil {
		fail(err)
		r.LogGroups = core.Unknown[[]logsm.LogGroup](env.Unknown(logsService, region, "DescribeLogGroups", "", err))
	} else {
		out := make([]logsm.LogGroup, 0, len(groups))
		for _, g := range groups {
			out = append(out, convLogGroup(arnPrefix, env.AccountID, region, g))
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		r.LogGroups = core.Known(out)
	}

	fp := cloudwatchlogs.NewDescribeMetricFiltersPaginator(lc, &cloudwatchlogs.DescribeMetricFiltersInput{})
	filters, err := kit.All(ctx, fp.HasMorePages, fp.NextPage, func(o *cloudwatchlogs.DescribeMetricFiltersOutput) []cwltypes.MetricFilter {
		return o.MetricFilters
	})
	if err != nil {
		fail(err)
		r.MetricFilters = core.Unknown[[]logsm.MetricFilter](env.Unknown(logsService, region, "DescribeMetricFilters", "", err))
	} else {
		out := make([]logsm.MetricFilter, 0, len(filters))
		for _, f := range filters {
			out = append(out, convMetricFilter(f))
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].LogGroupName != out[j].LogGroupName {
				return out[i].LogGroupName < out[j].LogGroupName
			}
			return out[i].Name < out[j].Name
		})
		r.MetricFilters = core.Known(out)
	}

	// AlarmTypes defaults to MetricAlarm: composite alarms are not listed.
	ap := cloudwatch.NewDescribeAlarmsPaginator(ac, &cloudwatch.DescribeAlarmsInput{})
	alarms, err := kit.All(ctx, ap.HasMorePages, ap.NextPage, func(o *cloudwatch.DescribeAlarmsOutput) []cwtypes.MetricAlarm { return o.MetricAlarms })
	if err != nil {
		fail(err)
		r.Alarms = core.Unknown[[]logsm.Alarm](env.Unknown(cwService, region, "DescribeAlarms", "", err))
	} else {
		out := make([]logsm.Alarm, 0, len(alarms))
		for _, a := range alarms {
			out = append(out, convAlarm(arnPrefix, env.AccountID, region, a))
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		r.Alarms = core.Known(out)
	}
	if failed == 3 {
		return r, firstErr
	}
	return r, nil
}

func convLogGroup(arnPrefix, account, region string, g cwltypes.LogGroup) logsm.LogGroup {
	name := sdk.ToString(g.LogGroupName)
	arn := sdk.ToString(g.LogGroupArn)
	if arn == "" {
		// Arn is the older form with a trailing ":*".
		arn = strings.TrimSuffix(sdk.ToString(g.Arn), ":*")
	}
	if arn == "" {
		arn = arnPrefix + ":logs:" + region + ":" + account + ":log-group:" + name
	}
	out := logsm.LogGroup{
		Meta:          core.Meta{ARN: arn, Account: account, Region: region},
		Name:          name,
		RetentionDays: int(sdk.ToInt32(g.RetentionInDays)),
		KMSKeyID:      sdk.ToString(g.KmsKeyId),
		Class:         string(g.LogGroupClass),
	}
	if g.CreationTime != nil {
		t := time.UnixMilli(*g.CreationTime).UTC()
		out.CreationTime = &t
	}
	return out
}

func convMetricFilter(f cwltypes.MetricFilter) logsm.MetricFilter {
	out := logsm.MetricFilter{
		Name:            sdk.ToString(f.FilterName),
		LogGroupName:    sdk.ToString(f.LogGroupName),
		Pattern:         sdk.ToString(f.FilterPattern),
		Transformations: []logsm.MetricTransformation{},
	}
	for _, t := range f.MetricTransformations {
		out.Transformations = append(out.Transformations, logsm.MetricTransformation{
			MetricName:      sdk.ToString(t.MetricName),
			MetricNamespace: sdk.ToString(t.MetricNamespace),
			MetricValue:     sdk.ToString(t.MetricValue),
		})
	}
	return out
}

func convAlarm(arnPrefix, account, region string, a cwtypes.MetricAlarm) logsm.Alarm {
	name := sdk.ToString(a.AlarmName)
	arn := sdk.ToString(a.AlarmArn)
	if arn == "" {
		arn = arnPrefix + ":cloudwatch:" + region + ":" + account + ":alarm:" + name
	}
	out := logsm.Alarm{
		Meta:                    core.Meta{ARN: arn, Account: account, Region: region},
		Name:                    name,
		MetricName:              sdk.ToString(a.MetricName),
		Namespace:               sdk.ToString(a.Namespace),
		Statistic:               string(a.Statistic),
		ComparisonOperator:      string(a.ComparisonOperator),
		Threshold:               a.Threshold,
		EvaluationPeriods:       int(sdk.ToInt32(a.EvaluationPeriods)),
		PeriodSeconds:           int(sdk.ToInt32(a.Period)),
		ActionsEnabled:          sdk.ToBool(a.ActionsEnabled),
		AlarmActions:            sortedCopy(a.AlarmActions),
		OKActions:               sortedCopy(a.OKActions),
		InsufficientDataActions: sortedCopy(a.InsufficientDataActions),
		State:                   string(a.StateValue),
	}
	if out.Statistic == "" {
		out.Statistic = sdk.ToString(a.ExtendedStatistic)
	}
	for _, q := range a.Metrics {
		if q.MetricStat == nil || q.MetricStat.Metric == nil {
			continue // an expression, not a metric
		}
		out.Metrics = append(out.Metrics, logsm.MetricRef{
			ID:         sdk.ToString(q.Id),
			MetricName: sdk.ToString(q.MetricStat.Metric.MetricName),
			Namespace:  sdk.ToString(q.MetricStat.Metric.Namespace),
		})
	}
	return out
}

func sortedCopy(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	out := append([]string(nil), ss...)
	sort.Strings(out)
	return out
}
