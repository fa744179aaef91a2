package checks

import (
	"fmt"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/backup"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/rds"
)

// addSyntheticRDSFSBP fills in what the FSBP RDS and Backup.1 rules read
// on the databases and vaults addSyntheticResilience made: administrator
// usernames, backtracking, a parameter group per instance, event
// subscriptions, and recovery points. About half of everything complies.
func addSyntheticRDSFSBP(s *model.Snapshot, acct string) {
	for ri := range s.RDS {
		r := &s.RDS[ri]
		arn := func(res string) string { return "arn:aws:rds:" + r.Name + ":" + acct + ":" + res }
		var groups []rds.ParameterGroup
		for i := range r.Instances.V {
			in := &r.Instances.V[i]
			in.MasterUsername = []string{in.ID + "_owner", "admin"}[i%2]
			if len(in.ParameterGroups) == 0 {
				name := "pg-" + in.ID
				in.ParameterGroups = []string{name}
				// Even instances turn TLS on; odd ones leave the engine default.
				params := map[string]string{}
				if i%2 == 0 {
					params["rds.force_ssl"], params["require_secure_transport"] = "1", "1"
				}
				groups = append(groups, rds.ParameterGroup{Meta: core.Meta{ARN: arn("pg:" + name), Account: acct, Region: r.Name},
					Name: name, Parameters: core.Known(params)})
			}
			if in.EngineVersion == "" {
				in.EngineVersion = []string{"16.4", "8.0.39", "14.9"}[i%3]
			}
		}
		for i := range r.Clusters.V {
			c := &r.Clusters.V[i]
			c.MasterUsername = []string{c.ID + "_owner", "postgres"}[(i+ri)%2]
			if c.Engine == "aurora-mysql" && ri%2 == 0 {
				c.BacktrackWindowSeconds = 86400
			}
		}
		if !r.ParameterGroups.Ok {
			r.ParameterGroups = core.Known(groups)
		}
		if !r.EventSubscriptions.Ok {
			// A full set in even regions; in odd ones a subscription that
			// misses categories.
			sub := func(name, sourceType string, categories ...string) rds.EventSubscription {
				return rds.EventSubscription{Meta: core.Meta{ARN: arn("es:" + name), Account: acct, Region: r.Name}, Name: name,
					SNSTopicARN: "arn:aws:sns:" + r.Name + ":" + acct + ":rds", SourceType: sourceType, EventCategories: categories,
					Enabled: true, Status: "active"}
			}
			subs := []rds.EventSubscription{sub("everything", "")}
			if ri%2 == 1 {
				subs = []rds.EventSubscription{sub("db-low-storage", "db-instance", "low storage")}
			}
			r.EventSubscriptions = core.Known(subs)
		}
	}
	for ri := range s.Backup {
		r := &s.Backup[ri]
		for vi := range r.Vaults.V {
			v := &r.Vaults.V[vi]
			if v.RecoveryPointList.Ok {
				continue
			}
			var points []backup.RecoveryPoint
			for i := 0; i < 4; i++ {
				points = append(points, backup.RecoveryPoint{
					Meta:         core.Meta{ARN: fmt.Sprintf("arn:aws:ec2:%s::snapshot/snap-%s-%d", r.Name, v.Name, i), Account: acct, Region: r.Name},
					ResourceARN:  fmt.Sprintf("arn:aws:ec2:%s:%s:volume/vol-%d", r.Name, acct, i),
					ResourceType: "EBS", Status: "COMPLETED", Encrypted: i%2 == 0,
				})
			}
			v.RecoveryPointList = core.Known(points)
			v.RecoveryPoints = int64(len(points))
		}
	}
}
