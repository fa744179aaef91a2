package checks

import (
	"path"
	"strconv"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/efs"
)

// Amazon EFS is an abstracted storage service: AWS runs the storage fleet,
// the NFS servers and the encryption machinery. Whether a file system is
// encrypted (chosen once, at creation), backed up, reachable only from
// private subnets, and how its access points confine clients is the
// customer's side of the model.

func efsRules() []Rule {
	return []Rule{
		{
			ID:             "efs-encrypted-at-rest",
			Title:          "EFS file systems are encrypted at rest with AWS KMS",
			Service:        "efs",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{CIS50: {"2.3.1"}, FSBP: {"EFS.1"}},
			Description: "DescribeFileSystems must report Encrypted true. EFS encrypts at rest with a KMS key: the AWS managed " +
				"aws/elasticfilesystem key, or the customer managed key in KmsKeyId. As in Security Hub (EFS.1) and CIS 2.3.1 only " +
				"Encrypted is judged, not which key. Encryption can only be chosen when the file system is created; an " +
				"unencrypted one must be replaced. File systems being deleted are not judged.",
			Remediation: "Create an encrypted file system, copy the data (AWS DataSync, or restore a backup into the new file system), " +
				"move the mount targets and clients over, then delete the old one:\n" +
				"  aws efs create-file-system --creation-token NAME --encrypted --kms-key-id arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\n" +
				"Terraform: resource \"aws_efs_file_system\" \"fs\" { encrypted = true, kms_key_id = aws_kms_key.efs.arn }",
			Links: []string{"https://docs.aws.amazon.com/efs/latest/ug/encryption-at-rest.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/efs-controls.html#efs-1",
				"https://docs.aws.amazon.com/config/latest/developerguide/efs-encrypted-check.html"},
			Check: checkEFSEncrypted,
		},
		{
			ID:             "efs-in-backup-plan",
			Title:          "EFS file systems are in an AWS Backup plan",
			Service:        "efs",
			Severity:       Medium,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"EFS.2"}},
			Description: "A file system must be backed up by AWS Backup. It is when its automatic backups are on (backup policy " +
				"ENABLED: EFS adds it to the AWS Backup plan aws/efs/automatic-backup-plan), or when a backup plan with at least " +
				"one rule selects it (by ARN pattern, resource type or tag, as for the other coverage rules). A file system with " +
				"automatic backups off (no backup policy, DISABLED or DISABLING) that no plan selects FAILs. When either source " +
				"cannot be read and the other does not settle it, the result is UNKNOWN.",
			Remediation: "Turn on automatic backups (the fix Security Hub gives), or assign the file systems to your own plan:\n" +
				"  aws efs put-backup-policy --file-system-id FS_ID --backup-policy Status=ENABLED\n" +
				backupCoverageRemediation("arn:aws:elasticfilesystem:*:*:file-system/*") + "\n" +
				"Terraform: resource \"aws_efs_backup_policy\" \"fs\" { file_system_id = aws_efs_file_system.fs.id, backup_policy { status = \"ENABLED\" } }",
			Links: []string{"https://docs.aws.amazon.com/efs/latest/ug/awsbackup.html",
				"https://docs.aws.amazon.com/efs/latest/ug/automatic-backups.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/efs-controls.html#efs-2",
				"https://docs.aws.amazon.com/config/latest/developerguide/efs-in-backup-plan.html"},
			Check: checkEFSInBackupPlan,
		},
		{
			ID:             "efs-automatic-backups-enabled",
			Title:          "EFS file systems have automatic backups turned on",
			Service:        "efs",
			Severity:       Medium,
			Responsibility: LayerResilience,
			// Security Hub EFS.7; the FSBP catalogue demarc ships does not
			// list it, so no framework control is cited.
			Frameworks: map[string][]string{},
			Description: "Automatic backups (the file system's backup policy) make AWS Backup copy the file system daily into " +
				"aws/efs/automatic-backup-vault with 35-day retention. As in Security Hub EFS.7 (Config rule " +
				"efs-automatic-backups-enabled) a file system FAILs when its backup policy is DISABLED, being disabled, or " +
				"absent (DescribeBackupPolicy answers PolicyNotFound). Backups through your own AWS Backup plans are judged by " +
				"efs-in-backup-plan instead.",
			Remediation: "  aws efs put-backup-policy --file-system-id FS_ID --backup-policy Status=ENABLED\n" +
				"Terraform: resource \"aws_efs_backup_policy\" \"fs\" { file_system_id = aws_efs_file_system.fs.id, backup_policy { status = \"ENABLED\" } }",
			Links: []string{"https://docs.aws.amazon.com/efs/latest/ug/automatic-backups.html",
				"https://docs.aws.amazon.com/efs/latest/ug/API_DescribeBackupPolicy.html",
				"https://docs.aws.amazon.com/config/latest/developerguide/efs-automatic-backups-enabled.html"},
			Check: checkEFSAutomaticBackups,
		},
		{
			ID:             "efs-access-point-root-directory",
			Title:          "EFS access points enforce a root directory other than the file system root",
			Service:        "efs",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{FSBP: {"EFS.3"}},
			Description: "An access point's root directory is what its clients see as \"/\". When it is the file system's own root " +
				"(Path \"/\", also the default when none is given) every client of the access point can reach every file; a " +
				"subdirectory confines it. Paths are compared after cleaning (\"//\" and \"/a/..\" are the root).",
			Remediation: "The root directory of an access point cannot be changed: create one with a subdirectory, move the clients, delete the old one:\n" +
				"  aws efs create-access-point --file-system-id FS_ID --root-directory 'Path=/app,CreationInfo={OwnerUid=1001,OwnerGid=1001,Permissions=750}'\n" +
				"  aws efs delete-access-point --access-point-id OLD_AP_ID\n" +
				"Terraform: resource \"aws_efs_access_point\" \"app\" { file_system_id = aws_efs_file_system.fs.id\n" +
				"  root_directory { path = \"/app\" creation_info { owner_uid = 1001, owner_gid = 1001, permissions = \"750\" } } }",
			Links: []string{"https://docs.aws.amazon.com/efs/latest/ug/efs-access-points.html#enforce-root-directory-access-point",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/efs-controls.html#efs-3",
				"https://docs.aws.amazon.com/config/latest/developerguide/efs-access-point-enforce-root-directory.html"},
			Check: checkEFSAccessPoints(func(ap efs.AccessPoint) (bool, string) {
				if efsRootPath(ap.RootDirectory) {
					return false, "exposes the file system root (" + orStr(ap.RootDirectory, "/") + ") as its root directory"
				}
				return true, "confines clients to root directory " + ap.RootDirectory
			}),
		},
		{
			ID:             "efs-access-point-user-identity",
			Title:          "EFS access points enforce a POSIX user identity",
			Service:        "efs",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{FSBP: {"EFS.4"}},
			Description: "An access point with a PosixUser replaces the user and group IDs of every NFS request made through it, " +
				"so a client cannot claim another user's identity (or root's). Without one, clients act with whatever UID/GID " +
				"they send. The control only asks that an identity is defined.",
			Remediation: "The identity of an access point cannot be changed: create one with a POSIX user, move the clients, delete the old one:\n" +
				"  aws efs create-access-point --file-system-id FS_ID --posix-user Uid=1001,Gid=1001 --root-directory Path=/app\n" +
				"Terraform: resource \"aws_efs_access_point\" \"app\" { file_system_id = aws_efs_file_system.fs.id, posix_user { uid = 1001, gid = 1001 } }",
			Links: []string{"https://docs.aws.amazon.com/efs/latest/ug/efs-access-points.html#enforce-identity-access-points",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/efs-controls.html#efs-4",
				"https://docs.aws.amazon.com/config/latest/developerguide/efs-access-point-enforce-user-identity.html"},
			Check: checkEFSAccessPoints(func(ap efs.AccessPoint) (bool, string) {
				if ap.PosixUser == nil {
					return false, "does not enforce a POSIX user identity"
				}
				msg := "enforces POSIX identity uid " + strconv.FormatInt(ap.PosixUser.UID, 10) + ", gid " + strconv.FormatInt(ap.PosixUser.GID, 10)
				if ap.PosixUser.UID == 0 {
					msg += " (root)"
				}
				return true, msg
			}),
		},
		{
			ID:             "efs-mount-target-private-subnet",
			Title:          "EFS mount targets are not in subnets that assign public IP addresses on launch",
			Service:        "efs",
			Severity:       Medium,
			Responsibility: LayerNetwork,
			// Security Hub EFS.6; the FSBP catalogue demarc ships does not
			// list it, so no framework control is cited.
			Frameworks: map[string][]string{},
			Description: "A subnet that assigns public IPv4 addresses on launch (MapPublicIpOnLaunch) is a public subnet by intent; " +
				"the NFS endpoints of a file system belong in private subnets. As in Security Hub EFS.6 (Config rule " +
				"efs-mount-target-public-accessible) a file system FAILs when any of its mount targets is in such a subnet. A " +
				"file system without mount targets is not reachable over the network and PASSes. Mount targets being deleted " +
				"are not judged; a subnet missing from the snapshot makes the result UNKNOWN.",
			Remediation: "Stop the subnet from assigning public addresses, or move the mount target to a private subnet of the same zone:\n" +
				"  aws ec2 modify-subnet-attribute --subnet-id SUBNET_ID --no-map-public-ip-on-launch\n" +
				"  aws efs delete-mount-target --mount-target-id FSMT_ID && aws efs create-mount-target --file-system-id FS_ID --subnet-id PRIVATE_SUBNET_ID --security-groups SG_ID\n" +
				"Terraform: resource \"aws_subnet\" \"private\" { map_public_ip_on_launch = false }; aws_efs_mount_target { subnet_id = aws_subnet.private.id }",
			Links: []string{"https://docs.aws.amazon.com/efs/latest/ug/accessing-fs.html",
				"https://docs.aws.amazon.com/config/latest/developerguide/efs-mount-target-public-accessible.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/efs-controls.html#efs-6"},
			Check: checkEFSMountTargetSubnets,
		},
	}
}

