package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/inspector2"
	insptypes "github.com/aws/aws-sdk-go-v2/service/inspector2/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/demarc-sec/demarc/internal/testutil/moto"
)

// Regions every scenario scans. Two, so that per-region rules (security
// services, EBS default encryption, flow logs) and multi-region trails are
// exercised, and no more: moto is slow on EC2.
var scanRegions = []string{"us-east-1", "eu-west-1"}

// builder creates resources in one moto account. Every call goes through
// aws-sdk-go-v2 with the account header, so tests sharing a server never see
// each other's resources.
type builder struct {
	t       testing.TB
	ctx     context.Context
	srv     *moto.Server
	account string
	// names maps IDs that AWS (moto) generates at random (sg-…, i-…, vol-…)
	// to stable names, so golden files do not change from run to run.
	names map[string]string
	// front is the endpoint demarc scans this account through (moto plus
	// an Access Analyzer fake).
	front *front
}

func newBuilder(t testing.TB, srv *moto.Server, account string) *builder {
	return &builder{t: t, ctx: context.Background(), srv: srv, account: account, names: map[string]string{},
		front: newFront(t, srv.URL, account)}
}

// env is the subprocess environment for demarc runs against this account
// (with --role-arn moto.RoleARN(account)).
func (b *builder) env() []string { return moto.EnvFor(b.front.URL, moto.AccessKey, moto.SecretKey) }

func (b *builder) cfg(region string) aws.Config { return b.srv.Config(region, b.account) }

func (b *builder) must(err error, what string) {
	b.t.Helper()
	if err != nil {
		b.t.Fatalf("build %s in account %s: %v", what, b.account, err)
	}
}

func (b *builder) name(id, name string) {
	if id != "" {
		b.names[id] = name
	}
}

// id returns the AWS ID the builder named name, or a string no ARN
// contains, so an assertion on an unknown name fails instead of matching
// everything.
func (b *builder) id(name string) string {
	for id, n := range b.names {
		if n == name {
			return id
		}
	}
	return "<no resource named " + name + ">"
}

func (b *builder) iam() *iam.Client { return iam.NewFromConfig(b.cfg("us-east-1")) }
func (b *builder) s3() *s3.Client {
	return s3.NewFromConfig(b.cfg("us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
}
func (b *builder) ec2(region string) *ec2.Client { return ec2.NewFromConfig(b.cfg(region)) }

func policyJSON(statements ...map[string]any) string {
	doc, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements})
	if err != nil {
		panic(err) // static input
	}
	return string(doc)
}

func (b *builder) awsPolicy(name string) string { return "arn:aws:iam::aws:policy/" + name }

// scannerRole creates the role demarc assumes (moto.RoleARN): trusted by
// the account itself, with the AWS-managed SecurityAudit policy, as the
// README tells users to set up.
func (b *builder) scannerRole() {
	c := b.iam()
	trust := policyJSON(map[string]any{
		"Effect": "Allow", "Action": "sts:AssumeRole",
		"Principal": map[string]any{"AWS": "arn:aws:iam::" + b.account + ":root"},
	})
	_, err := c.CreateRole(b.ctx, &iam.CreateRoleInput{RoleName: aws.String(moto.ScannerRole), AssumeRolePolicyDocument: aws.String(trust)})
	b.must(err, "scanner role")
	_, err = c.AttachRolePolicy(b.ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(moto.ScannerRole), PolicyArn: aws.String(b.awsPolicy("SecurityAudit"))})
	b.must(err, "scanner role policy")
}

// virtualMFA creates and enables a virtual MFA device for user (moto
// accepts any two codes).
func (b *builder) virtualMFA(user string) {
	c := b.iam()
	mfa, err := c.CreateVirtualMFADevice(b.ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(user)})
	b.must(err, user+" mfa device")
	_, err = c.EnableMFADevice(b.ctx, &iam.EnableMFADeviceInput{
		UserName: aws.String(user), SerialNumber: mfa.VirtualMFADevice.SerialNumber,
		AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321"),
	})
	b.must(err, user+" mfa enable")
}

