package ssm

import (
	"context"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsssm "github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
)

// TestCollectMoto: moto 5.2 implements neither DescribeInstanceInformation
// nor the compliance API. The collector must still finish and leave both
// lists unknown with a reason: a scan against an endpoint without them must
// never report "no managed instances" or "all compliant".
func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"eu-west-1"})
	err := New().Collect(context.Background(), m.Env, "us-east-1", snap)
	r := snap.SSM[0]
	for what, v := range map[string]interface {
		Why() string
	}{"managed instances": r.ManagedInstances, "compliance": r.Compliance} {
		if w := v.Why(); w == "" || w == "not collected" {
			t.Errorf("%s: reason %q", what, w)
		}
	}
	if r.ManagedInstances.Ok && r.Compliance.Ok {
		// moto grew the APIs: then the collection must be clean.
		if err != nil {
			t.Errorf("Collect: %v", err)
		}
		kittest.NoErrors(t, m.Env)
	} else if err == nil && !r.ManagedInstances.Ok && !r.Compliance.Ok {
		t.Error("every list failed but Collect returned no error")
	}
}

// fake pages managed instances and compliance items.
type fake struct{ calls int }

func (f *fake) DescribeInstanceInformation(_ context.Context, in *awsssm.DescribeInstanceInformationInput, _ ...func(*awsssm.Options)) (*awsssm.DescribeInstanceInformationOutput, error) {
	f.calls++
	if in.NextToken == nil {
		return &awsssm.DescribeInstanceInformationOutput{NextToken: sdk.String("t"), InstanceInformationList: []types.InstanceInformation{
			{InstanceId: sdk.String("mi-0123"), PingStatus: types.PingStatusConnectionLost, ResourceType: types.ResourceTypeManagedInstance}}}, nil
	}
	return &awsssm.DescribeInstanceInformationOutput{InstanceInformationList: []types.InstanceInformation{
		{InstanceId: sdk.String("i-0abc"), PingStatus: types.PingStatusOnline, PlatformType: types.PlatformTypeLinux,
			AgentVersion: sdk.String("3.3.0"), IsLatestVersion: sdk.Bool(true), LastPingDateTime: sdk.Time(time.Unix(1700000000, 0))}}}, nil
}

func (f *fake) ListResourceComplianceSummaries(context.Context, *awsssm.ListResourceComplianceSummariesInput, ...func(*awsssm.Options)) (*awsssm.ListResourceComplianceSummariesOutput, error) {
	return &awsssm.ListResourceComplianceSummariesOutput{ResourceComplianceSummaryItems: []types.ResourceComplianceSummaryItem{
		{ResourceId: sdk.String("i-0abc"), ResourceType: sdk.String("ManagedInstance"), ComplianceType: sdk.String("Patch"),
			Status: types.ComplianceStatusNonCompliant, OverallSeverity: types.ComplianceSeverityCritical,
			NonCompliantSummary: &types.NonCompliantSummary{NonCompliantCount: 3}, CompliantSummary: &types.CompliantSummary{CompliantCount: 40}},
		{ResourceId: sdk.String("i-0abc"), ResourceType: sdk.String("ManagedInstance"), ComplianceType: sdk.String("Association"),
			Status: types.ComplianceStatusCompliant},
	}}, nil
}

func TestCollectRegion(t *testing.T) {
	env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
	f := &fake{}
	r, err := CollectRegion(context.Background(), env, f, "arn:aws", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	kittest.NoErrors(t, env)
	mi := kittest.Known(t, "managed", r.ManagedInstances)
	if len(mi) != 2 || f.calls != 2 || mi[0].ID != "i-0abc" || mi[0].ARN != "arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc" ||
		mi[0].PingStatus != "Online" || !mi[0].AgentLatest || mi[0].LastPing == nil {
		t.Fatalf("managed = %+v", mi)
	}
	if mi[1].ARN != "arn:aws:ssm:eu-west-1:111122223333:managed-instance/mi-0123" || mi[1].PingStatus != "ConnectionLost" {
		t.Errorf("hybrid = %+v", mi[1])
	}
	comp := kittest.Known(t, "compliance", r.Compliance)
	if len(comp) != 2 || comp[0].ComplianceType != "Association" || comp[1].ComplianceType != "Patch" ||
		comp[1].Status != "NON_COMPLIANT" || comp[1].NonCompliantCount != 3 || comp[1].CompliantCount != 40 || comp[1].OverallSeverity != "CRITICAL" {
		t.Errorf("compliance = %+v", comp)
	}
}