// efsRegions reads the EFS file systems of every region.
func efsRegions(s *model.Snapshot) svcRegions[efs.Region, efs.FileSystem] {
	return svcRegions[efs.Region, efs.FileSystem]{
		service: "elasticfilesystem", what: "EFS file systems", wildcard: "file-system/*", regions: s.EFS,
		name: func(r *efs.Region) string { return r.Name },
		list: func(r *efs.Region) core.Val[[]efs.FileSystem] { return r.FileSystems },
	}
}

// efsGone reports a file system, mount target or access point on its way
// out: rules do not judge it.
func efsGone(state string) bool {
	return strings.EqualFold(state, "deleting") || strings.EqualFold(state, "deleted")
}

func efsFileSystemARN(s *model.Snapshot, region string, fs efs.FileSystem) string {
	return orARN(fs.ARN, regionalARN(s, "elasticfilesystem", region, "file-system/"+fs.ID))
}

// efsRootPath reports whether an access point's root directory is the file
// system's root: "/" (the API's default), an empty path, or a path that
// cleans to "/" ("//", "/a/..").
func efsRootPath(p string) bool {
	p = strings.TrimSpace(p)
	return p == "" || path.Clean("/"+p) == "/"
}

func checkEFSEncrypted(s *model.Snapshot) []Result {
	return efsRegions(s).eachItem(s, func(region string, fs efs.FileSystem) *Result {
		if efsGone(fs.LifeCycleState) {
			return nil
		}
		arn, where := efsFileSystemARN(s, region, fs), regionOr(fs.Meta, region)
		if !fs.Encrypted {
			return rp(FailR(arn, where, "EFS file system %s is not encrypted at rest (encryption is chosen at creation: replace it with an encrypted one)", fs.ID))
		}
		return rp(PassR(arn, where, "EFS file system %s is encrypted at rest with %s", fs.ID,
			orStr(fs.KMSKeyID, "the AWS managed key aws/elasticfilesystem")))
	})
}

