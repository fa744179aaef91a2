package checks

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/backup"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/efs"
)

// compliantFileSystem is an encrypted file system with automatic backups,
// one mount target in the world's private subnet-1 and one confined access
// point with an enforced identity.
func compliantFileSystem(region, id string) efs.FileSystem {
	prefix := "arn:aws:elasticfilesystem:" + region + ":" + acct + ":"
	return efs.FileSystem{
		Meta: core.Meta{ARN: prefix + "file-system/" + id, Account: acct, Region: region,
			Tags: map[string]string{"Name": "shared", "aws:elasticfilesystem:default-backup": "enabled"}},
		ID: id, Name: "shared", LifeCycleState: "available", Encrypted: true,
		KMSKeyID:        "arn:aws:kms:" + region + ":" + acct + ":key/efs",
		PerformanceMode: "generalPurpose", ThroughputMode: "elastic", NumberOfMountTargets: 1,
		BackupPolicy: core.Known("ENABLED"),
		Policy:       core.Known(""),
		MountTargets: core.Known([]efs.MountTarget{{ID: "fsmt-1", FileSystemID: id, SubnetID: "subnet-1", VPCID: "vpc-1",
			AvailabilityZone: region + "a", IPAddress: "10.0.1.20", LifeCycleState: "available", SecurityGroups: core.Known([]string{"sg-web"})}}),
		AccessPoints: core.Known([]efs.AccessPoint{{
			Meta: core.Meta{ARN: prefix + "access-point/fsap-1", Account: acct, Region: region},
			ID:   "fsap-1", FileSystemID: id, LifeCycleState: "available", RootDirectory: "/app",
			CreationInfo: &efs.CreationInfo{OwnerUID: 1001, OwnerGID: 1001, Permissions: "750"},
			PosixUser:    &efs.PosixUser{UID: 1001, GID: 1001},
		}}),
	}
}

// addCompliantEFS puts one compliant file system in every world region.
func addCompliantEFS(s *model.Snapshot) {
	for _, r := range testRegions {
		s.EFS = append(s.EFS, efs.Region{Name: r, FileSystems: core.Known([]efs.FileSystem{compliantFileSystem(r, "fs-0001")})})
	}
}

func efsAt(s *model.Snapshot, region string) *efs.FileSystem {
	for i := range s.EFS {
		if s.EFS[i].Name == region {
			return &s.EFS[i].FileSystems.V[0]
		}
	}
	panic("no EFS region " + region)
}

func efsFixtures() map[string]fixture {
	return map[string]fixture{
		"efs-encrypted-at-rest": failWhen(func(s *model.Snapshot) {
			fs := efsAt(s, "us-east-1")
			fs.Encrypted, fs.KMSKeyID = false, ""
		}),
		"efs-in-backup-plan": failWhen(func(s *model.Snapshot) {
			efsAt(s, "eu-west-1").BackupPolicy = core.Known("")
		}),
		"efs-automatic-backups-enabled": failWhen(func(s *model.Snapshot) {
			efsAt(s, "eu-west-1").BackupPolicy = core.Known("DISABLED")
		}),
		"efs-access-point-root-directory": failWhen(func(s *model.Snapshot) {
			efsAt(s, "us-east-1").AccessPoints.V[0].RootDirectory = "/"
		}),
		"efs-access-point-user-identity": failWhen(func(s *model.Snapshot) {
			efsAt(s, "us-east-1").AccessPoints.V[0].PosixUser = nil
		}),
		"efs-mount-target-private-subnet": failWhen(func(s *model.Snapshot) {
			ec2At(s, "eu-west-1").Subnets.V[0].MapPublicIPOnLaunch = true
		}),
	}
}

// efsStatuses runs a rule and returns the status per resource ARN.
func efsStatuses(t *testing.T, id string, s *model.Snapshot) map[string]Result {
	t.Helper()
	out := map[string]Result{}
	for _, r := range ruleByID(t, id).Check(s) {
		if _, dup := out[r.ResourceARN]; dup {
			t.Errorf("%s: two results for %s", id, r.ResourceARN)
		}
		out[r.ResourceARN] = r
	}
	return out
}

const efsUS = "arn:aws:elasticfilesystem:us-east-1:" + acct + ":file-system/fs-0001"

