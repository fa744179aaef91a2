package checks

import (
	"fmt"
	"time"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/cloudtrail"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/iam"
	"github.com/demarc-sec/demarc/internal/model/s3"
	"github.com/demarc-sec/demarc/internal/model/secsvc"
)

// syntheticRegions are the regions SyntheticSnapshot spreads resources over.
var syntheticRegions = []string{"ap-southeast-1", "eu-west-1", "us-east-1", "us-west-2"}

// syntheticShare is each resource kind's share (percent) of a synthetic
// snapshot, roughly the mix of a mid-sized production account.
var syntheticShare = struct {
	users, roles, policies, groups, buckets                                  int
	vpcs, subnets, sgs, nacls, enis, instances, volumes, snapshots, flowLogs int
}{
	users: 8, roles: 6, policies: 4, groups: 1, buckets: 6,
	vpcs: 2, subnets: 6, sgs: 15, nacls: 4, enis: 10, instances: 13, volumes: 14, snapshots: 9, flowLogs: 2,
}

// SyntheticSnapshot builds a deterministic snapshot of about n resources
// (IAM users, roles, policies and groups, S3 buckets, and per-region VPCs,
// subnets, security groups, NACLs, ENIs, instances, volumes, snapshots and
// flow logs over four regions), with a realistic mix of compliant and
// non-compliant settings. It exists for benchmarks and load tests of the
// rules and the engine; it never touches AWS.
func SyntheticSnapshot(n int) *model.Snapshot {
	if n < 100 {
		n = 100
	}
	const acct = "111122223333"
	collected := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	ago := func(d int) time.Time { return collected.Add(-time.Duration(d) * day) }
	agoP := func(d int) *time.Time { t := ago(d); return &t }
	count := func(share int) int {
		c := n * share / 100
		if c < 1 {
			c = 1
		}
		return c
	}
	s := model.New(acct, "aws", syntheticRegions)
	s.CollectedAt = collected

	// IAM.
	nPol := count(syntheticShare.policies)
	policies := make([]iam.ManagedPolicy, 0, nPol+2)
	docs := []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::data-%d","arn:aws:s3:::data-%d/*"]}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"},{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::app-%d/%d/*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Sid":"Admin%d","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"List%d","Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:PutItem"],"Resource":"arn:aws:dynamodb:*:*:table/t%d-%d","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`,
	}
	for i := 0; i < nPol; i++ {
		doc := docs[i%len(docs)]
		if i%len(docs) == 2 && i%40 != 2 {
			doc = docs[0] // admin policies are rare
		}
		arn := fmt.Sprintf("arn:aws:iam::%s:policy/app/policy-%d", acct, i)
		policies = append(policies, iam.ManagedPolicy{
			Meta: core.Meta{ARN: arn, Account: acct, Region: globalRegion}, Name: fmt.Sprintf("policy-%d", i), Path: "/app/",
			DefaultVersionID: "v2", AttachmentCount: int32(i % 3), IsAttachable: true,
			Versions: []iam.PolicyVersion{
				{VersionID: "v1", Document: fmt.Sprintf(docs[0], i, i), CreateDate: ago(400)},
				{VersionID: "v2", IsDefault: true, Document: fmt.Sprintf(doc, i, i), CreateDate: ago(100)},
			},
		})
	}
	policies = append(policies,
		iam.ManagedPolicy{Meta: core.Meta{ARN: "arn:aws:iam::aws:policy/AdministratorAccess"}, Name: "AdministratorAccess", Path: "/",
			DefaultVersionID: "v1", AttachmentCount: 2, AWSManaged: true,
			Versions: []iam.PolicyVersion{{VersionID: "v1", IsDefault: true, Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}}},
		iam.ManagedPolicy{Meta: core.Meta{ARN: supportPolicyARN()}, Name: "AWSSupportAccess", Path: "/",
			DefaultVersionID: "v1", AttachmentCount: 1, AWSManaged: true,
			Versions: []iam.PolicyVersion{{VersionID: "v1", IsDefault: true, Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["support:*"],"Resource":"*"}]}`}}},
	)
	attached := func(i int) []iam.AttachedPolicy {
		p := policies[i%nPol]
		return []iam.AttachedPolicy{{Name: p.Name, ARN: p.ARN}}
	}

	nUsers := count(syntheticShare.users)
	users := make([]iam.User, 0, nUsers)
	rows := make([]iam.CredentialReportRow, 0, nUsers+1)
	rows = append(rows, iam.CredentialReportRow{User: iam.RootUserName, ARN: "arn:aws:iam::" + acct + ":root", UserCreationTime: agoP(2000), MFAActive: true})
	for i := 0; i < nUsers; i++ {
		name := fmt.Sprintf("user-%05d", i)
		arn := "arn:aws:iam::" + acct + ":user/" + name
		password := i%3 != 0
		mfa := i%7 != 0
		var devs []iam.MFADevice
		if mfa {
			devs = []iam.MFADevice{{SerialNumber: "arn:aws:iam::" + acct + ":mfa/" + name, EnableDate: ago(300)}}
		}
		keys := []iam.AccessKey{{ID: fmt.Sprintf("AKIA%016d", i), Status: "Active", CreateDate: ago(10 + i%200), LastUsed: core.Known(agoP(i % 70))}}
		if i%11 == 0 {
			keys = append(keys, iam.AccessKey{ID: fmt.Sprintf("AKIB%016d", i), Status: "Inactive", CreateDate: ago(500), LastUsed: core.Known[*time.Time](nil)})
		}
		u := iam.User{
			Meta: core.Meta{ARN: arn, Account: acct, Region: globalRegion}, Name: name, Path: "/", UserID: fmt.Sprintf("AIDA%016d", i),
			CreateDate: ago(30 + i%900), Groups: []string{fmt.Sprintf("group-%d", i%count(syntheticShare.groups))},
			LoginProfile: core.Known(password), MFADevices: core.Known(devs), AccessKeys: core.Known(keys),
		}
		if password {
			u.PasswordLastUsed = agoP(i % 120)
		}
		if i%9 == 0 {
			u.AttachedPolicies = attached(i)
		}
		if i%25 == 0 {
			u.InlinePolicies = []iam.InlinePolicy{{Name: "inline", Document: fmt.Sprintf(docs[i%len(docs)], i, i)}}
		}
		users = append(users, u)
		rows = append(rows, iam.CredentialReportRow{
			User: name, ARN: arn, UserCreationTime: &u.CreateDate, PasswordEnabled: password, PasswordLastUsed: u.PasswordLastUsed,
			PasswordLastChanged: agoP(200), MFAActive: mfa, AccessKey1Active: true, AccessKey1LastRotated: &keys[0].CreateDate,
			AccessKey1LastUsed: keys[0].LastUsed.V,
		})
	}
	nGroups := count(syntheticShare.groups)
	groups := make([]iam.Group, 0, nGroups)
	for i := 0; i < nGroups; i++ {
		name := fmt.Sprintf("group-%d", i)
		groups = append(groups, iam.Group{Meta: core.Meta{ARN: "arn:aws:iam::" + acct + ":group/" + name}, Name: name, Path: "/", AttachedPolicies: attached(i + 1)})
	}
	nRoles := count(syntheticShare.roles)
	roles := make([]iam.Role, 0, nRoles)
	for i := 0; i < nRoles; i++ {
		name := fmt.Sprintf("role-%05d", i)
		r := iam.Role{
			Meta: core.Meta{ARN: "arn:aws:iam::" + acct + ":role/" + name}, Name: name, Path: "/", CreateDate: ago(100 + i%500),
			AssumeRolePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
			AttachedPolicies: attached(i + 2), LastUsed: core.Known(agoP(i % 30)),
		}
		if i == 0 {
			r.AttachedPolicies = append(r.AttachedPolicies, iam.AttachedPolicy{Name: "AWSSupportAccess", ARN: supportPolicyARN()})
		}
		if i%13 == 0 {
			r.InlinePolicies = []iam.InlinePolicy{{Name: "inline", Document: fmt.Sprintf(docs[(i+1)%len(docs)], i, i)}}
		}
		roles = append(roles, r)
	}
	s.IAM = iam.Account{
		Users: core.Known(users), Groups: core.Known(groups), Roles: core.Known(roles), Policies: core.Known(policies),
		InstanceProfiles: core.Known([]iam.InstanceProfile{}),
		PasswordPolicy:   core.Known(&iam.PasswordPolicy{MinimumPasswordLength: 12, RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true}),
		Summary:          core.Known(map[string]int32{"AccountAccessKeysPresent": 0, "AccountMFAEnabled": 1}),
		CredentialReport: core.Known(rows),
		VirtualMFA:       core.Known([]iam.VirtualMFADevice{}),
	}

	// S3.
	nBuckets := count(syntheticShare.buckets)
	buckets := make([]s3.Bucket, 0, nBuckets)
	for i := 0; i < nBuckets; i++ {
		name := fmt.Sprintf("bucket-%05d", i)
		region := syntheticRegions[i%len(syntheticRegions)]
		policy := ""
		if i%2 == 0 {
			policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::` + name +
				`","arn:aws:s3:::` + name + `/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
		}
		grants := []s3.Grant{{GranteeType: "CanonicalUser", GranteeID: "owner", Permission: "FULL_CONTROL"}}
		ownership := "BucketOwnerEnforced"
		var bpa *s3.PublicAccessBlock
		if i%5 != 0 {
			bpa = &s3.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
		}
		if i%20 == 0 {
			ownership = "ObjectWriter"
			grants = append(grants, s3.Grant{GranteeType: "Group", GranteeURI: s3.AllUsersURI, Permission: "READ"})
		}
		var logging *s3.Logging
		if i%3 == 0 {
			logging = &s3.Logging{TargetBucket: "access-logs", TargetPrefix: name + "/"}
		}
		versioning := s3.Versioning{Status: "Enabled"}
		if i%4 == 0 {
			versioning = s3.Versioning{}
		}
		alg := "AES256"
		if i%3 == 1 {
			alg = "aws:kms"
		}
		buckets = append(buckets, s3.Bucket{
			Meta: core.Meta{ARN: "arn:aws:s3:::" + name, Account: acct, Region: region}, Name: name, CreationDate: ago(i % 1000),
			Policy: core.Known(policy), PolicyStatusPublic: core.Known(false), PublicAccessBlock: core.Known(bpa),
			Encryption: core.Known(&s3.Encryption{Rules: []s3.EncryptionRule{{SSEAlgorithm: alg}}}),
			Versioning: core.Known(versioning), Logging: core.Known(logging),
			ACL: core.Known(s3.ACL{OwnerID: "owner", Grants: grants}), ObjectOwnership: core.Known(ownership),
		})
	}
	s.S3 = s3.Account{
		AccountPublicAccessBlock: core.Known(&s3.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true}),
		Buckets:                  core.Known(buckets),
	}

	// EC2/VPC, spread evenly over the regions.
	per := func(share int) int {
		c := count(share) / len(syntheticRegions)
		if c < 1 {
			c = 1
		}
		return c
	}
	for ri, region := range syntheticRegions {
		arn := func(kind, id string) string { return "arn:aws:ec2:" + region + ":" + acct + ":" + kind + "/" + id }
		meta := func(kind, id string) core.Meta { return core.Meta{ARN: arn(kind, id), Account: acct, Region: region} }
		r := ec2.Region{Name: region, EBSEncryptionByDefault: core.Known(ri%2 == 0)}

		nVPC := per(syntheticShare.vpcs)
		vpcs := make([]ec2.VPC, 0, nVPC)
		for i := 0; i < nVPC; i++ {
			id := fmt.Sprintf("vpc-%d%06d", ri, i)
			vpcs = append(vpcs, ec2.VPC{Meta: meta("vpc", id), ID: id, CIDRs: []string{fmt.Sprintf("10.%d.0.0/16", i%256)}, IsDefault: i == 0, State: "available"})
		}
		vpcOf := func(i int) string { return vpcs[i%nVPC].ID }

		nSub := per(syntheticShare.subnets)
		subnets := make([]ec2.Subnet, 0, nSub)
		for i := 0; i < nSub; i++ {
			id := fmt.Sprintf("subnet-%d%06d", ri, i)
			subnets = append(subnets, ec2.Subnet{Meta: meta("subnet", id), ID: id, VPCID: vpcOf(i), CIDR: fmt.Sprintf("10.%d.%d.0/24", i%256, i%250),
				AvailabilityZone: region + string(rune('a'+i%3)), MapPublicIPOnLaunch: i%4 == 0})
		}

		nSG := per(syntheticShare.sgs)
		sgs := make([]ec2.SecurityGroup, 0, nSG)
		for i := 0; i < nSG; i++ {
			id := fmt.Sprintf("sg-%d%06d", ri, i)
			g := ec2.SecurityGroup{Meta: meta("security-group", id), ID: id, Name: fmt.Sprintf("app-%d", i), VPCID: vpcOf(i), OwnerID: acct,
				Ingress: []ec2.Permission{
					{Protocol: "tcp", FromPort: 443, ToPort: 443, IPv4Ranges: []string{"0.0.0.0/0"}},
					{Protocol: "tcp", FromPort: 5432, ToPort: 5432, GroupRefs: []ec2.GroupRef{{GroupID: "sg-app"}}},
					{Protocol: "tcp", FromPort: 22, ToPort: 22, IPv4Ranges: []string{"10.0.0.0/8", "192.168.0.0/16"}},
				},
				Egress: []ec2.Permission{{Protocol: "-1", FromPort: -1, ToPort: -1, IPv4Ranges: []string{"0.0.0.0/0"}, IPv6Ranges: []string{"::/0"}}},
			}
			switch {
			case i < nVPC:
				g.Name, g.VPCID = "default", vpcs[i].ID
				if i%2 == 0 {
					g.Ingress, g.Egress = nil, nil
				}
			case i%17 == 0:
				g.Ingress = append(g.Ingress, ec2.Permission{Protocol: "tcp", FromPort: 22, ToPort: 22, IPv4Ranges: []string{"0.0.0.0/0"}})
			case i%29 == 0:
				g.Ingress = append(g.Ingress, ec2.Permission{Protocol: "-1", FromPort: -1, ToPort: -1, IPv6Ranges: []string{"::/0"}})
			case i%31 == 0:
				g.Ingress = append(g.Ingress, ec2.Permission{Protocol: "tcp", FromPort: 3000, ToPort: 3500, IPv4Ranges: []string{"0.0.0.0/0"}})
			}
			sgs = append(sgs, g)
		}

		nACL := per(syntheticShare.nacls)
		acls := make([]ec2.NetworkACL, 0, nACL)
		for i := 0; i < nACL; i++ {
			id := fmt.Sprintf("acl-%d%06d", ri, i)
			entries := []ec2.NACLEntry{
				{RuleNumber: 100, Protocol: "6", Action: "allow", CIDR: "0.0.0.0/0", HasPorts: true, PortFrom: 443, PortTo: 443},
				{RuleNumber: 110, Protocol: "6", Action: "allow", CIDR: "0.0.0.0/0", HasPorts: true, PortFrom: 1024, PortTo: 65535},
				{RuleNumber: 120, Protocol: "-1", Action: "allow", CIDR: "10.0.0.0/8"},
				{RuleNumber: 100, Egress: true, Protocol: "-1", Action: "allow", CIDR: "0.0.0.0/0"},
				{RuleNumber: 32767, Protocol: "-1", Action: "deny", CIDR: "0.0.0.0/0"},
				{RuleNumber: 32767, Egress: true, Protocol: "-1", Action: "deny", CIDR: "0.0.0.0/0"},
			}
			if i%3 == 0 { // the default NACL: allow all
				entries = append([]ec2.NACLEntry{{RuleNumber: 100, Protocol: "-1", Action: "allow", CIDR: "0.0.0.0/0"}}, entries[3:]...)
			}
			acls = append(acls, ec2.NetworkACL{Meta: meta("network-acl", id), ID: id, VPCID: vpcOf(i), IsDefault: i%3 == 0, Entries: entries,
				SubnetIDs: []string{subnets[i%nSub].ID}})
		}

		nInst := per(syntheticShare.instances)
		insts := make([]ec2.Instance, 0, nInst)
		for i := 0; i < nInst; i++ {
			id := fmt.Sprintf("i-%d%016d", ri, i)
			state := "running"
			switch i % 10 {
			case 7:
				state = "stopped"
			case 9:
				state = "terminated"
			}
			tokens := "required"
			if i%4 == 0 {
				tokens = "optional"
			}
			inst := ec2.Instance{Meta: meta("instance", id), ID: id, State: state, InstanceType: "m7g.large", ImageID: "ami-1",
				VPCID: vpcOf(i), SubnetID: subnets[i%nSub].ID, PrivateIP: fmt.Sprintf("10.0.%d.%d", i%250, i%200),
				SecurityGroupIDs: []string{sgs[i%nSG].ID}, LaunchTime: ago(i % 300),
				Metadata: ec2.MetadataOptions{HTTPTokens: tokens, HTTPEndpoint: "enabled", HTTPPutHopLimit: 2}}
			if i%6 == 0 {
				inst.PublicIP = fmt.Sprintf("203.0.%d.%d", i%250, i%200)
			}
			insts = append(insts, inst)
		}

		nENI := per(syntheticShare.enis)
		enis := make([]ec2.NetworkInterface, 0, nENI)
		for i := 0; i < nENI; i++ {
			id := fmt.Sprintf("eni-%d%06d", ri, i)
			eni := ec2.NetworkInterface{Meta: meta("network-interface", id), ID: id, VPCID: vpcOf(i), SubnetID: subnets[i%nSub].ID,
				InterfaceType: "interface", Status: "in-use", PrivateIPs: []string{fmt.Sprintf("10.1.%d.%d", i%250, i%200)},
				SecurityGroupIDs: []string{sgs[i%nSG].ID}, InstanceID: insts[i%nInst].ID}
			if i%15 == 0 {
				eni.PublicIPs = []string{fmt.Sprintf("198.51.%d.%d", i%250, i%200)}
			}
			enis = append(enis, eni)
		}

		nVol := per(syntheticShare.volumes)
		vols := make([]ec2.Volume, 0, nVol)
		for i := 0; i < nVol; i++ {
			id := fmt.Sprintf("vol-%d%016d", ri, i)
			v := ec2.Volume{Meta: meta("volume", id), ID: id, State: "in-use", SizeGiB: int32(8 + i%500), Encrypted: i%5 != 0,
				AvailabilityZone: region + "a", AttachedTo: []string{insts[i%nInst].ID}}
			if i%8 == 0 {
				v.State, v.AttachedTo = "available", nil
			}
			vols = append(vols, v)
		}

		nSnap := per(syntheticShare.snapshots)
		snaps := make([]ec2.Snapshot, 0, nSnap)
		for i := 0; i < nSnap; i++ {
			id := fmt.Sprintf("snap-%d%016d", ri, i)
			var perms []ec2.VolumePermission
			switch {
			case i%50 == 0:
				perms = []ec2.VolumePermission{{Group: "all"}}
			case i%7 == 0:
				perms = []ec2.VolumePermission{{UserID: "444455556666"}}
			}
			snaps = append(snaps, ec2.Snapshot{Meta: meta("snapshot", id), ID: id, VolumeID: vols[i%nVol].ID, Encrypted: i%5 != 0, OwnerID: acct,
				CreateVolumePermissions: core.Known(perms)})
		}

		nFlow := per(syntheticShare.flowLogs)
		flows := make([]ec2.FlowLog, 0, nFlow)
		for i := 0; i < nFlow && i < nVPC; i++ {
			id := fmt.Sprintf("fl-%d%06d", ri, i)
			flows = append(flows, ec2.FlowLog{Meta: meta("vpc-flow-log", id), ID: id, ResourceID: vpcs[i].ID, TrafficType: []string{"ALL", "REJECT", "ACCEPT"}[i%3], Status: "ACTIVE"})
		}

		r.VPCs, r.Subnets, r.SecurityGroups, r.NetworkACLs = core.Known(vpcs), core.Known(subnets), core.Known(sgs), core.Known(acls)
		r.NetworkInterfaces, r.Instances, r.Volumes, r.Snapshots = core.Known(enis), core.Known(insts), core.Known(vols), core.Known(snaps)
		r.FlowLogs = core.Known(flows)
		r.RouteTables, r.InternetGateways, r.EgressOnlyGateways = core.Known([]ec2.RouteTable{}), core.Known([]ec2.InternetGateway{}), core.Known([]ec2.InternetGateway{})
		r.NATGateways, r.PeeringConnections = core.Known([]ec2.NATGateway{}), core.Known([]ec2.PeeringConnection{})
		s.EC2 = append(s.EC2, r)

		s.Security = append(s.Security, secsvc.Region{
			Name:           region,
			GuardDuty:      core.Known(secsvc.GuardDuty{DetectorID: "det-" + region, Status: "ENABLED"}),
			SecurityHub:    core.Known(secsvc.SecurityHub{HubARN: "arn:aws:securityhub:" + region + ":" + acct + ":hub/default"}),
			Inspector:      core.Known(secsvc.Inspector{EC2: "ENABLED", ECR: "DISABLED", Lambda: "ENABLED"}),
			Macie:          core.Known(secsvc.Macie{Status: []string{"ENABLED", ""}[ri%2]}),
			Config:         core.Known(secsvc.Config{Recorders: []secsvc.Recorder{{Name: "default", AllSupported: true, Recording: ri != 3, LastStatus: "SUCCESS"}}, DeliveryChannels: 1}),
			AccessAnalyzer: core.Known([]secsvc.Analyzer{{Name: "ext", Type: "ACCOUNT", Status: "ACTIVE"}}),
		})
	}

	s.CloudTrail = cloudtrail.Account{RegionsRead: syntheticRegions, Trails: core.Known([]cloudtrail.Trail{
		{
			Meta: core.Meta{ARN: "arn:aws:cloudtrail:us-east-1:" + acct + ":trail/org", Account: acct, Region: "us-east-1"}, Name: "org",
			HomeRegion: "us-east-1", IsMultiRegion: true, LogFileValidation: true, S3BucketName: buckets[0].Name,
			Status: core.Known(cloudtrail.Status{IsLogging: true}),
			Selectors: core.Known(cloudtrail.Selectors{Basic: []cloudtrail.EventSelector{{ReadWriteType: "All", IncludeManagementEvents: true,
				DataResources: []cloudtrail.DataResource{{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3:::" + buckets[0].Name + "/"}}}}}}),
		},
		{
			Meta: core.Meta{ARN: "arn:aws:cloudtrail:eu-west-1:" + acct + ":trail/eu", Account: acct, Region: "eu-west-1"}, Name: "eu",
			HomeRegion: "eu-west-1", KMSKeyID: "arn:aws:kms:eu-west-1:" + acct + ":key/1", S3BucketName: buckets[len(buckets)-1].Name,
			Status: core.Known(cloudtrail.Status{IsLogging: true}),
			Selectors: core.Known(cloudtrail.Selectors{Advanced: []cloudtrail.AdvancedSelector{{Name: "mgmt", Fields: []cloudtrail.FieldSelector{
				{Field: "eventCategory", Equals: []string{"Management"}}}}}}),
		},
	})}
	addSyntheticELB(s, acct, n)
	addSyntheticExposure(s, acct, n)
	addSyntheticServices(s, acct, n)
	addSyntheticStorageFSBP(s, acct, n)
	addSyntheticAPIGateway(s, acct, n)
	addSyntheticResilience(s, acct, n)
	addSyntheticRDSFSBP(s, acct)
	addSyntheticEC2FSBP(s, acct)
	addSyntheticEFS(s, acct, n)
	addSyntheticWAFIdentity(s, acct, n)
	// Last: Shield protects what the generators above made.
	addSyntheticEdge(s, acct, n)
	s.Normalize()
	return s
}

func supportPolicyARN() string { return "arn:aws:iam::aws:policy/AWSSupportAccess" }
