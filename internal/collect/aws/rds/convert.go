package rds

import (
	"sort"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/demarc-sec/demarc/internal/model/core"
	rdsm "github.com/demarc-sec/demarc/internal/model/rds"
)

// scope is what every conversion needs to build a Meta. The conversions are
// pure and nil-safe: any SDK pointer may be nil.
type scope struct {
	arnPrefix string // "arn:<partition>"
	account   string
	region    string
}

// meta builds a Meta from the ARN RDS reports, or from kind and id when it
// reports none (an emulator or an old API version).
func (s scope) meta(arn, kind, id string, tags []types.Tag) core.Meta {
	if arn == "" {
		arn = s.arnPrefix + ":rds:" + s.region + ":" + s.account + ":" + kind + ":" + id
	}
	return core.Meta{ARN: arn, Account: accountOf(arn, s.account), Region: s.region, Tags: tagMap(tags)}
}

// accountOf takes the account from an ARN (arn:partition:rds:region:account:…),
// falling back to the scanned account.
func accountOf(arn, fallback string) string {
	n := 0
	start := -1
	for i := 0; i < len(arn); i++ {
		if arn[i] != ':' {
			continue
		}
		n++
		if n == 4 {
			start = i + 1
		} else if n == 5 && start >= 0 {
			if a := arn[start:i]; a != "" {
				return a
			}
			break
		}
	}
	return fallback
}