// nameDefaults gives stable names to the resources moto creates in every
// region (default VPC, its subnets, SG, NACL, route table, IGW).
func (b *builder) nameDefaults(region string) {
	c := b.ec2(region)
	vpcs, err := c.DescribeVpcs(b.ctx, &ec2.DescribeVpcsInput{})
	b.must(err, "describe vpcs")
	for _, v := range vpcs.Vpcs {
		if aws.ToBool(v.IsDefault) {
			b.name(aws.ToString(v.VpcId), "vpc-default@"+region)
		}
	}
	subs, err := c.DescribeSubnets(b.ctx, &ec2.DescribeSubnetsInput{})
	b.must(err, "describe subnets")
	for _, s := range subs.Subnets {
		if aws.ToBool(s.DefaultForAz) {
			b.name(aws.ToString(s.SubnetId), "subnet-default-"+aws.ToString(s.AvailabilityZone))
		}
	}
	sgs, err := c.DescribeSecurityGroups(b.ctx, &ec2.DescribeSecurityGroupsInput{})
	b.must(err, "describe security groups")
	for _, g := range sgs.SecurityGroups {
		if aws.ToString(g.GroupName) == "default" {
			b.name(aws.ToString(g.GroupId), "sg-default@"+region)
		}
	}
	acls, err := c.DescribeNetworkAcls(b.ctx, &ec2.DescribeNetworkAclsInput{})
	b.must(err, "describe network acls")
	for _, a := range acls.NetworkAcls {
		if aws.ToBool(a.IsDefault) {
			b.name(aws.ToString(a.NetworkAclId), "acl-default@"+region)
		}
	}
	rts, err := c.DescribeRouteTables(b.ctx, &ec2.DescribeRouteTablesInput{})
	b.must(err, "describe route tables")
	for _, r := range rts.RouteTables {
		b.name(aws.ToString(r.RouteTableId), "rtb-main@"+region)
	}
	igws, err := c.DescribeInternetGateways(b.ctx, &ec2.DescribeInternetGatewaysInput{})
	b.must(err, "describe internet gateways")
	for _, g := range igws.InternetGateways {
		b.name(aws.ToString(g.InternetGatewayId), "igw-default@"+region)
	}
}

// internetRoute gives the default VPC of region what AWS gives every
// default VPC and moto omits: an attached internet gateway and a
// 0.0.0.0/0 route to it in the main route table. Without it nothing in
// moto's default VPC is reachable from the internet, and the reachability
// rules would (rightly) say so.
func (b *builder) internetRoute(region string) {
	c := b.ec2(region)
	vpc, _, _, _ := b.defaultVPC(region)
	igw, err := c.CreateInternetGateway(b.ctx, &ec2.CreateInternetGatewayInput{})
	b.must(err, "internet gateway "+region)
	igwID := aws.ToString(igw.InternetGateway.InternetGatewayId)
	b.name(igwID, "igw-default@"+region)
	_, err = c.AttachInternetGateway(b.ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: aws.String(igwID), VpcId: aws.String(vpc)})
	b.must(err, "attach internet gateway "+region)
	rts, err := c.DescribeRouteTables(b.ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpc}}, {Name: aws.String("association.main"), Values: []string{"true"}},
	}})
	b.must(err, "main route table "+region)
	if len(rts.RouteTables) != 1 {
		b.t.Fatalf("region %s: want one main route table in the default VPC, got %d", region, len(rts.RouteTables))
	}
	_, err = c.CreateRoute(b.ctx, &ec2.CreateRouteInput{RouteTableId: rts.RouteTables[0].RouteTableId,
		DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: aws.String(igwID)})
	b.must(err, "default route "+region)
}

func (b *builder) defaultVPC(region string) (vpcID, subnetID, sgID, aclID string) {
	c := b.ec2(region)
	vpcs, err := c.DescribeVpcs(b.ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("is-default"), Values: []string{"true"}}}})
	b.must(err, "find default vpc")
	if len(vpcs.Vpcs) != 1 {
		b.t.Fatalf("region %s: want one default VPC, got %d", region, len(vpcs.Vpcs))
	}
	vpcID = aws.ToString(vpcs.Vpcs[0].VpcId)
	subs, err := c.DescribeSubnets(b.ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpcID}},
		{Name: aws.String("availability-zone"), Values: []string{region + "a"}},
	}})
	b.must(err, "find default subnet")
	if len(subs.Subnets) == 0 {
		b.t.Fatalf("region %s: no default subnet in %sa", region, region)
	}
	subnetID = aws.ToString(subs.Subnets[0].SubnetId)
	sgs, err := c.DescribeSecurityGroups(b.ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpcID}}, {Name: aws.String("group-name"), Values: []string{"default"}},
	}})
	b.must(err, "find default security group")
	sgID = aws.ToString(sgs.SecurityGroups[0].GroupId)
	acls, err := c.DescribeNetworkAcls(b.ctx, &ec2.DescribeNetworkAclsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpcID}}, {Name: aws.String("default"), Values: []string{"true"}},
	}})
	b.must(err, "find default network acl")
	aclID = aws.ToString(acls.NetworkAcls[0].NetworkAclId)
	return vpcID, subnetID, sgID, aclID
}

