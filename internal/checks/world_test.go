package checks

import (
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/cloudtrail"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/iam"
	"github.com/demarc-sec/demarc/internal/model/s3"
	"github.com/demarc-sec/demarc/internal/model/secsvc"
)

// The compliant world: one account, two regions, where the customer's side
// of every rule holds. Fixtures break exactly one thing in it.

const acct = "123456789012"

var testRegions = []string{"eu-west-1", "us-east-1"}

// now is the snapshot's collection time; every age is relative to it.
var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func ago(days int) time.Time { return now.Add(-time.Duration(days) * 24 * time.Hour) }
func agoP(days int) *time.Time {
	t := ago(days)
	return &t
}

const (
	aliceARN       = "arn:aws:iam::" + acct + ":user/alice"
	devsPolicyARN  = "arn:aws:iam::" + acct + ":policy/devs-read"
	supportPolicy  = "arn:aws:iam::aws:policy/AWSSupportAccess"
	logBucket      = "trail-logs"
	readOnlyPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"]}]}`
	adminPolicy    = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
)

func tlsDenyPolicy(bucket string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"DenyHTTP","Effect":"Deny","Principal":"*","Action":"s3:*",` +
		`"Resource":["arn:aws:s3:::` + bucket + `","arn:aws:s3:::` + bucket + `/*"],` +
		`"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
}

func compliantUser() iam.User {
	return iam.User{
		Meta:             core.Meta{ARN: aliceARN, Account: acct, Region: core.GlobalRegion},
		Name:             "alice",
		Path:             "/",
		CreateDate:       ago(400),
		PasswordLastUsed: agoP(2),
		Groups:           []string{"devs"},
		LoginProfile:     core.Known(true),
		MFADevices:       core.Known([]iam.MFADevice{{SerialNumber: "arn:aws:iam::" + acct + ":mfa/alice", EnableDate: ago(399)}}),
		AccessKeys: core.Known([]iam.AccessKey{{
			ID: "AKIAALICE1", Status: "Active", CreateDate: ago(30), LastUsed: core.Known(agoP(1)),
		}}),
	}
}