func TestEFSRuleMetadata(t *testing.T) {
	enc := ruleByID(t, "efs-encrypted-at-rest")
	if got := enc.Frameworks[CIS50]; len(got) != 1 || got[0] != "2.3.1" {
		t.Errorf("CIS 2.3.1 not cited: %v", enc.Frameworks)
	}
	for id, ctl := range map[string]string{"efs-encrypted-at-rest": "EFS.1", "efs-in-backup-plan": "EFS.2",
		"efs-access-point-root-directory": "EFS.3", "efs-access-point-user-identity": "EFS.4"} {
		if got := ruleByID(t, id).Frameworks[FSBP]; len(got) != 1 || got[0] != ctl {
			t.Errorf("%s cites %v, want %s", id, got, ctl)
		}
	}
}

func TestEFSUncollected(t *testing.T) {
	s := compliantSnapshot()
	s.EFS = []efs.Region{{Name: "eu-west-1", FileSystems: core.Unknown[[]efs.FileSystem]("access denied (efs:DescribeFileSystems)")}}
	for _, r := range efsRules() {
		res := r.Check(s)
		if len(res) != 2 {
			t.Fatalf("%s: %+v", r.ID, res)
		}
		for _, x := range res {
			if x.Status != Unknown || !strings.Contains(x.ResourceARN, ":file-system/*") {
				t.Errorf("%s: %+v", r.ID, x)
			}
		}
		if !strings.Contains(res[0].Message, "access denied") || !strings.Contains(res[1].Message, "not collected") {
			t.Errorf("%s: reasons %q / %q", r.ID, res[0].Message, res[1].Message)
		}
	}
}

// A file system on its way out is not judged; a known empty region yields
// no results.
func TestEFSDeletingAndEmpty(t *testing.T) {
	s := compliantSnapshot()
	efsAt(s, "us-east-1").LifeCycleState = "deleting"
	efsAt(s, "us-east-1").Encrypted = false
	s.EFS[0].FileSystems = core.Known([]efs.FileSystem{})
	for _, r := range efsRules() {
		if res := r.Check(s); len(res) != 0 {
			t.Errorf("%s: %+v", r.ID, res)
		}
	}
}

func TestEFSEncryptedMessages(t *testing.T) {
	s := compliantSnapshot()
	efsAt(s, "us-east-1").KMSKeyID = ""
	got := efsStatuses(t, "efs-encrypted-at-rest", s)[efsUS]
	if got.Status != Pass || !strings.Contains(got.Message, "aws/elasticfilesystem") {
		t.Errorf("%+v", got)
	}
}