// amiID is the image the instances run: one of moto's built-in HVM images
// (an image moto does not know gives a paravirtual instance, FSBP EC2.24).
// moto does not validate AMIs on RunInstances, and listing its ~1,200
// built-in images costs seconds per region.
const amiID = "ami-03cf127a"

// runInstance starts one instance in the default subnet of region.
func (b *builder) runInstance(region, name, subnet, sg string, tokens ec2types.HttpTokensState, publicIP, encrypted bool) string {
	c := b.ec2(region)
	out, err := c.RunInstances(b.ctx, &ec2.RunInstancesInput{
		ImageId: aws.String(amiID), InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		MetadataOptions: &ec2types.InstanceMetadataOptionsRequest{
			HttpTokens: tokens, HttpEndpoint: ec2types.InstanceMetadataEndpointStateEnabled,
		},
		NetworkInterfaces: []ec2types.InstanceNetworkInterfaceSpecification{{
			DeviceIndex: aws.Int32(0), SubnetId: aws.String(subnet), Groups: []string{sg},
			AssociatePublicIpAddress: aws.Bool(publicIP),
		}},
		BlockDeviceMappings: []ec2types.BlockDeviceMapping{{
			DeviceName: aws.String("/dev/xvda"),
			Ebs:        &ec2types.EbsBlockDevice{VolumeSize: aws.Int32(8), Encrypted: aws.Bool(encrypted), DeleteOnTermination: aws.Bool(true)},
		}},
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}}}},
	})
	b.must(err, "instance "+name)
	inst := out.Instances[0]
	id := aws.ToString(inst.InstanceId)
	b.name(id, "i-"+name)
	for _, ni := range inst.NetworkInterfaces {
		b.name(aws.ToString(ni.NetworkInterfaceId), "eni-"+name)
	}
	// The root volume's ID is only known after the fact.
	vols, err := c.DescribeVolumes(b.ctx, &ec2.DescribeVolumesInput{Filters: []ec2types.Filter{{Name: aws.String("attachment.instance-id"), Values: []string{id}}}})
	b.must(err, "instance root volume")
	for _, v := range vols.Volumes {
		b.name(aws.ToString(v.VolumeId), "vol-"+name+"-root")
	}
	return id
}

func (b *builder) createSG(region, vpc, name string, perms []ec2types.IpPermission) string {
	c := b.ec2(region)
	out, err := c.CreateSecurityGroup(b.ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(name), VpcId: aws.String(vpc)})
	b.must(err, "security group "+name)
	id := aws.ToString(out.GroupId)
	b.name(id, "sg-"+name)
	if len(perms) > 0 {
		_, err = c.AuthorizeSecurityGroupIngress(b.ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: perms})
		b.must(err, "security group "+name+" ingress")
	}
	return id
}

func tcp(port int32, cidr4, cidr6 string) ec2types.IpPermission {
	p := ec2types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port)}
	if cidr4 != "" {
		p.IpRanges = []ec2types.IpRange{{CidrIp: aws.String(cidr4)}}
	}
	if cidr6 != "" {
		p.Ipv6Ranges = []ec2types.Ipv6Range{{CidrIpv6: aws.String(cidr6)}}
	}
	return p
}

func (b *builder) createVolume(region, name string, encrypted bool) string {
	out, err := b.ec2(region).CreateVolume(b.ctx, &ec2.CreateVolumeInput{
		AvailabilityZone: aws.String(region + "a"), Size: aws.Int32(1), Encrypted: aws.Bool(encrypted),
	})
	b.must(err, "volume "+name)
	id := aws.ToString(out.VolumeId)
	b.name(id, "vol-"+name)
	return id
}

func (b *builder) createBucket(name string) {
	_, err := b.s3().CreateBucket(b.ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
	b.must(err, "bucket "+name)
}

func (b *builder) putBucketPolicy(bucket string, statements ...map[string]any) {
	_, err := b.s3().PutBucketPolicy(b.ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policyJSON(statements...))})
	b.must(err, "bucket policy "+bucket)
}

func (b *builder) trail(name, bucket string, in *cloudtrail.CreateTrailInput) {
	c := cloudtrail.NewFromConfig(b.cfg("us-east-1"))
	in.Name, in.S3BucketName = aws.String(name), aws.String(bucket)
	_, err := c.CreateTrail(b.ctx, in)
	b.must(err, "trail "+name)
	_, err = c.StartLogging(b.ctx, &cloudtrail.StartLoggingInput{Name: aws.String(name)})
	b.must(err, "start trail "+name)
}

// ---------------------------------------------------------------------------
// The misconfigured account: everything the rules look for, done wrong.