// efsAutoBackup is whether automatic backups are on. ENABLING counts as on:
// the backup policy is set and AWS Backup is being configured; DISABLING,
// DISABLED and no policy at all (Known("")) are off.
func efsAutoBackup(fs efs.FileSystem) (on tri, status string) {
	st, ok := fs.BackupPolicy.Get()
	if !ok {
		return triUnknown("automatic backup status unreadable: " + fs.BackupPolicy.Why()), ""
	}
	switch strings.ToUpper(st) {
	case "ENABLED", "ENABLING":
		return triKnown(true), strings.ToUpper(st)
	case "", "DISABLED", "DISABLING":
		return triKnown(false), orStr(strings.ToUpper(st), "no backup policy")
	}
	return triUnknown("automatic backup status " + st + " not understood"), st
}

func checkEFSAutomaticBackups(s *model.Snapshot) []Result {
	return efsRegions(s).eachItem(s, func(region string, fs efs.FileSystem) *Result {
		if efsGone(fs.LifeCycleState) {
			return nil
		}
		arn, where := efsFileSystemARN(s, region, fs), regionOr(fs.Meta, region)
		on, status := efsAutoBackup(fs)
		switch {
		case !on.known:
			return rp(UnknownR(arn, where, "EFS file system %s: %s", fs.ID, on.why))
		case on.v:
			return rp(PassR(arn, where, "EFS file system %s has automatic backups on (%s)", fs.ID, status))
		}
		return rp(FailR(arn, where, "EFS file system %s has automatic backups off (%s)", fs.ID, status))
	})
}

