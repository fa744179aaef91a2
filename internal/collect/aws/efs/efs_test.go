package efs

import (
	"context"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	awsefs "github.com/aws/aws-sdk-go-v2/service/efs"
	"github.com/aws/aws-sdk-go-v2/service/efs/types"
	"github.com/aws/smithy-go"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	efsm "github.com/demarc-sec/demarc/internal/model/efs"
)

const fsPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`

// TestCollectMoto creates two file systems in moto (one encrypted with
// automatic backups, a policy, a mount target and a confined access point;
// one without any of that) and reads them back through the guarded Env.
func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	const region = "eu-west-1"
	c := awsefs.NewFromConfig(m.Config(region))
	ec := awsec2.NewFromConfig(m.Config(region))
	s := sdk.String

	vpc := kittest.Must(ec.CreateVpc(ctx, &awsec2.CreateVpcInput{CidrBlock: s("10.8.0.0/16")}))
	subnet := kittest.Must(ec.CreateSubnet(ctx, &awsec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: s("10.8.1.0/24"), AvailabilityZone: s("eu-west-1a")}))
	sg := kittest.Must(ec.CreateSecurityGroup(ctx, &awsec2.CreateSecurityGroupInput{GroupName: s("nfs"), Description: s("nfs"), VpcId: vpc.Vpc.VpcId}))

	good := kittest.Must(c.CreateFileSystem(ctx, &awsefs.CreateFileSystemInput{CreationToken: s("good"), Encrypted: sdk.Bool(true),
		KmsKeyId: s("arn:aws:kms:eu-west-1:" + m.Env.AccountID + ":key/k1"), Backup: sdk.Bool(true),
		ThroughputMode: types.ThroughputModeElastic, Tags: []types.Tag{{Key: s("Name"), Value: s("data")}}}))
	bad := kittest.Must(c.CreateFileSystem(ctx, &awsefs.CreateFileSystemInput{CreationToken: s("bad")}))
	kittest.Must(c.PutFileSystemPolicy(ctx, &awsefs.PutFileSystemPolicyInput{FileSystemId: good.FileSystemId, Policy: s(fsPolicy)}))
	mt := kittest.Must(c.CreateMountTarget(ctx, &awsefs.CreateMountTargetInput{FileSystemId: good.FileSystemId, SubnetId: subnet.Subnet.SubnetId,
		SecurityGroups: []string{*sg.GroupId}}))
	ap := kittest.Must(c.CreateAccessPoint(ctx, &awsefs.CreateAccessPointInput{FileSystemId: good.FileSystemId, ClientToken: s("ap1"),
		PosixUser:     &types.PosixUser{Uid: sdk.Int64(1001), Gid: sdk.Int64(1001), SecondaryGids: []int64{20}},
		RootDirectory: &types.RootDirectory{Path: s("/app"), CreationInfo: &types.CreationInfo{OwnerUid: sdk.Int64(1001), OwnerGid: sdk.Int64(1001), Permissions: s("750")}}}))
	kittest.Must(c.CreateAccessPoint(ctx, &awsefs.CreateAccessPointInput{FileSystemId: bad.FileSystemId, ClientToken: s("ap2")}))

	// ap-south-1 has no file systems: a known empty list, not an unknown one.
	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{region, "ap-south-1"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	kittest.NoErrors(t, m.Env)
	if len(snap.EFS) != 2 || snap.EFS[0].Name != "ap-south-1" || snap.EFS[1].Name != region {
		t.Fatalf("regions = %+v", snap.EFS)
	}
	if v := kittest.Known(t, "ap-south-1 file systems", snap.EFS[0].FileSystems); len(v) != 0 {
		t.Errorf("ap-south-1 file systems = %+v", v)
	}
	fss := kittest.Known(t, "file systems", snap.EFS[1].FileSystems)
	if len(fss) != 2 {
		t.Fatalf("file systems = %+v", fss)
	}
	byID := map[string]efsm.FileSystem{}
	for _, fs := range fss {
		byID[fs.ID] = fs
	}
	g, b := byID[*good.FileSystemId], byID[*bad.FileSystemId]
	if g.ARN != "arn:aws:elasticfilesystem:eu-west-1:"+m.Env.AccountID+":file-system/"+g.ID || g.Region != region || g.Account != m.Env.AccountID ||
		!g.Encrypted || !strings.HasSuffix(g.KMSKeyID, ":key/k1") || g.ThroughputMode != "elastic" || g.PerformanceMode != "generalPurpose" ||
		g.Tags["Name"] != "data" || g.Name != "data" || g.LifeCycleState != "available" || g.NumberOfMountTargets != 1 {
		t.Errorf("good = %+v", g)
	}
	if v := kittest.Known(t, "good backup policy", g.BackupPolicy); v != "ENABLED" {
		t.Errorf("good backup policy = %q", v)
	}
	if v := kittest.Known(t, "good policy", g.Policy); v != fsPolicy {
		t.Errorf("good policy = %q", v)
	}
	mts := kittest.Known(t, "mount targets", g.MountTargets)
	if len(mts) != 1 || mts[0].ID != *mt.MountTargetId || mts[0].SubnetID != *subnet.Subnet.SubnetId || mts[0].VPCID != *vpc.Vpc.VpcId ||
		mts[0].AvailabilityZone != "eu-west-1a" || !strings.HasPrefix(mts[0].IPAddress, "10.8.1.") || mts[0].FileSystemID != g.ID {
		t.Errorf("mount targets = %+v", mts)
	}
	if sgs := kittest.Known(t, "mount target groups", mts[0].SecurityGroups); len(sgs) != 1 || sgs[0] != *sg.GroupId {
		t.Errorf("mount target groups = %v", sgs)
	}
	aps := kittest.Known(t, "good access points", g.AccessPoints)
	if len(aps) != 1 || aps[0].ID != *ap.AccessPointId || aps[0].ARN != *ap.AccessPointArn || aps[0].RootDirectory != "/app" ||
		aps[0].PosixUser == nil || aps[0].PosixUser.UID != 1001 || aps[0].PosixUser.GID != 1001 || len(aps[0].PosixUser.SecondaryGIDs) != 1 ||
		aps[0].CreationInfo == nil || aps[0].CreationInfo.Permissions != "750" || aps[0].FileSystemID != g.ID {
		t.Errorf("good access points = %+v", aps)
	}

	// PolicyNotFound is a known answer: no backup policy, default file
	// system policy.
	if v, ok := b.BackupPolicy.Get(); !ok || v != "" {
		t.Errorf("bad backup policy = %+v", b.BackupPolicy)
	}
	if v, ok := b.Policy.Get(); !ok || v != "" {
		t.Errorf("bad policy = %+v", b.Policy)
	}
	if b.Encrypted || b.KMSKeyID != "" {
		t.Errorf("bad = %+v", b)
	}
	if v := kittest.Known(t, "bad mount targets", b.MountTargets); len(v) != 0 {
		t.Errorf("bad mount targets = %+v", v)
	}
	aps = kittest.Known(t, "bad access points", b.AccessPoints)
	if len(aps) != 1 || aps[0].RootDirectory != "/" || aps[0].PosixUser != nil {
		t.Errorf("bad access points = %+v", aps)
	}
}

// fake pages two file systems and fails whatever deny names.
type fake struct {
	deny  map[string]bool
	pages int
}

var errDenied = &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform elasticfilesystem:Describe*"}

func (f *fake) DescribeFileSystems(_ context.Context, in *awsefs.DescribeFileSystemsInput, _ ...func(*awsefs.Options)) (*awsefs.DescribeFileSystemsOutput, error) {
	f.pages++
	if f.deny["DescribeFileSystems"] {
		return nil, errDenied
	}
	if in.Marker == nil {
		return &awsefs.DescribeFileSystemsOutput{NextMarker: sdk.String("m2"), FileSystems: []types.FileSystemDescription{{
			FileSystemId: sdk.String("fs-0002"), Encrypted: sdk.Bool(false), LifeCycleState: types.LifeCycleStateAvailable,
			AvailabilityZoneName: sdk.String("eu-west-1b"), FileSystemProtection: &types.FileSystemProtectionDescription{ReplicationOverwriteProtection: types.ReplicationOverwriteProtectionEnabled},
		}}}, nil
	}
	return &awsefs.DescribeFileSystemsOutput{FileSystems: []types.FileSystemDescription{{
		FileSystemId: sdk.String("fs-0001"), FileSystemArn: sdk.String("arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/fs-0001"),
		Encrypted: sdk.Bool(true), LifeCycleState: types.LifeCycleStateAvailable,
		Tags: []types.Tag{{Key: sdk.String("aws:elasticfilesystem:default-backup"), Value: sdk.String("enabled")}},
	}}}, nil
}

func (f *fake) DescribeBackupPolicy(_ context.Context, in *awsefs.DescribeBackupPolicyInput, _ ...func(*awsefs.Options)) (*awsefs.DescribeBackupPolicyOutput, error) {
	switch {
	case f.deny["DescribeBackupPolicy"]:
		return nil, errDenied
	case *in.FileSystemId == "fs-0002":
		return nil, &types.PolicyNotFound{Message: sdk.String("None")}
	}
	return &awsefs.DescribeBackupPolicyOutput{BackupPolicy: &types.BackupPolicy{Status: types.StatusEnabled}}, nil
}

func (f *fake) DescribeFileSystemPolicy(_ context.Context, in *awsefs.DescribeFileSystemPolicyInput, _ ...func(*awsefs.Options)) (*awsefs.DescribeFileSystemPolicyOutput, error) {
	if f.deny["DescribeFileSystemPolicy"] {
		return nil, errDenied
	}
	return nil, &types.PolicyNotFound{}
}

func (f *fake) DescribeMountTargets(_ context.Context, in *awsefs.DescribeMountTargetsInput, _ ...func(*awsefs.Options)) (*awsefs.DescribeMountTargetsOutput, error) {
	if f.deny["DescribeMountTargets"] {
		return nil, errDenied
	}
	if *in.FileSystemId != "fs-0001" {
		return &awsefs.DescribeMountTargetsOutput{}, nil
	}
	if in.Marker == nil {
		return &awsefs.DescribeMountTargetsOutput{NextMarker: sdk.String("n"), MountTargets: []types.MountTargetDescription{
			{MountTargetId: sdk.String("fsmt-b"), SubnetId: sdk.String("subnet-b"), LifeCycleState: types.LifeCycleStateAvailable}}}, nil
	}
	return &awsefs.DescribeMountTargetsOutput{MountTargets: []types.MountTargetDescription{
		{MountTargetId: sdk.String("fsmt-a"), SubnetId: sdk.String("subnet-a"), LifeCycleState: types.LifeCycleStateAvailable}}}, nil
}

func (f *fake) DescribeMountTargetSecurityGroups(_ context.Context, in *awsefs.DescribeMountTargetSecurityGroupsInput, _ ...func(*awsefs.Options)) (*awsefs.DescribeMountTargetSecurityGroupsOutput, error) {
	if f.deny["DescribeMountTargetSecurityGroups"] {
		return nil, errDenied
	}
	return &awsefs.DescribeMountTargetSecurityGroupsOutput{SecurityGroups: []string{"sg-2", "sg-1"}}, nil
}

func (f *fake) DescribeAccessPoints(_ context.Context, in *awsefs.DescribeAccessPointsInput, _ ...func(*awsefs.Options)) (*awsefs.DescribeAccessPointsOutput, error) {
	if f.deny["DescribeAccessPoints"] {
		return nil, errDenied
	}
	if *in.FileSystemId != "fs-0001" {
		return &awsefs.DescribeAccessPointsOutput{}, nil
	}
	if in.NextToken == nil {
		return &awsefs.DescribeAccessPointsOutput{NextToken: sdk.String("t"), AccessPoints: []types.AccessPointDescription{
			{AccessPointId: sdk.String("fsap-2"), FileSystemId: sdk.String("fs-0001"), RootDirectory: &types.RootDirectory{}}}}, nil
	}
	return &awsefs.DescribeAccessPointsOutput{AccessPoints: []types.AccessPointDescription{
		{AccessPointId: sdk.String("fsap-1"), FileSystemId: sdk.String("fs-0001"), RootDirectory: &types.RootDirectory{Path: sdk.String("/srv")},
			PosixUser: &types.PosixUser{Uid: sdk.Int64(0), Gid: sdk.Int64(0)}}}}, nil
}

func TestCollectRegionPagingAndPolicyNotFound(t *testing.T) {
	env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
	f := &fake{}
	r, err := CollectRegion(context.Background(), env, f, "arn:aws", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	kittest.NoErrors(t, env)
	fss := kittest.Known(t, "file systems", r.FileSystems)
	if len(fss) != 2 || f.pages != 2 || fss[0].ID != "fs-0001" || fss[1].ID != "fs-0002" {
		t.Fatalf("file systems = %+v", fss)
	}
	a, b := fss[0], fss[1]
	if a.Tags["aws:elasticfilesystem:default-backup"] != "enabled" || a.BackupPolicy.V != "ENABLED" || !a.BackupPolicy.Ok {
		t.Errorf("fs-0001 = %+v", a)
	}
	// A missing ARN is built from the partition, region and account.
	if b.ARN != "arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/fs-0002" || b.AvailabilityZone != "eu-west-1b" ||
		b.ReplicationOverwriteProtection != "ENABLED" || b.Account != "111122223333" {
		t.Errorf("fs-0002 = %+v", b)
	}
	if v, ok := b.BackupPolicy.Get(); !ok || v != "" {
		t.Errorf("PolicyNotFound must read as a known empty backup policy: %+v", b.BackupPolicy)
	}
	if v, ok := a.Policy.Get(); !ok || v != "" {
		t.Errorf("PolicyNotFound must read as the default file system policy: %+v", a.Policy)
	}
	mts := kittest.Known(t, "mount targets", a.MountTargets)
	if len(mts) != 2 || mts[0].ID != "fsmt-a" || mts[1].ID != "fsmt-b" || mts[0].FileSystemID != "fs-0001" {
		t.Fatalf("mount targets = %+v", mts)
	}
	if sgs := mts[0].SecurityGroups.V; len(sgs) != 2 || sgs[0] != "sg-1" {
		t.Errorf("security groups = %+v", mts[0].SecurityGroups)
	}
	aps := kittest.Known(t, "access points", a.AccessPoints)
	if len(aps) != 2 || aps[0].ID != "fsap-1" || aps[0].RootDirectory != "/srv" || aps[0].PosixUser == nil ||
		aps[1].RootDirectory != "/" || aps[1].PosixUser != nil ||
		aps[1].ARN != "arn:aws:elasticfilesystem:eu-west-1:111122223333:access-point/fsap-2" {
		t.Errorf("access points = %+v", aps)
	}
}

// TestCollectRegionDenied: every failed read is unknown with its reason,
// never an empty or default answer.
func TestCollectRegionDenied(t *testing.T) {
	ctx := context.Background()
	t.Run("list", func(t *testing.T) {
		env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
		r, err := CollectRegion(ctx, env, &fake{deny: map[string]bool{"DescribeFileSystems": true}}, "arn:aws", "eu-west-1")
		if err == nil || r.FileSystems.Ok || !strings.HasPrefix(r.FileSystems.Why(), core.ReasonAccessDenied+" (efs:DescribeFileSystems)") {
			t.Errorf("err %v, file systems %+v", err, r.FileSystems)
		}
	})
	t.Run("per file system", func(t *testing.T) {
		env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
		deny := map[string]bool{"DescribeBackupPolicy": true, "DescribeFileSystemPolicy": true, "DescribeMountTargets": true, "DescribeAccessPoints": true}
		r, err := CollectRegion(ctx, env, &fake{deny: deny}, "arn:aws", "eu-west-1")
		if err != nil {
			t.Fatal(err)
		}
		for _, fs := range kittest.Known(t, "file systems", r.FileSystems) {
			for what, v := range map[string]interface{ Why() string }{
				"backup policy": fs.BackupPolicy, "policy": fs.Policy, "mount targets": fs.MountTargets, "access points": fs.AccessPoints,
			} {
				if !strings.HasPrefix(v.Why(), core.ReasonAccessDenied) {
					t.Errorf("%s %s: %q", fs.ID, what, v.Why())
				}
			}
		}
		if n := len(env.Errors()); n != 8 {
			t.Errorf("%d recorded errors, want 8: %+v", n, env.Errors())
		}
		for _, e := range env.Errors() {
			if e.Service != "efs" || e.Region != "eu-west-1" || !strings.Contains(e.Resource, ":file-system/fs-000") {
				t.Errorf("error %+v", e)
			}
		}
	})
	t.Run("mount target groups", func(t *testing.T) {
		env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
		r, err := CollectRegion(ctx, env, &fake{deny: map[string]bool{"DescribeMountTargetSecurityGroups": true}}, "arn:aws", "eu-west-1")
		if err != nil {
			t.Fatal(err)
		}
		mts := kittest.Known(t, "mount targets", r.FileSystems.V[0].MountTargets)
		if mts[0].SecurityGroups.Ok || !strings.HasPrefix(mts[0].SecurityGroups.Why(), core.ReasonAccessDenied) {
			t.Errorf("groups = %+v", mts[0].SecurityGroups)
		}
	})
}
