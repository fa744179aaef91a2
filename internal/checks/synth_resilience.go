package checks

import (
	"fmt"
	"time"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/autoscaling"
	"github.com/demarc-sec/demarc/internal/model/backup"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/dynamodb"
	"github.com/demarc-sec/demarc/internal/model/iam"
	"github.com/demarc-sec/demarc/internal/model/kms"
	"github.com/demarc-sec/demarc/internal/model/logs"
	"github.com/demarc-sec/demarc/internal/model/rds"
	"github.com/demarc-sec/demarc/internal/model/sns"
)

// addSyntheticResilience gives a synthetic snapshot what the monitoring,
// RDS, KMS, availability and backup rules read: RDS instances and clusters
// (about one per 500 resources), KMS key metadata and rotation, an AWS Backup
// plan per region (by resource type in half the regions, by tag in the
// others), Auto Scaling groups and DynamoDB tables where no other helper put
// any, and a CloudWatch Logs chain for the first trail that covers half the
// CIS section 4 controls. Mixes are deterministic: about half of everything
// complies.
func addSyntheticResilience(s *model.Snapshot, acct string, n int) {
	perRegion := max(4, n/500/len(syntheticRegions))
	for ri, region := range syntheticRegions {
		arn := func(svc, res string) string { return "arn:aws:" + svc + ":" + region + ":" + acct + ":" + res }
		meta := func(a string, tags map[string]string) core.Meta {
			return core.Meta{ARN: a, Account: acct, Region: region, Tags: tags}
		}
		tagged := func(i int) map[string]string {
			if i%2 == 0 {
				return map[string]string{"backup": "daily"}
			}
			return nil
		}

		// RDS: standalone instances of several engines, and one cluster of
		// each kind with a member.
		engines := []string{"postgres", "mysql", "mariadb", "oracle-ee", "sqlserver-se", "aurora-postgresql"}
		var insts []rds.Instance
		for i := 0; i < perRegion; i++ {
			good := i%2 == 0
			e := engines[i%len(engines)]
			id := fmt.Sprintf("db-%s-%d", region, i)
			in := rds.Instance{Meta: meta(arn("rds", "db:"+id), tagged(i)), ID: id, Engine: e, Status: "available",
				StorageEncrypted: good, PubliclyAccessible: !good, MultiAZ: good, BackupRetentionDays: []int{0, 7, 14, 3}[i%4],
				AutoMinorVersionUpgrade: good, IAMAuth: good, DeletionProtection: good, CopyTagsToSnapshot: good,
				Port: rdsDefaultPort(e) + i%2, VPCID: fmt.Sprintf("vpc-%d", i%3), LogExports: rdsLogTypes(e)[:i%2*len(rdsLogTypes(e))],
				MonitoringInterval: []int{0, 60}[i%2]}
			if e == "aurora-postgresql" {
				in.ClusterID = "cl-aurora-pg"
			}
			insts = append(insts, in)
		}
		cluster := func(id, engine string, good bool, exports ...string) rds.Cluster {
			return rds.Cluster{Meta: meta(arn("rds", "cluster:"+id), nil), ID: id, Engine: engine, Status: "available",
				StorageEncrypted: good, MultiAZ: good, BackupRetentionDays: 7, DeletionProtection: good, IAMAuth: good,
				CopyTagsToSnapshot: good, AutoMinorVersionUpgrade: good, Port: 4000 + ri, LogExports: exports}
		}
		clusters := []rds.Cluster{
			cluster("cl-aurora-pg", "aurora-postgresql", ri%2 == 0, "postgresql"),
			cluster("cl-aurora-my", "aurora-mysql", ri%2 == 1, []string{"audit", "error"}[:1+ri%2]...),
			cluster("cl-maz", "postgres", ri%2 == 0),
		}
		if r := rdsRegion(s, region); r != nil {
			r.Instances = core.Known(append(r.Instances.V, insts...))
			r.Clusters = core.Known(append(r.Clusters.V, clusters...))
		} else {
			s.RDS = append(s.RDS, rds.Region{Name: region, Instances: core.Known(insts), Clusters: core.Known(clusters),
				Snapshots: core.Known([]rds.Snapshot{}), ClusterSnapshots: core.Known([]rds.Snapshot{})})
		}

		// KMS: metadata and rotation for keys that lack them.
		found := false
		for ki := range s.KMS {
			if s.KMS[ki].Name != region {
				continue
			}
			found = true
			for i := range s.KMS[ki].Keys.V {
				k := &s.KMS[ki].Keys.V[i]
				if !k.Details.Ok {
					state := []string{"Enabled", "Enabled", "Disabled", "PendingDeletion"}[i%4]
					k.Details = core.Known(kms.KeyDetails{Manager: []string{"CUSTOMER", "AWS"}[i%5/4], State: state, Enabled: state == "Enabled",
						Spec: []string{"SYMMETRIC_DEFAULT", "SYMMETRIC_DEFAULT", "RSA_2048"}[i%3], Usage: "ENCRYPT_DECRYPT", Origin: "AWS_KMS"})
				}
				if !k.Rotation.Ok {
					k.Rotation = core.Known(kms.Rotation{Supported: true, Enabled: i%2 == 0, PeriodDays: 365})
				}
			}
		}
		if !found {
			s.KMS = append(s.KMS, kms.Region{Name: region, Keys: core.Known([]kms.Key{})})
		}

		// AWS Backup: by resource type in even regions, by tag in odd ones.
		sel := backup.Selection{ID: "sel", Name: "stateful", Resources: []string{"arn:aws:ec2:*:*:volume/*", "arn:aws:rds:*:*:db:*", "arn:aws:dynamodb:*:*:table/*"}}
		if ri%2 == 1 {
			// Volumes and instances by tag; tables (whose tags the snapshot
			// lacks) not at all.
			sel = backup.Selection{ID: "sel", Name: "tagged", Resources: []string{"arn:aws:ec2:*:*:volume/*", "arn:aws:rds:*:*:db:*"},
				Conditions: []backup.Condition{{Operator: "StringEquals", Key: "aws:ResourceTag/backup", Value: "daily"}}}
		}
		s.Backup = append(s.Backup, backup.Region{Name: region,
			Vaults: core.Known([]backup.Vault{{Meta: meta(arn("backup", "backup-vault:main"), nil), Name: "main",
				EncryptionKeyARN: arn("kms", "key/backup"), Policy: core.Known("")}}),
			Plans: core.Known([]backup.Plan{{Meta: meta(arn("backup", "backup-plan:daily"), nil), ID: "daily", Name: "daily",
				Rules:      core.Known([]backup.Rule{{Name: "daily", TargetVault: "main", Schedule: "cron(0 5 ? * * *)"}}),
				Selections: core.Known([]backup.Selection{sel})}}),
			ProtectedResources: core.Known([]backup.ProtectedResource{})})

		// Auto Scaling groups and DynamoDB tables, unless present already.
		if !hasRegion(len(s.AutoScaling), func(i int) string { return s.AutoScaling[i].Name }, region) {
			var groups []autoscaling.Group
			for i := 0; i < perRegion; i++ {
				azs := []string{region + "a", region + "b"}[:1+i%2]
				groups = append(groups, autoscaling.Group{Meta: meta(arn("autoscaling", fmt.Sprintf("autoScalingGroup:%d:autoScalingGroupName/asg-%d", i, i)), nil),
					Name: fmt.Sprintf("asg-%d", i), AvailabilityZones: azs, MinSize: 1, MaxSize: 4, DesiredCapacity: 2})
			}
			s.AutoScaling = append(s.AutoScaling, autoscaling.Region{Name: region, Groups: core.Known(groups),
				LaunchConfigurations: core.Known([]autoscaling.LaunchConfiguration{})})
		}
		if !hasRegion(len(s.DynamoDB), func(i int) string { return s.DynamoDB[i].Name }, region) {
			var tables []dynamodb.Table
			for i := 0; i < perRegion; i++ {
				name := fmt.Sprintf("t-%d", i)
				tables = append(tables, dynamodb.Table{Meta: meta(arn("dynamodb", "table/"+name), map[string]string{"backup": "daily"}), Name: name,
					Details: core.Known(dynamodb.TableDetails{Status: "ACTIVE", Encryption: dynamodb.EncryptionAWSOwned}), PITR: core.Known(i%2 == 0)})
			}
			s.DynamoDB = append(s.DynamoDB, dynamodb.Region{Name: region, Tables: core.Known(tables)})
		}

		// CloudWatch Logs and alarms: known everywhere, a CIS chain in the
		// first trail's region.
		if !hasRegion(len(s.Logs), func(i int) string { return s.Logs[i].Name }, region) {
			s.Logs = append(s.Logs, logs.Region{Name: region, LogGroups: core.Known([]logs.LogGroup{}),
				MetricFilters: core.Known([]logs.MetricFilter{}), Alarms: core.Known([]logs.Alarm{})})
		}
	}
	addSyntheticCISChain(s, acct)
	// IAM server certificates: one valid, one expired.
	if !s.IAM.ServerCertificates.Ok {
		exp := func(days int) *time.Time { t := s.CollectedAt.Add(time.Duration(days) * day); return &t }
		s.IAM.ServerCertificates = core.Known([]iam.ServerCertificate{
			{Meta: core.Meta{ARN: "arn:aws:iam::" + acct + ":server-certificate/old", Account: acct, Region: core.GlobalRegion}, Name: "old", Path: "/", Expiration: exp(-30)},
			{Meta: core.Meta{ARN: "arn:aws:iam::" + acct + ":server-certificate/current", Account: acct, Region: core.GlobalRegion}, Name: "current", Path: "/", Expiration: exp(300)},
		})
	}
}

