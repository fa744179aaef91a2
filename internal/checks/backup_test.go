package checks

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/backup"
	"github.com/demarc-sec/demarc/internal/model/core"
)

// addCompliantRecoveryPoints puts one encrypted recovery point in every
// vault of the world (the vaults come from addCompliantAvailability).
func addCompliantRecoveryPoints(s *model.Snapshot) {
	for ri := range s.Backup {
		r := &s.Backup[ri]
		for vi := range r.Vaults.V {
			v := &r.Vaults.V[vi]
			v.RecoveryPointList = core.Known([]backup.RecoveryPoint{{
				Meta:         core.Meta{ARN: "arn:aws:ec2:" + r.Name + "::snapshot/snap-" + v.Name, Account: acct, Region: r.Name},
				ResourceARN:  "arn:aws:ec2:" + r.Name + ":" + acct + ":volume/vol-1",
				ResourceType: "EBS", Status: "COMPLETED", Encrypted: true,
				EncryptionKeyARN: "arn:aws:kms:" + r.Name + ":" + acct + ":key/backup", CreationDate: agoP(1),
			}})
		}
	}
}

func recoveryPoints(s *model.Snapshot, region string) *core.Val[[]backup.RecoveryPoint] {
	return &backupRegionOf(s, region).Vaults.V[0].RecoveryPointList
}

func backupFixtures() map[string]fixture {
	return map[string]fixture{
		"backup-recovery-point-encrypted": failWhen(func(s *model.Snapshot) { recoveryPoints(s, dbRegion).V[0].Encrypted = false }),
	}
}

func TestBackupRecoveryPointsEncrypted(t *testing.T) {
	rule := ruleByID(t, "backup-recovery-point-encrypted")
	point := func(id, status string, encrypted bool) backup.RecoveryPoint {
		return backup.RecoveryPoint{Meta: core.Meta{ARN: "arn:aws:backup:" + dbRegion + ":" + acct + ":recovery-point:" + id},
			ResourceType: "RDS", Status: status, Encrypted: encrypted}
	}
	cases := []struct {
		name   string
		mutate func(s *model.Snapshot)
		want   map[string]Status // ARN suffix → status; every result must be listed
	}{
		{"deleting points are not judged", func(s *model.Snapshot) {
			*recoveryPoints(s, dbRegion) = core.Known([]backup.RecoveryPoint{point("a", "DELETING", false), point("b", "PARTIAL", true)})
		}, map[string]Status{"recovery-point:b": Pass, "snapshot/snap-main": Pass}},
		{"unencrypted point fails", func(s *model.Snapshot) {
			*recoveryPoints(s, dbRegion) = core.Known([]backup.RecoveryPoint{point("a", "COMPLETED", false)})
		}, map[string]Status{"recovery-point:a": Fail, "snapshot/snap-main": Pass}},
		{"points unreadable", func(s *model.Snapshot) {
			*recoveryPoints(s, dbRegion) = core.Unknown[[]backup.RecoveryPoint]("access denied (backup:ListRecoveryPointsByBackupVault)")
		}, map[string]Status{dbRegion + ":" + acct + ":backup-vault:main": Unknown, "snapshot/snap-main": Pass}},
		{"vaults unreadable", func(s *model.Snapshot) {
			backupRegionOf(s, dbRegion).Vaults = core.Unknown[[]backup.Vault]("access denied")
		}, map[string]Status{dbRegion + ":" + acct + ":backup-vault:*": Unknown, "snapshot/snap-main": Pass}},
		{"empty vault says nothing", func(s *model.Snapshot) {
			*recoveryPoints(s, dbRegion) = core.Known([]backup.RecoveryPoint{})
		}, map[string]Status{"snapshot/snap-main": Pass}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			c.mutate(s)
			res := rule.Check(s)
			if len(res) != len(c.want) {
				t.Fatalf("got %d results, want %d: %+v", len(res), len(c.want), res)
			}
			for _, r := range res {
				found := false
				for suffix, want := range c.want {
					if strings.HasSuffix(r.ResourceARN, suffix) {
						found = true
						if r.Status != want {
							t.Errorf("%s: %s (%s), want %s", r.ResourceARN, r.Status, r.Message, want)
						}
					}
				}
				if !found {
					t.Errorf("unexpected result %+v", r)
				}
			}
		})
	}
}