func compliantIAM() iam.Account {
	return iam.Account{
		Users: core.Known([]iam.User{compliantUser()}),
		Groups: core.Known([]iam.Group{{
			Meta: core.Meta{ARN: "arn:aws:iam::" + acct + ":group/devs"}, Name: "devs", Path: "/",
			AttachedPolicies: []iam.AttachedPolicy{{Name: "devs-read", ARN: devsPolicyARN}},
		}}),
		Roles: core.Known([]iam.Role{{
			Meta: core.Meta{ARN: "arn:aws:iam::" + acct + ":role/support"}, Name: "support", Path: "/",
			AttachedPolicies: []iam.AttachedPolicy{{Name: "AWSSupportAccess", ARN: supportPolicy}},
			LastUsed:         core.Known[*time.Time](nil),
		}}),
		Policies: core.Known([]iam.ManagedPolicy{
			{
				Meta: core.Meta{ARN: devsPolicyARN}, Name: "devs-read", Path: "/", DefaultVersionID: "v1", AttachmentCount: 1,
				IsAttachable: true, Versions: []iam.PolicyVersion{{VersionID: "v1", IsDefault: true, Document: readOnlyPolicy}},
			},
			{
				Meta: core.Meta{ARN: supportPolicy}, Name: "AWSSupportAccess", Path: "/", DefaultVersionID: "v2", AttachmentCount: 1,
				IsAttachable: true, AWSManaged: true,
				Versions: []iam.PolicyVersion{{VersionID: "v2", IsDefault: true, Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["support:*"],"Resource":"*"}]}`}},
			},
		}),
		InstanceProfiles: core.Known([]iam.InstanceProfile{}),
		PasswordPolicy: core.Known(&iam.PasswordPolicy{
			MinimumPasswordLength: 14, RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true,
			RequireLowercaseCharacters: true, AllowUsersToChangePassword: true, PasswordReusePrevention: 24,
			ExpirePasswords: true, MaxPasswordAge: 90,
		}),
		Summary: core.Known(map[string]int32{"AccountAccessKeysPresent": 0, "AccountMFAEnabled": 1}),
		CredentialReport: core.Known([]iam.CredentialReportRow{
			{User: iam.RootUserName, ARN: "arn:aws:iam::" + acct + ":root", UserCreationTime: agoP(1000), MFAActive: true},
			{
				User: "alice", ARN: aliceARN, UserCreationTime: agoP(400), PasswordEnabled: true, PasswordLastUsed: agoP(2),
				PasswordLastChanged: agoP(100), MFAActive: true, AccessKey1Active: true, AccessKey1LastRotated: agoP(30), AccessKey1LastUsed: agoP(1),
			},
		}),
		VirtualMFA: core.Known([]iam.VirtualMFADevice{{SerialNumber: "arn:aws:iam::" + acct + ":mfa/alice", User: aliceARN}}),
	}
}

func compliantBucket(name, region string) s3.Bucket {
	return s3.Bucket{
		Meta:               core.Meta{ARN: "arn:aws:s3:::" + name, Account: acct, Region: region},
		Name:               name,
		CreationDate:       ago(500),
		Policy:             core.Known(tlsDenyPolicy(name)),
		PolicyStatusPublic: core.Known(false),
		PublicAccessBlock:  core.Known(&s3.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}),
		Encryption:         core.Known(&s3.Encryption{Rules: []s3.EncryptionRule{{SSEAlgorithm: "aws:kms", KMSMasterKeyID: "arn:aws:kms:us-east-1:" + acct + ":key/k1", BucketKeyEnabled: true}}}),
		Versioning:         core.Known(s3.Versioning{Status: "Enabled", MFADelete: "Enabled"}),
		Logging:            core.Known(&s3.Logging{TargetBucket: "access-logs", TargetPrefix: name + "/"}),
		ACL: core.Known(s3.ACL{OwnerID: "owner1", Grants: []s3.Grant{
			{GranteeType: "CanonicalUser", GranteeID: "owner1", Permission: "FULL_CONTROL"},
		}}),
		ObjectOwnership: core.Known("BucketOwnerEnforced"),
	}
}

func compliantEC2Region(name string) ec2.Region {
	arn := func(res string) string { return "arn:aws:ec2:" + name + ":" + acct + ":" + res }
	meta := func(res string) core.Meta { return core.Meta{ARN: arn(res), Account: acct, Region: name} }
	return ec2.Region{
		Name:    name,
		VPCs:    core.Known([]ec2.VPC{{Meta: meta("vpc/vpc-1"), ID: "vpc-1", CIDRs: []string{"10.0.0.0/16"}, State: "available"}}),
		Subnets: core.Known([]ec2.Subnet{{Meta: meta("subnet/subnet-1"), ID: "subnet-1", VPCID: "vpc-1", CIDR: "10.0.1.0/24"}}),
		SecurityGroups: core.Known([]ec2.SecurityGroup{
			{Meta: meta("security-group/sg-default"), ID: "sg-default", Name: "default", VPCID: "vpc-1", OwnerID: acct},
			{
				Meta: meta("security-group/sg-web"), ID: "sg-web", Name: "web", VPCID: "vpc-1", OwnerID: acct,
				Ingress: []ec2.Permission{
					{Protocol: "tcp", FromPort: 443, ToPort: 443, IPv4Ranges: []string{"0.0.0.0/0"}, IPv6Ranges: []string{"::/0"}},
					{Protocol: "tcp", FromPort: 22, ToPort: 22, IPv4Ranges: []string{"10.0.0.0/8"}},
					{Protocol: "-1", GroupRefs: []ec2.GroupRef{{GroupID: "sg-web"}}},
				},
				Egress: []ec2.Permission{{Protocol: "-1", IPv4Ranges: []string{"0.0.0.0/0"}}},
			},
		}),
		NetworkACLs: core.Known([]ec2.NetworkACL{{
			Meta: meta("network-acl/acl-1"), ID: "acl-1", VPCID: "vpc-1", IsDefault: true, SubnetIDs: []string{"subnet-1"},
			Entries: []ec2.NACLEntry{
				{RuleNumber: 100, Protocol: "6", Action: "allow", CIDR: "0.0.0.0/0", HasPorts: true, PortFrom: 443, PortTo: 443},
				{RuleNumber: 110, Protocol: "6", Action: "allow", CIDR: "10.0.0.0/8", HasPorts: true, PortFrom: 22, PortTo: 22},
				{RuleNumber: 100, Egress: true, Protocol: "-1", Action: "allow", CIDR: "0.0.0.0/0"},
				{RuleNumber: 32767, Protocol: "-1", Action: "deny", CIDR: "0.0.0.0/0"},
				{RuleNumber: 32768, Protocol: "-1", Action: "deny", IPv6CIDR: "::/0"},
			},
		}}),
		NetworkInterfaces: core.Known([]ec2.NetworkInterface{{Meta: meta("network-interface/eni-1"), ID: "eni-1", VPCID: "vpc-1", SubnetID: "subnet-1", InstanceID: "i-1", SecurityGroupIDs: []string{"sg-web"}}}),
		Instances: core.Known([]ec2.Instance{
			{
				Meta: meta("instance/i-1"), ID: "i-1", State: "running", VPCID: "vpc-1", SubnetID: "subnet-1", PrivateIP: "10.0.1.10",
				Metadata: ec2.MetadataOptions{HTTPTokens: "required", HTTPEndpoint: "enabled", HTTPPutHopLimit: 2},
			},
			// A terminated instance with IMDSv1 and a public IP: gone, so not judged.
			{Meta: meta("instance/i-old"), ID: "i-old", State: "terminated", PublicIP: "203.0.113.9", Metadata: ec2.MetadataOptions{HTTPTokens: "optional"}},
		}),
		Volumes: core.Known([]ec2.Volume{
			{Meta: meta("volume/vol-1"), ID: "vol-1", State: "in-use", Encrypted: true, AttachedTo: []string{"i-1"}},
			// Unattached and unencrypted: outside FSBP EC2.3's scope.
			{Meta: meta("volume/vol-spare"), ID: "vol-spare", State: "available"},
		}),
		Snapshots: core.Known([]ec2.Snapshot{{
			Meta: meta("snapshot/snap-1"), ID: "snap-1", VolumeID: "vol-1", Encrypted: true, OwnerID: acct,
			CreateVolumePermissions: core.Known([]ec2.VolumePermission{{UserID: "210987654321"}}),
		}}),
		FlowLogs:               core.Known([]ec2.FlowLog{{Meta: meta("vpc-flow-log/fl-1"), ID: "fl-1", ResourceID: "vpc-1", TrafficType: "ALL", Status: "ACTIVE"}}),
		EBSEncryptionByDefault: core.Known(true),
		RouteTables:            core.Known([]ec2.RouteTable{}),
		InternetGateways:       core.Known([]ec2.InternetGateway{}),
		EgressOnlyGateways:     core.Known([]ec2.InternetGateway{}),
		NATGateways:            core.Known([]ec2.NATGateway{}),
		PeeringConnections:     core.Known([]ec2.PeeringConnection{}),
	}
}

func compliantTrail() cloudtrail.Trail {
	return cloudtrail.Trail{
		Meta:                       core.Meta{ARN: "arn:aws:cloudtrail:us-east-1:" + acct + ":trail/main", Account: acct, Region: "us-east-1"},
		Name:                       "main",
		HomeRegion:                 "us-east-1",
		IsMultiRegion:              true,
		IncludeGlobalServiceEvents: true,
		LogFileValidation:          true,
		KMSKeyID:                   "arn:aws:kms:us-east-1:" + acct + ":key/ct",
		S3BucketName:               logBucket,
		CloudWatchLogsLogGroupARN:  "arn:aws:logs:us-east-1:" + acct + ":log-group:ct:*",
		Status:                     core.Known(cloudtrail.Status{IsLogging: true}),
		Selectors: core.Known(cloudtrail.Selectors{Basic: []cloudtrail.EventSelector{{
			ReadWriteType: "All", IncludeManagementEvents: true,
			DataResources: []cloudtrail.DataResource{{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3"}}},
		}}}),
	}
}

func compliantSecurity(name string) secsvc.Region {
	return secsvc.Region{
		Name:        name,
		GuardDuty:   core.Known(secsvc.GuardDuty{DetectorID: "det-" + name, Status: "ENABLED"}),
		SecurityHub: core.Known(secsvc.SecurityHub{HubARN: "arn:aws:securityhub:" + name + ":" + acct + ":hub/default", Standards: core.Known([]string{})}),
		Inspector:   core.Known(secsvc.Inspector{EC2: "ENABLED", ECR: "ENABLED", Lambda: "ENABLED"}),
		Macie:       core.Known(secsvc.Macie{Status: "ENABLED"}),
		Config: core.Known(secsvc.Config{
			Recorders:        []secsvc.Recorder{{Name: "default", AllSupported: true, IncludeGlobalResourceTypes: name == "us-east-1", Recording: true, LastStatus: "SUCCESS"}},
			DeliveryChannels: 1,
		}),
		AccessAnalyzer: core.Known([]secsvc.Analyzer{{ARN: "arn:aws:access-analyzer:" + name + ":" + acct + ":analyzer/ext", Name: "ext", Type: "ACCOUNT", Status: "ACTIVE"}}),
	}
}

// compliantSnapshot returns a fresh, fully compliant snapshot.
func compliantSnapshot() *model.Snapshot {
	s := model.New(acct, "aws", testRegions)
	s.CollectedAt = now
	s.IAM = compliantIAM()
	s.S3 = s3.Account{
		AccountPublicAccessBlock: core.Known(&s3.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}),
		Buckets:                  core.Known([]s3.Bucket{compliantBucket(logBucket, "us-east-1"), compliantBucket("data", "eu-west-1")}),
	}
	for _, r := range testRegions {
		s.EC2 = append(s.EC2, compliantEC2Region(r))
		s.Security = append(s.Security, compliantSecurity(r))
	}
	s.CloudTrail = cloudtrail.Account{Trails: core.Known([]cloudtrail.Trail{compliantTrail()}), RegionsRead: testRegions}
	memberOfOrg(s, true)
	addCompliantExposure(s)
	addCompliantELB(s)
	addCompliantServices(s)
	addCompliantMonitoring(s)
	addCompliantDatabases(s)
	addCompliantKMS(s)
	addCompliantAvailability(s)
	addCompliantRecoveryPoints(s)
	addCompliantIAMCIS(s)
	addCompliantStorageFSBP(s)
	addCompliantEC2FSBP(s)
	addCompliantAPIGateway(s)
	addCompliantEFS(s)
	addCompliantWAFIdentity(s)
	// Last: protects with Shield Advanced whatever the helpers above added.
	addCompliantEdge(s)
	return s
}

// Mutation helpers: fixtures reach into the compliant world through these.

func bucketAt(s *model.Snapshot, i int) *s3.Bucket { return &s.S3.Buckets.V[i] }
func userAt(s *model.Snapshot, i int) *iam.User    { return &s.IAM.Users.V[i] }
func reportRow(s *model.Snapshot, user string) *iam.CredentialReportRow {
	for i := range s.IAM.CredentialReport.V {
		if s.IAM.CredentialReport.V[i].User == user {
			return &s.IAM.CredentialReport.V[i]
		}
	}
	panic("no report row " + user)
}
func ec2At(s *model.Snapshot, region string) *ec2.Region { return s.EC2Region(region) }
func sgNamed(s *model.Snapshot, region, name string) *ec2.SecurityGroup {
	r := ec2At(s, region)
	for i := range r.SecurityGroups.V {
		if r.SecurityGroups.V[i].Name == name {
			return &r.SecurityGroups.V[i]
		}
	}
	panic("no security group " + name)
}
func secAt(s *model.Snapshot, region string) *secsvc.Region { return secRegion(s, region) }
func trailAt(s *model.Snapshot, i int) *cloudtrail.Trail    { return &s.CloudTrail.Trails.V[i] }

func TestCompliantWorldPassesEveryRule(t *testing.T) {
	s := compliantSnapshot()
	for _, r := range AllWith(worldOptions) {
		res := r.Check(s)
		if len(res) == 0 {
			t.Errorf("%s: no results on the compliant world", r.ID)
		}
		for _, x := range res {
			if x.Status != Pass {
				t.Errorf("%s: %s %s: %s", r.ID, x.Status, x.ResourceARN, x.Message)
			}
			if x.ResourceARN == "" || x.Region == "" || x.Message == "" {
				t.Errorf("%s: incomplete result %+v", r.ID, x)
			}
		}
	}
}

// Every rule must carry the metadata the reports and `demarc rules` show.
func TestRuleMetadata(t *testing.T) {
	for _, r := range All() {
		if r.Title == "" || r.Description == "" || r.Remediation == "" || len(r.Links) == 0 || r.Responsibility == "" {
			t.Errorf("%s: missing title, description, remediation, links or responsibility", r.ID)
		}
		if r.Frameworks == nil {
			t.Errorf("%s: Frameworks is nil (use an empty map when no control applies)", r.ID)
		}
		for fw := range r.Frameworks {
			if fw != CIS50 && fw != FSBP {
				t.Errorf("%s: unknown framework key %q", r.ID, fw)
			}
		}
	}
}

// On a snapshot where nothing was collected, every rule must say so
// (UNKNOWN with a reason), not stay silent: silence reads as "nothing to
// check", which is a quiet PASS.
func TestUncollectedIsUnknownNotSilent(t *testing.T) {
	s := model.New(acct, "aws", testRegions)
	for _, r := range AllWith(worldOptions) {
		res := r.Check(s)
		if len(res) == 0 {
			t.Errorf("%s: no results on an uncollected snapshot", r.ID)
		}
		for _, x := range res {
			if x.Status != Unknown || x.Message == "" {
				t.Errorf("%s: %s %q on an uncollected snapshot", r.ID, x.Status, x.Message)
			}
		}
	}
}
