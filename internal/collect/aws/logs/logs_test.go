package logs

import (
	"context"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
)

// The CIS 4.1 pattern for unauthorized API calls.
const unauthorizedPattern = `{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }`

func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	cfg := m.Config("eu-west-3")
	lc := cloudwatchlogs.NewFromConfig(cfg)
	kittest.Must(lc.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: sdk.String("trail")}))
	kittest.Must(lc.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: sdk.String("trail"), RetentionInDays: sdk.Int32(365)}))
	kittest.Must(lc.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: sdk.String("app")}))
	kittest.Must(lc.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: sdk.String("trail"), FilterName: sdk.String("unauth"),
		FilterPattern: sdk.String(unauthorizedPattern), MetricTransformations: []cwltypes.MetricTransformation{
			{MetricName: sdk.String("UnauthorizedAPICalls"), MetricNamespace: sdk.String("CISBenchmark"), MetricValue: sdk.String("1")}}}))
	kittest.Must(AlarmsClient(cfg).PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: sdk.String("unauth-alarm"),
		MetricName: sdk.String("UnauthorizedAPICalls"), Namespace: sdk.String("CISBenchmark"), Statistic: cwtypes.StatisticSum,
		Period: sdk.Int32(300), EvaluationPeriods: sdk.Int32(1), Threshold: sdk.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
		AlarmActions:       []string{"arn:aws:sns:eu-west-3:" + m.Env.AccountID + ":alarms"}}))

	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"eu-west-3"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	kittest.NoErrors(t, m.Env)
	r := snap.Logs[0]
	groups := kittest.Known(t, "log groups", r.LogGroups)
	if len(groups) != 2 || groups[0].Name != "app" || groups[0].RetentionDays != 0 || groups[1].Name != "trail" || groups[1].RetentionDays != 365 {
		t.Fatalf("groups = %+v", groups)
	}
	if groups[1].ARN != "arn:aws:logs:eu-west-3:"+m.Env.AccountID+":log-group:trail" || groups[1].CreationTime == nil {
		t.Errorf("trail = %+v", groups[1])
	}
	filters := kittest.Known(t, "metric filters", r.MetricFilters)
	if len(filters) != 1 || filters[0].Pattern != unauthorizedPattern || filters[0].LogGroupName != "trail" ||
		len(filters[0].Transformations) != 1 || filters[0].Transformations[0].MetricName != "UnauthorizedAPICalls" ||
		filters[0].Transformations[0].MetricNamespace != "CISBenchmark" {
		t.Errorf("filters = %+v", filters)
	}
	alarms := kittest.Known(t, "alarms", r.Alarms)
	if len(alarms) != 1 {
		t.Fatalf("alarms = %+v", alarms)
	}
	a := alarms[0]
	if a.Name != "unauth-alarm" || a.MetricName != "UnauthorizedAPICalls" || a.Namespace != "CISBenchmark" || !a.ActionsEnabled ||
		len(a.AlarmActions) != 1 || a.Threshold == nil || *a.Threshold != 1 || a.ARN == "" {
		t.Errorf("alarm = %+v", a)
	}
}

func TestConvAlarmMetricMath(t *testing.T) {
	a := convAlarm("arn:aws-us-gov", "111122223333", "us-gov-west-1", cwtypes.MetricAlarm{AlarmName: sdk.String("m"),
		Metrics: []cwtypes.MetricDataQuery{
			{Id: sdk.String("e1"), Expression: sdk.String("m1*2")},
			{Id: sdk.String("m1"), MetricStat: &cwtypes.MetricStat{Metric: &cwtypes.Metric{MetricName: sdk.String("RootUsage"), Namespace: sdk.String("CIS")}}},
		}})
	if a.ARN != "arn:aws-us-gov:cloudwatch:us-gov-west-1:111122223333:alarm:m" || len(a.Metrics) != 1 || a.Metrics[0].MetricName != "RootUsage" {
		t.Errorf("alarm = %+v", a)
	}
}