// account is what a builder made that the tests refer to by name.
type account struct {
	ID      string
	Buckets []string
}

func buildMisconfigured(b *builder) account {
	start := time.Now()
	defer func() {
		b.t.Logf("built misconfigured account %s in %s", b.account, time.Since(start).Round(time.Millisecond))
	}()
	ic := b.iam()
	b.scannerRole()

	// A weak password policy (CIS 1.8/1.9: length ≥ 14, reuse prevention).
	_, err := ic.UpdateAccountPasswordPolicy(b.ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(6), AllowUsersToChangePassword: true,
	})
	b.must(err, "password policy")

	// A root-equivalent admin: AdministratorAccess attached to the user
	// directly, a console password, no MFA, and an access key. (moto cannot
	// back-date the key: key age rules see a new key.)
	_, err = ic.CreateUser(b.ctx, &iam.CreateUserInput{UserName: aws.String("admin")})
	b.must(err, "user admin")
	_, err = ic.AttachUserPolicy(b.ctx, &iam.AttachUserPolicyInput{UserName: aws.String("admin"), PolicyArn: aws.String(b.awsPolicy("AdministratorAccess"))})
	b.must(err, "admin policy")
	_, err = ic.CreateLoginProfile(b.ctx, &iam.CreateLoginProfileInput{UserName: aws.String("admin"), Password: aws.String("hunter2hunter2")})
	b.must(err, "admin console password")
	_, err = ic.CreateAccessKey(b.ctx, &iam.CreateAccessKeyInput{UserName: aws.String("admin")})
	b.must(err, "admin access key")

	// A customer-managed *:* policy attached directly to a user.
	pol, err := ic.CreatePolicy(b.ctx, &iam.CreatePolicyInput{
		PolicyName:     aws.String("full-admin"),
		PolicyDocument: aws.String(policyJSON(map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"})),
	})
	b.must(err, "policy full-admin")
	_, err = ic.CreateUser(b.ctx, &iam.CreateUserInput{UserName: aws.String("dev")})
	b.must(err, "user dev")
	_, err = ic.AttachUserPolicy(b.ctx, &iam.AttachUserPolicyInput{UserName: aws.String("dev"), PolicyArn: pol.Policy.Arn})
	b.must(err, "dev policy")
	_, err = ic.CreateAccessKey(b.ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dev")})
	b.must(err, "dev access key")

	// S3: a public bucket (public-read ACL and a policy granting everyone
	// GetObject), no encryption, versioning, logging or Block Public Access,
	// at bucket or account level.
	public := "public-" + b.account
	trailBucket := "trail-" + b.account
	b.createBucket(public)
	_, err = b.s3().PutBucketAcl(b.ctx, &s3.PutBucketAclInput{Bucket: aws.String(public), ACL: s3types.BucketCannedACLPublicRead})
	b.must(err, "public bucket ACL")
	b.putBucketPolicy(public, map[string]any{
		"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
		"Resource": "arn:aws:s3:::" + public + "/*",
	})
	b.createBucket(trailBucket)

	// EC2 in the primary region: admin ports open to the world, a default SG
	// that allows traffic, a NACL open to SSH, an IMDSv1 instance with a
	// public IP, an unencrypted volume and a public snapshot. EBS default
	// encryption stays off and no VPC has flow logs.
	const r = "us-east-1"
	for _, region := range scanRegions {
		b.nameDefaults(region)
		b.internetRoute(region)
	}
	vpc, subnet, defSG, _ := b.defaultVPC(r)
	c := b.ec2(r)
	// The default SG as AWS creates it: all traffic from itself, all out.
	_, err = c.AuthorizeSecurityGroupIngress(b.ctx, &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(defSG),
		IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("-1"),
			UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(defSG)}}}},
	})
	b.must(err, "default SG self rule")
	open := b.createSG(r, vpc, "open-admin", []ec2types.IpPermission{
		tcp(22, "0.0.0.0/0", ""), tcp(3389, "", "::/0"),
	})
	acl, err := c.CreateNetworkAcl(b.ctx, &ec2.CreateNetworkAclInput{VpcId: aws.String(vpc)})
	b.must(err, "network acl")
	aclID := aws.ToString(acl.NetworkAcl.NetworkAclId)
	b.name(aclID, "acl-open-ssh")
	_, err = c.CreateNetworkAclEntry(b.ctx, &ec2.CreateNetworkAclEntryInput{
		NetworkAclId: aws.String(aclID), RuleNumber: aws.Int32(100), Protocol: aws.String("6"),
		RuleAction: ec2types.RuleActionAllow, Egress: aws.Bool(false), CidrBlock: aws.String("0.0.0.0/0"),
		PortRange: &ec2types.PortRange{From: aws.Int32(22), To: aws.Int32(22)},
	})
	b.must(err, "network acl entry")
	b.runInstance(r, "imdsv1", subnet, open, ec2types.HttpTokensStateOptional, true, false)
	vol := b.createVolume(r, "plain", false)
	snap, err := c.CreateSnapshot(b.ctx, &ec2.CreateSnapshotInput{VolumeId: aws.String(vol)})
	b.must(err, "snapshot")
	b.name(aws.ToString(snap.SnapshotId), "snap-public")
	// The legacy OperationType form: moto ignores CreateVolumePermission.Add.
	_, err = c.ModifySnapshotAttribute(b.ctx, &ec2.ModifySnapshotAttributeInput{
		SnapshotId: snap.SnapshotId, Attribute: ec2types.SnapshotAttributeNameCreateVolumePermission,
		OperationType: ec2types.OperationTypeAdd, GroupNames: []string{"all"},
	})
	b.must(err, "public snapshot")

	// CloudTrail: one single-region trail without log file validation or KMS.
	// No GuardDuty, Security Hub, Config, Inspector or Macie anywhere.
	b.trail("single-region", trailBucket, &cloudtrail.CreateTrailInput{})
	// moto starts every account with a Macie session (AWS does not):
	// disable it so that Macie is really off, as in a new AWS account.
	for _, region := range scanRegions {
		_, err = macie2.NewFromConfig(b.cfg(region)).DisableMacie(b.ctx, &macie2.DisableMacieInput{})
		b.must(err, "disable moto's default Macie session in "+region)
	}
	buildMisconfiguredServices(b)
	buildMisconfiguredEdge(b)
	return account{ID: b.account, Buckets: []string{public, trailBucket}}
}