func TestEFSBackups(t *testing.T) {
	byTag := backup.Plan{Meta: core.Meta{ARN: "arn:aws:backup:us-east-1:" + acct + ":backup-plan:tagged"}, ID: "tagged", Name: "tagged",
		Rules: core.Known([]backup.Rule{{Name: "daily", TargetVault: "main"}}),
		Selections: core.Known([]backup.Selection{{ID: "s", Name: "by-tag", Resources: []string{"arn:aws:elasticfilesystem:*:*:file-system/*"},
			Conditions: []backup.Condition{{Operator: "StringEquals", Key: "aws:ResourceTag/backup", Value: "daily"}}}})}
	byARN := backup.Plan{Meta: core.Meta{ARN: "arn:aws:backup:us-east-1:" + acct + ":backup-plan:efs"}, ID: "efs", Name: "efs",
		Rules:      core.Known([]backup.Rule{{Name: "daily", TargetVault: "main"}}),
		Selections: core.Known([]backup.Selection{{ID: "s", Name: "all-efs", Resources: []string{"arn:aws:elasticfilesystem:*:*:file-system/*"}}})}
	idle := byARN
	idle.Name, idle.Rules = "idle", core.Known([]backup.Rule{})

	tests := []struct {
		name         string
		policy       core.Val[string]
		tags         map[string]string
		plans        *core.Val[[]backup.Plan] // nil: the world's plans (which do not select EFS)
		noBackupData bool
		inPlan, auto Status
		msg          string
	}{
		{name: "enabled", policy: core.Known("ENABLED"), inPlan: Pass, auto: Pass},
		{name: "enabling", policy: core.Known("ENABLING"), inPlan: Pass, auto: Pass},
		{name: "no policy", policy: core.Known(""), inPlan: Fail, auto: Fail, msg: "no backup policy"},
		{name: "disabled", policy: core.Known("DISABLED"), inPlan: Fail, auto: Fail},
		{name: "disabling", policy: core.Known("DISABLING"), inPlan: Fail, auto: Fail},
		{name: "odd status", policy: core.Known("PAUSED"), inPlan: Unknown, auto: Unknown},
		{name: "off, own plan by ARN", policy: core.Known(""), plans: &core.Val[[]backup.Plan]{V: []backup.Plan{byARN}, Ok: true}, inPlan: Pass, auto: Fail},
		{name: "off, plan by matching tag", policy: core.Known("DISABLED"), tags: map[string]string{"backup": "daily"},
			plans: &core.Val[[]backup.Plan]{V: []backup.Plan{byTag}, Ok: true}, inPlan: Pass, auto: Fail},
		{name: "off, plan by other tag", policy: core.Known("DISABLED"), tags: map[string]string{"backup": "weekly"},
			plans: &core.Val[[]backup.Plan]{V: []backup.Plan{byTag}, Ok: true}, inPlan: Fail, auto: Fail},
		{name: "off, plan without rules", policy: core.Known(""), plans: &core.Val[[]backup.Plan]{V: []backup.Plan{idle}, Ok: true}, inPlan: Fail, auto: Fail},
		{name: "status unreadable, not in a plan", policy: core.Unknown[string]("access denied (efs:DescribeBackupPolicy)"), inPlan: Unknown, auto: Unknown, msg: "access denied"},
		{name: "status unreadable, in a plan", policy: core.Unknown[string]("access denied"), plans: &core.Val[[]backup.Plan]{V: []backup.Plan{byARN}, Ok: true}, inPlan: Pass, auto: Unknown},
		{name: "off, plans unreadable", policy: core.Known(""), plans: &core.Val[[]backup.Plan]{Reason: "access denied (backup:ListBackupPlans)"}, inPlan: Unknown, auto: Fail, msg: "ListBackupPlans"},
		{name: "on, plans unreadable", policy: core.Known("ENABLED"), plans: &core.Val[[]backup.Plan]{Reason: "access denied"}, inPlan: Pass, auto: Pass},
		{name: "off, Backup not collected", policy: core.Known(""), noBackupData: true, inPlan: Unknown, auto: Fail, msg: "not collected"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := compliantSnapshot()
			fs := efsAt(s, "us-east-1")
			fs.BackupPolicy, fs.Tags = tc.policy, tc.tags
			if tc.plans != nil {
				backupRegionOf(s, "us-east-1").Plans = *tc.plans
			}
			if tc.noBackupData {
				var keep []backup.Region
				for _, r := range s.Backup {
					if r.Name != "us-east-1" {
						keep = append(keep, r)
					}
				}
				s.Backup = keep
			}
			inPlan := efsStatuses(t, "efs-in-backup-plan", s)[efsUS]
			auto := efsStatuses(t, "efs-automatic-backups-enabled", s)[efsUS]
			if inPlan.Status != tc.inPlan || auto.Status != tc.auto {
				t.Errorf("in plan %s (%s), automatic %s (%s); want %s, %s", inPlan.Status, inPlan.Message, auto.Status, auto.Message, tc.inPlan, tc.auto)
			}
			if tc.msg != "" && !strings.Contains(inPlan.Message, tc.msg) {
				t.Errorf("in-plan message %q lacks %q", inPlan.Message, tc.msg)
			}
		})
	}
}