func tagMap(tags []types.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		if t.Key != nil {
			m[*t.Key] = sdk.ToString(t.Value)
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

func sorted(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	out := append([]string(nil), ss...)
	sort.Strings(out)
	return out
}

// activeSGs returns the VPC security groups that still apply (an SG being
// removed is "removing"; every other status, including none, applies).
func activeSGs(in []types.VpcSecurityGroupMembership) []string {
	var out []string
	for _, m := range in {
		if sdk.ToString(m.Status) == "removing" {
			continue
		}
		if id := sdk.ToString(m.VpcSecurityGroupId); id != "" {
			out = append(out, id)
		}
	}
	return sorted(out)
}

func convInstance(s scope, in types.DBInstance) rdsm.Instance {
	out := rdsm.Instance{
		Meta:                    s.meta(sdk.ToString(in.DBInstanceArn), "db", sdk.ToString(in.DBInstanceIdentifier), in.TagList),
		ID:                      sdk.ToString(in.DBInstanceIdentifier),
		Engine:                  sdk.ToString(in.Engine),
		EngineVersion:           sdk.ToString(in.EngineVersion),
		Class:                   sdk.ToString(in.DBInstanceClass),
		Status:                  sdk.ToString(in.DBInstanceStatus),
		ClusterID:               sdk.ToString(in.DBClusterIdentifier),
		StorageEncrypted:        sdk.ToBool(in.StorageEncrypted),
		KMSKeyID:                sdk.ToString(in.KmsKeyId),
		PubliclyAccessible:      sdk.ToBool(in.PubliclyAccessible),
		MultiAZ:                 sdk.ToBool(in.MultiAZ),
		AvailabilityZone:        sdk.ToString(in.AvailabilityZone),
		SecondaryAZ:             sdk.ToString(in.SecondaryAvailabilityZone),
		BackupRetentionDays:     int(sdk.ToInt32(in.BackupRetentionPeriod)),
		AutoMinorVersionUpgrade: sdk.ToBool(in.AutoMinorVersionUpgrade),
		IAMAuth:                 sdk.ToBool(in.IAMDatabaseAuthenticationEnabled),
		DeletionProtection:      sdk.ToBool(in.DeletionProtection),
		CopyTagsToSnapshot:      sdk.ToBool(in.CopyTagsToSnapshot),
		SecurityGroupIDs:        activeSGs(in.VpcSecurityGroups),
		LogExports:              sorted(in.EnabledCloudwatchLogsExports),
		MonitoringInterval:      int(sdk.ToInt32(in.MonitoringInterval)),
		PerformanceInsights:     sdk.ToBool(in.PerformanceInsightsEnabled),
		CACertificate:           sdk.ToString(in.CACertificateIdentifier),
		CreateTime:              in.InstanceCreateTime,
		MasterUsername:          sdk.ToString(in.MasterUsername),
	}
	if in.Endpoint != nil {
		out.Endpoint = sdk.ToString(in.Endpoint.Address)
		out.Port = int(sdk.ToInt32(in.Endpoint.Port))
	}
	if out.Port == 0 {
		out.Port = int(sdk.ToInt32(in.DbInstancePort))
	}
	if g := in.DBSubnetGroup; g != nil {
		out.SubnetGroup = sdk.ToString(g.DBSubnetGroupName)
		out.VPCID = sdk.ToString(g.VpcId)
		for _, s := range g.Subnets {
			if id := sdk.ToString(s.SubnetIdentifier); id != "" {
				out.SubnetIDs = append(out.SubnetIDs, id)
			}
		}
		out.SubnetIDs = sorted(out.SubnetIDs)
	}
	for _, p := range in.DBParameterGroups {
		if n := sdk.ToString(p.DBParameterGroupName); n != "" {
			out.ParameterGroups = append(out.ParameterGroups, n)
		}
	}
	out.ParameterGroups = sorted(out.ParameterGroups)
	return out
}

func convCluster(s scope, in types.DBCluster) rdsm.Cluster {
	out := rdsm.Cluster{
		Meta:                    s.meta(sdk.ToString(in.DBClusterArn), "cluster", sdk.ToString(in.DBClusterIdentifier), in.TagList),
		ID:                      sdk.ToString(in.DBClusterIdentifier),
		Engine:                  sdk.ToString(in.Engine),
		EngineVersion:           sdk.ToString(in.EngineVersion),
		EngineMode:              sdk.ToString(in.EngineMode),
		Status:                  sdk.ToString(in.Status),
		StorageEncrypted:        sdk.ToBool(in.StorageEncrypted),
		KMSKeyID:                sdk.ToString(in.KmsKeyId),
		MultiAZ:                 sdk.ToBool(in.MultiAZ),
		AvailabilityZones:       sorted(in.AvailabilityZones),
		BackupRetentionDays:     int(sdk.ToInt32(in.BackupRetentionPeriod)),
		DeletionProtection:      sdk.ToBool(in.DeletionProtection),
		IAMAuth:                 sdk.ToBool(in.IAMDatabaseAuthenticationEnabled),
		CopyTagsToSnapshot:      sdk.ToBool(in.CopyTagsToSnapshot),
		PubliclyAccessible:      sdk.ToBool(in.PubliclyAccessible),
		AutoMinorVersionUpgrade: sdk.ToBool(in.AutoMinorVersionUpgrade),
		Port:                    int(sdk.ToInt32(in.Port)),
		SubnetGroup:             sdk.ToString(in.DBSubnetGroup),
		SecurityGroupIDs:        activeSGs(in.VpcSecurityGroups),
		LogExports:              sorted(in.EnabledCloudwatchLogsExports),
		ParameterGroup:          sdk.ToString(in.DBClusterParameterGroup),
		ActivityStreamStatus:    string(in.ActivityStreamStatus),
		CreateTime:              in.ClusterCreateTime,
		MasterUsername:          sdk.ToString(in.MasterUsername),
		BacktrackWindowSeconds:  sdk.ToInt64(in.BacktrackWindow),
	}
	for _, m := range in.DBClusterMembers {
		out.Members = append(out.Members, rdsm.ClusterMember{
			InstanceID: sdk.ToString(m.DBInstanceIdentifier), Writer: sdk.ToBool(m.IsClusterWriter)})
	}
	sort.Slice(out.Members, func(i, j int) bool { return out.Members[i].InstanceID < out.Members[j].InstanceID })
	return out
}

func convSnapshot(s scope, in types.DBSnapshot) rdsm.Snapshot {
	out := rdsm.Snapshot{
		Meta:       s.meta(sdk.ToString(in.DBSnapshotArn), "snapshot", sdk.ToString(in.DBSnapshotIdentifier), in.TagList),
		ID:         sdk.ToString(in.DBSnapshotIdentifier),
		SourceID:   sdk.ToString(in.DBInstanceIdentifier),
		Engine:     sdk.ToString(in.Engine),
		Type:       sdk.ToString(in.SnapshotType),
		Status:     sdk.ToString(in.Status),
		Encrypted:  sdk.ToBool(in.Encrypted),
		KMSKeyID:   sdk.ToString(in.KmsKeyId),
		CreateTime: in.SnapshotCreateTime,
	}
	return out
}

func convClusterSnapshot(s scope, in types.DBClusterSnapshot) rdsm.Snapshot {
	out := rdsm.Snapshot{
		Meta:       s.meta(sdk.ToString(in.DBClusterSnapshotArn), "cluster-snapshot", sdk.ToString(in.DBClusterSnapshotIdentifier), in.TagList),
		ID:         sdk.ToString(in.DBClusterSnapshotIdentifier),
		SourceID:   sdk.ToString(in.DBClusterIdentifier),
		Engine:     sdk.ToString(in.Engine),
		Type:       sdk.ToString(in.SnapshotType),
		Status:     sdk.ToString(in.Status),
		Encrypted:  sdk.ToBool(in.StorageEncrypted),
		KMSKeyID:   sdk.ToString(in.KmsKeyId),
		CreateTime: in.SnapshotCreateTime,
	}
	return out
}