// ---------------------------------------------------------------------------
// The well-configured account: what a careful customer does.

func buildWellConfigured(b *builder) account {
	start := time.Now()
	defer func() {
		b.t.Logf("built well-configured account %s in %s", b.account, time.Since(start).Round(time.Millisecond))
	}()
	ic := b.iam()
	b.scannerRole()

	_, err := ic.UpdateAccountPasswordPolicy(b.ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(14), RequireSymbols: true, RequireNumbers: true,
		RequireUppercaseCharacters: true, RequireLowercaseCharacters: true, AllowUsersToChangePassword: true,
		MaxPasswordAge: aws.Int32(90), PasswordReusePrevention: aws.Int32(24),
	})
	b.must(err, "password policy")

	// Permissions through groups only. AWS-managed policies other than
	// AdministratorAccess, so no rule about *:* can apply.
	for g, p := range map[string]string{"developers": "PowerUserAccess", "auditors": "ReadOnlyAccess"} {
		_, err = ic.CreateGroup(b.ctx, &iam.CreateGroupInput{GroupName: aws.String(g)})
		b.must(err, "group "+g)
		_, err = ic.AttachGroupPolicy(b.ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String(g), PolicyArn: aws.String(b.awsPolicy(p))})
		b.must(err, "group policy "+g)
	}
	// A console user with a virtual MFA device.
	_, err = ic.CreateUser(b.ctx, &iam.CreateUserInput{UserName: aws.String("alice")})
	b.must(err, "user alice")
	_, err = ic.AddUserToGroup(b.ctx, &iam.AddUserToGroupInput{UserName: aws.String("alice"), GroupName: aws.String("developers")})
	b.must(err, "alice group")
	_, err = ic.CreateLoginProfile(b.ctx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Correct-Horse-Battery-9-Staple!")})
	b.must(err, "alice console password")
	b.virtualMFA("alice")
	// A programmatic user (no console) with one fresh key.
	_, err = ic.CreateUser(b.ctx, &iam.CreateUserInput{UserName: aws.String("deploy-bot")})
	b.must(err, "user deploy-bot")
	_, err = ic.AddUserToGroup(b.ctx, &iam.AddUserToGroupInput{UserName: aws.String("deploy-bot"), GroupName: aws.String("auditors")})
	b.must(err, "deploy-bot group")
	_, err = ic.CreateAccessKey(b.ctx, &iam.CreateAccessKeyInput{UserName: aws.String("deploy-bot")})
	b.must(err, "deploy-bot key")
	// FSBP IAM.19 wants MFA on every IAM user, console or not.
	b.virtualMFA("deploy-bot")
	// A support role (CIS 1.17).
	trust := policyJSON(map[string]any{"Effect": "Allow", "Action": "sts:AssumeRole",
		"Principal": map[string]any{"AWS": "arn:aws:iam::" + b.account + ":root"}})
	_, err = ic.CreateRole(b.ctx, &iam.CreateRoleInput{RoleName: aws.String("support"), AssumeRolePolicyDocument: aws.String(trust)})
	b.must(err, "support role")
	_, err = ic.AttachRolePolicy(b.ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("support"), PolicyArn: aws.String(b.awsPolicy("AWSSupportAccess"))})
	b.must(err, "support role policy")

	// KMS key (with rotation) for the data bucket and the trail.
	kc := kms.NewFromConfig(b.cfg("us-east-1"))
	key, err := kc.CreateKey(b.ctx, &kms.CreateKeyInput{Description: aws.String("demarc e2e")})
	b.must(err, "kms key")
	keyARN := aws.ToString(key.KeyMetadata.Arn)
	b.name(aws.ToString(key.KeyMetadata.KeyId), "kms-main")
	_, err = kc.EnableKeyRotation(b.ctx, &kms.EnableKeyRotationInput{KeyId: key.KeyMetadata.KeyId})
	b.must(err, "kms rotation")

	// S3: account-level and bucket-level Block Public Access, encryption,
	// versioning, access logging and a TLS-only policy on every bucket.
	sc := s3control.NewFromConfig(b.cfg("us-east-1"))
	allBlocked := func() *s3ctypes.PublicAccessBlockConfiguration {
		return &s3ctypes.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
			BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}
	}
	_, err = sc.PutPublicAccessBlock(b.ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(b.account), PublicAccessBlockConfiguration: allBlocked()})
	b.must(err, "account block public access")
	logs, data := "logs-"+b.account, "data-"+b.account
	s := b.s3()
	for _, bucket := range []string{logs, data} {
		// Object Lock can only be enabled at creation (FSBP S3.15).
		_, err = s.CreateBucket(b.ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket), ObjectLockEnabledForBucket: aws.Bool(true)})
		b.must(err, "bucket "+bucket)
		_, err = s.PutPublicAccessBlock(b.ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(bucket), PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}})
		b.must(err, "bucket block public access "+bucket)
		_, err = s.PutBucketOwnershipControls(b.ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String(bucket), OwnershipControls: &s3types.OwnershipControls{
			Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}}}})
		b.must(err, "bucket ownership "+bucket)
		// SSE-KMS with a customer-managed key on both, the log bucket too
		// (server access logging delivers to SSE-KMS targets when the key
		// policy allows the logging service).
		rule := s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(keyARN)}
		_, err = s.PutBucketEncryption(b.ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(bucket), ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
			Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &rule, BucketKeyEnabled: aws.Bool(true)}}}})
		b.must(err, "bucket encryption "+bucket)
		_, err = s.PutBucketVersioning(b.ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket), VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
		b.must(err, "bucket versioning "+bucket)
	}
	service := func(svc, action, resource string) map[string]any {
		return map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": svc}, "Action": action, "Resource": resource}
	}
	logWriters := []map[string]any{
		service("cloudtrail.amazonaws.com", "s3:GetBucketAcl", "arn:aws:s3:::"+logs),
		service("cloudtrail.amazonaws.com", "s3:PutObject", "arn:aws:s3:::"+logs+"/*"),
		service("delivery.logs.amazonaws.com", "s3:PutObject", "arn:aws:s3:::"+logs+"/*"),
		service("logging.s3.amazonaws.com", "s3:PutObject", "arn:aws:s3:::"+logs+"/*"),
	}
	// Access logging once the log bucket's policy admits the logging
	// service. The log bucket logs to itself under its own prefix: every
	// bucket has access logging, and there is no third bucket to configure.
	// (moto's PutBucketLogging crashes on a policy with a "*" principal in
	// the target bucket, so the TLS-only statement is added afterwards.)
	b.putBucketPolicy(logs, logWriters...)
	for _, bucket := range []string{logs, data} {
		_, err = s.PutBucketLogging(b.ctx, &s3.PutBucketLoggingInput{Bucket: aws.String(bucket), BucketLoggingStatus: &s3types.BucketLoggingStatus{
			LoggingEnabled: &s3types.LoggingEnabled{TargetBucket: aws.String(logs), TargetPrefix: aws.String("s3/" + bucket + "/")}}})
		b.must(err, "bucket logging "+bucket)
	}
	for _, bucket := range []string{logs, data} {
		stmts := []map[string]any{{
			"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
			"Resource":  []string{"arn:aws:s3:::" + bucket, "arn:aws:s3:::" + bucket + "/*"},
			"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
		}}
		if bucket == logs {
			stmts = append(stmts, logWriters...)
		}
		b.putBucketPolicy(bucket, stmts...)
	}

	// EC2/VPC in every scanned region: EBS encryption by default, a default
	// SG with no rules, a default NACL without admin ports, VPC flow logs.
	for _, r := range scanRegions {
		b.nameDefaults(r)
		b.internetRoute(r)
		c := b.ec2(r)
		_, err = c.EnableEbsEncryptionByDefault(b.ctx, &ec2.EnableEbsEncryptionByDefaultInput{})
		b.must(err, "ebs default encryption "+r)
		vpc, _, defSG, defACL := b.defaultVPC(r)
		sg, err := c.DescribeSecurityGroups(b.ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{defSG}})
		b.must(err, "default SG "+r)
		if in := sg.SecurityGroups[0].IpPermissions; len(in) > 0 {
			_, err = c.RevokeSecurityGroupIngress(b.ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(defSG), IpPermissions: in})
			b.must(err, "default SG ingress "+r)
		}
		if out := sg.SecurityGroups[0].IpPermissionsEgress; len(out) > 0 {
			_, err = c.RevokeSecurityGroupEgress(b.ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(defSG), IpPermissions: out})
			b.must(err, "default SG egress "+r)
		}
		// Inbound: HTTPS and return traffic on ephemeral ports above 32768
		// (so 22 and 3389 stay closed); outbound unchanged.
		_, err = c.ReplaceNetworkAclEntry(b.ctx, &ec2.ReplaceNetworkAclEntryInput{
			NetworkAclId: aws.String(defACL), RuleNumber: aws.Int32(100), Protocol: aws.String("6"), Egress: aws.Bool(false),
			RuleAction: ec2types.RuleActionAllow, CidrBlock: aws.String("0.0.0.0/0"), PortRange: &ec2types.PortRange{From: aws.Int32(443), To: aws.Int32(443)},
		})
		b.must(err, "default NACL "+r)
		_, err = c.CreateNetworkAclEntry(b.ctx, &ec2.CreateNetworkAclEntryInput{
			NetworkAclId: aws.String(defACL), RuleNumber: aws.Int32(110), Protocol: aws.String("6"), Egress: aws.Bool(false),
			RuleAction: ec2types.RuleActionAllow, CidrBlock: aws.String("0.0.0.0/0"), PortRange: &ec2types.PortRange{From: aws.Int32(32768), To: aws.Int32(65535)},
		})
		b.must(err, "default NACL ephemeral "+r)
		// No public IPs by default (FSBP EC2.15): default subnets map them.
		subs, err := c.DescribeSubnets(b.ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpc}}}})
		b.must(err, "default subnets "+r)
		for _, sn := range subs.Subnets {
			_, err = c.ModifySubnetAttribute(b.ctx, &ec2.ModifySubnetAttributeInput{SubnetId: sn.SubnetId, MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(false)}})
			b.must(err, "subnet public IP mapping "+r)
		}
		fl, err := c.CreateFlowLogs(b.ctx, &ec2.CreateFlowLogsInput{
			ResourceIds: []string{vpc}, ResourceType: ec2types.FlowLogsResourceTypeVpc, TrafficType: ec2types.TrafficTypeAll,
			// No key prefix: moto takes everything after ":::" as the bucket.
			LogDestinationType: ec2types.LogDestinationTypeS3, LogDestination: aws.String("arn:aws:s3:::" + logs),
		})
		b.must(err, "flow logs "+r)
		if len(fl.Unsuccessful) > 0 || len(fl.FlowLogIds) == 0 {
			b.t.Fatalf("flow logs %s: not created: %+v", r, fl.Unsuccessful)
		}
		for _, id := range fl.FlowLogIds {
			b.name(id, "fl-default@"+r)
		}
	}
	// One instance: IMDSv2 required, no public IP, encrypted root volume,
	// behind an SG that opens HTTPS to the world and SSH only to 10/8.
	const r = "us-east-1"
	vpc, subnet, _, _ := b.defaultVPC(r)
	web := b.createSG(r, vpc, "web", []ec2types.IpPermission{tcp(443, "0.0.0.0/0", "::/0"), tcp(22, "10.0.0.0/8", "")})
	instance := b.runInstance(r, "imdsv2", subnet, web, ec2types.HttpTokensStateRequired, false, true)
	b.createVolume(r, "encrypted", true)

	// CloudTrail: one multi-region trail with log file validation, KMS,
	// CloudWatch Logs delivery and S3 data events.
	cwl := cloudwatchlogs.NewFromConfig(b.cfg(r))
	_, err = cwl.CreateLogGroup(b.ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("cloudtrail")})
	b.must(err, "log group")
	ctTrust := policyJSON(map[string]any{"Effect": "Allow", "Action": "sts:AssumeRole",
		"Principal": map[string]any{"Service": "cloudtrail.amazonaws.com"}})
	role, err := ic.CreateRole(b.ctx, &iam.CreateRoleInput{RoleName: aws.String("cloudtrail-logs"), AssumeRolePolicyDocument: aws.String(ctTrust)})
	b.must(err, "cloudtrail role")
	b.trail("main", logs, &cloudtrail.CreateTrailInput{
		IsMultiRegionTrail: aws.Bool(true), IncludeGlobalServiceEvents: aws.Bool(true), EnableLogFileValidation: aws.Bool(true),
		KmsKeyId:                  aws.String(keyARN),
		CloudWatchLogsLogGroupArn: aws.String(fmt.Sprintf("arn:aws:logs:%s:%s:log-group:cloudtrail:*", r, b.account)),
		CloudWatchLogsRoleArn:     role.Role.Arn,
	})
	_, err = cloudtrail.NewFromConfig(b.cfg(r)).PutEventSelectors(b.ctx, &cloudtrail.PutEventSelectorsInput{
		TrailName: aws.String("main"),
		EventSelectors: []cttypes.EventSelector{{
			ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true),
			DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3"}}},
		}},
	})
	b.must(err, "trail event selectors")

	// Detection in every scanned region.
	for _, r := range scanRegions {
		cfg := b.cfg(r)
		det, err := guardduty.NewFromConfig(cfg).CreateDetector(b.ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true),
			// S3 and RDS Protection (FSBP GuardDuty.10, GuardDuty.9).
			Features: []gdtypes.DetectorFeatureConfiguration{
				{Name: gdtypes.DetectorFeatureS3DataEvents, Status: gdtypes.FeatureStatusEnabled},
				{Name: gdtypes.DetectorFeatureRdsLoginEvents, Status: gdtypes.FeatureStatusEnabled},
			}})
		b.must(err, "guardduty "+r)
		b.name(aws.ToString(det.DetectorId), "detector@"+r)
		_, err = securityhub.NewFromConfig(cfg).EnableSecurityHub(b.ctx, &securityhub.EnableSecurityHubInput{EnableDefaultStandards: aws.Bool(true)})
		b.must(err, "security hub "+r)
		cs := configservice.NewFromConfig(cfg)
		_, err = cs.PutConfigurationRecorder(b.ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
			Name: aws.String("default"), RoleARN: aws.String("arn:aws:iam::" + b.account + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"),
			RecordingGroup: &cfgtypes.RecordingGroup{AllSupported: true, IncludeGlobalResourceTypes: r == "us-east-1"},
		}})
		b.must(err, "config recorder "+r)
		_, err = cs.PutDeliveryChannel(b.ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: &cfgtypes.DeliveryChannel{
			Name: aws.String("default"), S3BucketName: aws.String(logs)}})
		b.must(err, "config delivery channel "+r)
		_, err = cs.StartConfigurationRecorder(b.ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")})
		b.must(err, "config start "+r)
		_, err = inspector2.NewFromConfig(cfg).Enable(b.ctx, &inspector2.EnableInput{AccountIds: []string{b.account},
			ResourceTypes: []insptypes.ResourceScanType{insptypes.ResourceScanTypeEc2, insptypes.ResourceScanTypeEcr, insptypes.ResourceScanTypeLambda}})
		b.must(err, "inspector2 "+r)
		_, err = macie2.NewFromConfig(cfg).EnableMacie(b.ctx, &macie2.EnableMacieInput{})
		b.must(err, "macie "+r)
		// Through the front: moto has no Access Analyzer (see front).
		_, err = accessanalyzer.NewFromConfig(b.front.config(r)).CreateAnalyzer(b.ctx, &accessanalyzer.CreateAnalyzerInput{
			AnalyzerName: aws.String("account"), Type: aatypes.TypeAccount})
		b.must(err, "access analyzer "+r)
	}
	buildWellConfiguredServices(b, keyARN, instance, web)
	return account{ID: b.account, Buckets: []string{data, logs}}
}

// normalize replaces the account ID and the random IDs moto generated with
// stable names, for golden files.
func (b *builder) normalize(s string) string {
	s = strings.ReplaceAll(s, b.account, "ACCOUNT")
	// Longest IDs first so that no ID is a prefix of a replaced one.
	ids := make([]string, 0, len(b.names))
	for id := range b.names {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return len(ids[i]) > len(ids[j]) })
	for _, id := range ids {
		s = strings.ReplaceAll(s, id, "{"+b.names[id]+"}")
	}
	s = genericID.ReplaceAllString(s, "{$1-?}")
	return genericUUID.ReplaceAllString(s, "{uuid-?}")
}
