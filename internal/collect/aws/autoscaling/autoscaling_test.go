package autoscaling

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsas "github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
)

func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	cfg := m.Config("eu-west-1")
	subnets := kittest.Must(awsec2.NewFromConfig(cfg).DescribeSubnets(ctx, &awsec2.DescribeSubnetsInput{})).Subnets
	if len(subnets) < 2 {
		t.Fatalf("moto default VPC has %d subnets", len(subnets))
	}
	c := awsas.NewFromConfig(cfg)
	kittest.Must(c.CreateLaunchConfiguration(ctx, &awsas.CreateLaunchConfigurationInput{LaunchConfigurationName: sdk.String("legacy"),
		ImageId: sdk.String("ami-12c6146b"), InstanceType: sdk.String("t3.micro"), AssociatePublicIpAddress: sdk.Bool(true),
		UserData:        sdk.String("ZXhwb3J0IFBBU1NXT1JEPWh1bnRlcjI="), // never collected
		MetadataOptions: &types.InstanceMetadataOptions{HttpTokens: types.InstanceMetadataHttpTokensStateRequired},
		BlockDeviceMappings: []types.BlockDeviceMapping{{DeviceName: sdk.String("/dev/xvda"),
			Ebs: &types.Ebs{VolumeSize: sdk.Int32(8), Encrypted: sdk.Bool(false)}}}}))
	kittest.Must(c.CreateAutoScalingGroup(ctx, &awsas.CreateAutoScalingGroupInput{AutoScalingGroupName: sdk.String("web"),
		LaunchConfigurationName: sdk.String("legacy"), MinSize: sdk.Int32(0), MaxSize: sdk.Int32(2), DesiredCapacity: sdk.Int32(0),
		VPCZoneIdentifier: sdk.String(*subnets[1].SubnetId + "," + *subnets[0].SubnetId), HealthCheckType: sdk.String("ELB"),
		HealthCheckGracePeriod: sdk.Int32(120),
		Tags:                   []types.Tag{{Key: sdk.String("env"), Value: sdk.String("prod"), PropagateAtLaunch: sdk.Bool(true)}}}))

	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"eu-west-1"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	kittest.NoErrors(t, m.Env)
	if b, _ := json.Marshal(snap); strings.Contains(string(b), "ZXhwb3J0") {
		t.Fatal("user data in the snapshot")
	}
	r := snap.AutoScaling[0]
	groups := kittest.Known(t, "groups", r.Groups)
	if len(groups) != 1 {
		t.Fatalf("groups = %+v", groups)
	}
	g := groups[0]
	if g.Name != "web" || g.LaunchConfiguration != "legacy" || g.HealthCheckType != "ELB" || g.HealthCheckGracePeriod != 120 ||
		len(g.SubnetIDs) != 2 || g.SubnetIDs[0] > g.SubnetIDs[1] || len(g.AvailabilityZones) != 2 || g.Tags["env"] != "prod" ||
		!strings.Contains(g.ARN, ":autoScalingGroupName/web") || g.MaxSize != 2 {
		t.Errorf("group = %+v", g)
	}
	lcs := kittest.Known(t, "launch configurations", r.LaunchConfigurations)
	if len(lcs) != 1 {
		t.Fatalf("lcs = %+v", lcs)
	}
	l := lcs[0]
	if l.Name != "legacy" || l.AssociatePublicIP == nil || !*l.AssociatePublicIP || l.MetadataHTTPTokens != "required" ||
		len(l.BlockDevices) != 1 || l.BlockDevices[0].Encrypted == nil || *l.BlockDevices[0].Encrypted {
		t.Errorf("launch configuration = %+v", l)
	}
}

func TestConvGroupMixedInstances(t *testing.T) {
	g := convGroup("arn:aws", "111122223333", "eu-west-1", types.AutoScalingGroup{AutoScalingGroupName: sdk.String("m"),
		MixedInstancesPolicy: &types.MixedInstancesPolicy{LaunchTemplate: &types.LaunchTemplate{
			LaunchTemplateSpecification: &types.LaunchTemplateSpecification{LaunchTemplateId: sdk.String("lt-1"), Version: sdk.String("$Latest")},
			Overrides:                   []types.LaunchTemplateOverrides{{InstanceType: sdk.String("m5.large")}, {InstanceType: sdk.String("c5.large")}}}}})
	if !g.MixedInstances || g.LaunchTemplate == nil || g.LaunchTemplate.ID != "lt-1" || strings.Join(g.InstanceTypes, ",") != "c5.large,m5.large" {
		t.Errorf("group = %+v", g)
	}
}
