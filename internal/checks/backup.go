package checks

import (
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/backup"
	"github.com/demarc-sec/demarc/internal/model/core"
)

// AWS Backup rules about the recovery points themselves (plan coverage is
// in availability.go), as documented at
// https://docs.aws.amazon.com/securityhub/latest/userguide/backup-controls.html

func backupRules() []Rule {
	return []Rule{
		{
			ID:             "backup-recovery-point-encrypted",
			Title:          "AWS Backup recovery points are encrypted at rest",
			Service:        "backup",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"Backup.1"}},
			Description: "A recovery point holds a full copy of the resource's data. AWS Backup encrypts what it manages with the vault's KMS key, " +
				"but a backup of a resource whose service encrypts on its own (an unencrypted EBS volume or RDS instance) stays unencrypted. " +
				"Recovery points being deleted are not judged.",
			Remediation: "Encrypt the source (for example an encrypted copy of the EBS volume or RDS instance) so that new recovery points are encrypted, " +
				"copy the unencrypted recovery points into a vault with a KMS key, then delete them:\n" +
				"  aws backup start-copy-job --recovery-point-arn RP_ARN --source-backup-vault-name VAULT \\\n" +
				"      --destination-backup-vault-arn DEST_VAULT_ARN --iam-role-arn ROLE_ARN\n" +
				"  aws backup delete-recovery-point --backup-vault-name VAULT --recovery-point-arn RP_ARN\n" +
				"Terraform: resource \"aws_backup_vault\" \"v\" { name = \"main\", kms_key_arn = aws_kms_key.backup.arn }",
			Links: []string{"https://docs.aws.amazon.com/aws-backup/latest/devguide/encryption.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/backup-controls.html#backup-1"},
			Check: checkBackupRecoveryPointsEncrypted,
		},
	}
}

// backupVaults reads the AWS Backup vaults region by region.
func backupVaults(s *model.Snapshot) svcRegions[backup.Region, backup.Vault] {
	return svcRegions[backup.Region, backup.Vault]{
		service: "backup", what: "AWS Backup vaults", wildcard: "backup-vault:*", regions: s.Backup,
		name: func(r *backup.Region) string { return r.Name },
		list: func(r *backup.Region) core.Val[[]backup.Vault] { return r.Vaults },
	}
}

func checkBackupRecoveryPointsEncrypted(s *model.Snapshot) []Result {
	return backupVaults(s).each(s, func(region string, vaults []backup.Vault) []Result {
		var out []Result
		for _, v := range vaults {
			vaultARN := orARN(v.ARN, regionalARN(s, "backup", region, "backup-vault:"+v.Name))
			points, unk := knownList(v.RecoveryPointList, vaultARN, regionOr(v.Meta, region), "recovery points of vault "+v.Name)
			if unk != nil {
				out = append(out, unk...)
				continue
			}
			for _, p := range points {
				if p.Status == "DELETING" {
					continue
				}
				arn, reg := orARN(p.ARN, vaultARN), regionOr(p.Meta, region)
				what := "recovery point"
				if p.ResourceType != "" {
					what = p.ResourceType + " recovery point"
				}
				if p.Encrypted {
					out = append(out, PassR(arn, reg, "%s in vault %s is encrypted", what, v.Name))
				} else {
					out = append(out, FailR(arn, reg, "%s in vault %s is not encrypted (source %s)", what, v.Name, orARN(p.ResourceARN, "not reported")))
				}
			}
		}
		return out
	})
}