// checkEFSInBackupPlan: automatic backups on settle it; otherwise the AWS
// Backup plans must select the file system.
func checkEFSInBackupPlan(s *model.Snapshot) []Result {
	return efsRegions(s).eachItem(s, func(region string, fs efs.FileSystem) *Result {
		if efsGone(fs.LifeCycleState) {
			return nil
		}
		arn, where := efsFileSystemARN(s, region, fs), regionOr(fs.Meta, region)
		label := "EFS file system " + fs.ID
		on, status := efsAutoBackup(fs)
		if on.known && on.v {
			return rp(PassR(arn, where, "%s has automatic backups on (%s): EFS backs it up with the AWS Backup plan aws/efs/automatic-backup-plan", label, status))
		}
		var cov Result
		if plans, why := backupPlans(s, where); why != "" {
			cov = UnknownR(arn, where, "%s: %s", label, why)
		} else {
			// DescribeFileSystems returns the tags, so an empty map is
			// "no tags", and tag-based selections can be decided.
			cov = judgeBackupCoverage(backupTarget{arn: arn, region: where, label: label, tags: fs.Tags, tagsKnown: true}, plans)
		}
		switch {
		case cov.Status == Pass:
			return &cov
		case !on.known:
			return rp(UnknownR(arn, where, "%s; %s", cov.Message, on.why))
		}
		cov.Message += "; automatic backups are off (" + status + ")"
		return &cov
	})
}

// checkEFSAccessPoints judges every live access point of every live file
// system with ok.
func checkEFSAccessPoints(ok func(efs.AccessPoint) (bool, string)) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		return efsRegions(s).each(s, func(region string, fss []efs.FileSystem) []Result {
			var out []Result
			for _, fs := range fss {
				if efsGone(fs.LifeCycleState) {
					continue
				}
				aps, known := fs.AccessPoints.Get()
				if !known {
					out = append(out, UnknownR(efsFileSystemARN(s, region, fs), regionOr(fs.Meta, region),
						"access points of EFS file system %s unreadable: %s", fs.ID, fs.AccessPoints.Why()))
					continue
				}
				for _, ap := range aps {
					if efsGone(ap.LifeCycleState) {
						continue
					}
					arn := orARN(ap.ARN, regionalARN(s, "elasticfilesystem", region, "access-point/"+ap.ID))
					where := regionOr(ap.Meta, regionOr(fs.Meta, region))
					if pass, msg := ok(ap); pass {
						out = append(out, PassR(arn, where, "EFS access point %s (file system %s) %s", ap.ID, fs.ID, msg))
					} else {
						out = append(out, FailR(arn, where, "EFS access point %s (file system %s) %s", ap.ID, fs.ID, msg))
					}
				}
			}
			return out
		})
	}
}

func checkEFSMountTargetSubnets(s *model.Snapshot) []Result {
	return efsRegions(s).eachItem(s, func(region string, fs efs.FileSystem) *Result {
		if efsGone(fs.LifeCycleState) {
			return nil
		}
		arn, where := efsFileSystemARN(s, region, fs), regionOr(fs.Meta, region)
		mts, ok := fs.MountTargets.Get()
		if !ok {
			return rp(UnknownR(arn, where, "mount targets of EFS file system %s unreadable: %s", fs.ID, fs.MountTargets.Why()))
		}
		var live []efs.MountTarget
		for _, mt := range mts {
			if !efsGone(mt.LifeCycleState) {
				live = append(live, mt)
			}
		}
		if len(live) == 0 {
			return rp(PassR(arn, where, "EFS file system %s has no mount targets", fs.ID))
		}
		r := s.EC2Region(where)
		if r == nil {
			return rp(UnknownR(arn, where, "EFS file system %s: EC2 data for region %s was not collected, so its mount target subnets are unknown", fs.ID, where))
		}
		subnets, ok := r.Subnets.Get()
		if !ok {
			return rp(UnknownR(arn, where, "EFS file system %s: subnets unreadable: %s", fs.ID, r.Subnets.Why()))
		}
		public := make(map[string]bool, len(subnets))
		for _, sn := range subnets {
			public[sn.ID] = sn.MapPublicIPOnLaunch
		}
		var v verdict
		for _, mt := range live {
			pub, found := public[mt.SubnetID]
			switch {
			case !found:
				v.unknown("mount target %s is in subnet %s, which is not in the snapshot", mt.ID, orStr(mt.SubnetID, "(unreported)"))
			case pub:
				v.fail("mount target %s is in subnet %s, which assigns public IPv4 addresses on launch", mt.ID, mt.SubnetID)
			}
		}
		res := v.result(arn, where, "EFS file system "+fs.ID+": "+plural(len(live), "mount target", "mount targets")+
			", none in a subnet that assigns public IPv4 addresses on launch")
		if res.Status != Pass {
			res.Message = "EFS file system " + fs.ID + ": " + res.Message
		}
		return &res
	})
}