func TestEFSAccessPoints(t *testing.T) {
	apARN := "arn:aws:elasticfilesystem:us-east-1:" + acct + ":access-point/fsap-1"
	for _, tc := range []struct {
		path string
		want Status
	}{
		{"/", Fail}, {"", Fail}, {"//", Fail}, {"/app/..", Fail}, {" / ", Fail},
		{"/app", Pass}, {"/app/", Pass}, {"/a/b/c", Pass},
	} {
		s := compliantSnapshot()
		efsAt(s, "us-east-1").AccessPoints.V[0].RootDirectory = tc.path
		if got := efsStatuses(t, "efs-access-point-root-directory", s)[apARN]; got.Status != tc.want {
			t.Errorf("path %q: %s (%s), want %s", tc.path, got.Status, got.Message, tc.want)
		}
	}

	// Root's identity is still an enforced identity, as in Security Hub.
	s := compliantSnapshot()
	efsAt(s, "us-east-1").AccessPoints.V[0].PosixUser = &efs.PosixUser{}
	if got := efsStatuses(t, "efs-access-point-user-identity", s)[apARN]; got.Status != Pass || !strings.Contains(got.Message, "(root)") {
		t.Errorf("root identity: %+v", got)
	}

	// Unreadable access points: UNKNOWN on the file system, never PASS.
	// Access points being deleted are not judged.
	s = compliantSnapshot()
	efsAt(s, "us-east-1").AccessPoints = core.Unknown[[]efs.AccessPoint]("access denied (efs:DescribeAccessPoints)")
	efsAt(s, "eu-west-1").AccessPoints.V[0].LifeCycleState = "deleting"
	efsAt(s, "eu-west-1").AccessPoints.V[0].PosixUser = nil
	for _, id := range []string{"efs-access-point-root-directory", "efs-access-point-user-identity"} {
		got := efsStatuses(t, id, s)
		if len(got) != 1 || got[efsUS].Status != Unknown || !strings.Contains(got[efsUS].Message, "access denied") {
			t.Errorf("%s: %+v", id, got)
		}
	}
}

func TestEFSMountTargetSubnets(t *testing.T) {
	extra := efs.MountTarget{ID: "fsmt-2", SubnetID: "subnet-9", LifeCycleState: "available"}
	tests := []struct {
		name   string
		mutate func(s *model.Snapshot)
		want   Status
		msg    string
	}{
		{"private", func(*model.Snapshot) {}, Pass, "1 mount target"},
		{"no mount targets", func(s *model.Snapshot) { efsAt(s, "us-east-1").MountTargets = core.Known([]efs.MountTarget{}) }, Pass, "no mount targets"},
		{"public subnet", func(s *model.Snapshot) { ec2At(s, "us-east-1").Subnets.V[0].MapPublicIPOnLaunch = true }, Fail, "subnet-1"},
		{"public one being deleted", func(s *model.Snapshot) {
			ec2At(s, "us-east-1").Subnets.V[0].MapPublicIPOnLaunch = true
			efsAt(s, "us-east-1").MountTargets.V[0].LifeCycleState = "deleting"
		}, Pass, "no mount targets"},
		{"subnet not in snapshot", func(s *model.Snapshot) {
			fs := efsAt(s, "us-east-1")
			fs.MountTargets.V = append(fs.MountTargets.V, extra)
		}, Unknown, "subnet-9"},
		{"public wins over missing", func(s *model.Snapshot) {
			ec2At(s, "us-east-1").Subnets.V[0].MapPublicIPOnLaunch = true
			fs := efsAt(s, "us-east-1")
			fs.MountTargets.V = append(fs.MountTargets.V, extra)
		}, Fail, "subnet-1"},
		{"mount targets unreadable", func(s *model.Snapshot) {
			efsAt(s, "us-east-1").MountTargets = core.Unknown[[]efs.MountTarget]("access denied")
		}, Unknown, "access denied"},
		{"subnets unreadable", func(s *model.Snapshot) {
			ec2At(s, "us-east-1").Subnets = core.Unknown[[]ec2.Subnet]("throttled")
		}, Unknown, "throttled"},
		{"EC2 not collected", func(s *model.Snapshot) {
			var keep []ec2.Region
			for _, r := range s.EC2 {
				if r.Name != "us-east-1" {
					keep = append(keep, r)
				}
			}
			s.EC2 = keep
		}, Unknown, "not collected"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := compliantSnapshot()
			tc.mutate(s)
			got := efsStatuses(t, "efs-mount-target-private-subnet", s)[efsUS]
			if got.Status != tc.want || !strings.Contains(got.Message, tc.msg) {
				t.Errorf("%s (%s), want %s with %q", got.Status, got.Message, tc.want, tc.msg)
			}
		})
	}
}