func hasRegion(n int, name func(int) string, region string) bool {
	for i := 0; i < n; i++ {
		if name(i) == region {
			return true
		}
	}
	return false
}

// addSyntheticCISChain sends the first trail to a log group whose filters
// and alarms cover every other CIS section 4 control, notifying a topic with
// a confirmed subscription.
func addSyntheticCISChain(s *model.Snapshot, acct string) {
	if len(s.CloudTrail.Trails.V) == 0 {
		return
	}
	t := &s.CloudTrail.Trails.V[0]
	region := orStr(t.HomeRegion, t.Region)
	t.CloudWatchLogsLogGroupARN = "arn:aws:logs:" + region + ":" + acct + ":log-group:trail:*"
	topic := "arn:aws:sns:" + region + ":" + acct + ":cis"
	var lr *logs.Region
	for i := range s.Logs {
		if s.Logs[i].Name == region {
			lr = &s.Logs[i]
		}
	}
	if lr == nil {
		return
	}
	lr.LogGroups = core.Known(append(lr.LogGroups.V, logs.LogGroup{Meta: core.Meta{ARN: "arn:aws:logs:" + region + ":" + acct + ":log-group:trail",
		Account: acct, Region: region}, Name: "trail", RetentionDays: 365}))
	for i, m := range cisMetrics {
		if i%2 == 1 {
			continue
		}
		metric := "cis-" + m.id
		lr.MetricFilters.V = append(lr.MetricFilters.V, logs.MetricFilter{Name: metric, LogGroupName: "trail", Pattern: m.variants[0],
			Transformations: []logs.MetricTransformation{{MetricName: metric, MetricNamespace: "CIS", MetricValue: "1"}}})
		lr.Alarms.V = append(lr.Alarms.V, logs.Alarm{Meta: core.Meta{ARN: "arn:aws:cloudwatch:" + region + ":" + acct + ":alarm:" + metric,
			Account: acct, Region: region}, Name: metric, MetricName: metric, Namespace: "CIS", ActionsEnabled: true, AlarmActions: []string{topic}})
	}
	for i := range s.SNS {
		if s.SNS[i].Name == region {
			r := &s.SNS[i]
			r.Topics = core.Known(append(r.Topics.V, sns.Topic{Meta: core.Meta{ARN: topic, Account: acct, Region: region}, Name: "cis",
				Attributes: core.Known(sns.TopicAttributes{KMSMasterKeyID: "alias/aws/sns", SubscriptionsConfirmed: 1,
					Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"SNS:Publish","Resource":"` + topic + `"}]}`})}))
			r.Subscriptions = core.Known(append(r.Subscriptions.V, sns.Subscription{ARN: topic + ":1", TopicARN: topic, Protocol: "email"}))
		}
	}
}
