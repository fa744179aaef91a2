// Package efs collects Amazon Elastic File System in every region: the file
// systems (encryption, performance and throughput modes, One Zone placement,
// replication overwrite protection, tags), and per file system its
// automatic-backup policy, file system policy, mount targets with their
// security groups, and access points.
package efs

import (
	"context"
	"sort"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsefs "github.com/aws/aws-sdk-go-v2/service/efs"
	"github.com/aws/aws-sdk-go-v2/service/efs/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	efsm "github.com/demarc-sec/demarc/internal/model/efs"
)

const service = "efs"

// policyNotFound is the error EFS answers when a file system has no backup
// policy (automatic backups off) or only the default file system policy:
// https://docs.aws.amazon.com/efs/latest/ug/API_DescribeBackupPolicy.html,
// https://docs.aws.amazon.com/efs/latest/ug/API_DescribeFileSystemPolicy.html.
const policyNotFound = "PolicyNotFound"

// API is the part of the EFS client the collector uses.
type API interface {
	awsefs.DescribeFileSystemsAPIClient
	awsefs.DescribeMountTargetsAPIClient
	awsefs.DescribeAccessPointsAPIClient
	DescribeBackupPolicy(context.Context, *awsefs.DescribeBackupPolicyInput, ...func(*awsefs.Options)) (*awsefs.DescribeBackupPolicyOutput, error)
	DescribeFileSystemPolicy(context.Context, *awsefs.DescribeFileSystemPolicyInput, ...func(*awsefs.Options)) (*awsefs.DescribeFileSystemPolicyOutput, error)
	DescribeMountTargetSecurityGroups(context.Context, *awsefs.DescribeMountTargetSecurityGroupsInput, ...func(*awsefs.Options)) (*awsefs.DescribeMountTargetSecurityGroupsOutput, error)
}

type collector struct{}

// New returns the EFS collector. It is global to the runner and reads every
// region of the snapshot itself, writing only snap.EFS.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return service }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	prefix := snap.ARNPrefix()
	regions, err := kit.PerRegion(ctx, env, service, snap.Regions, kit.RegionConcurrency,
		func(ctx context.Context, region string) (efsm.Region, error) {
			return CollectRegion(ctx, env, awsefs.NewFromConfig(env.Config(region)), prefix, region)
		})
	snap.EFS = regions
	return err
}

// CollectRegion reads one region. The error is non-nil only when the file
// systems could not be listed; a failed per-file-system read leaves that
// field unknown with the reason.
func CollectRegion(ctx context.Context, env *aws.Env, c API, arnPrefix, region string) (efsm.Region, error) {
	r := efsm.Region{Name: region}
	s := scope{env: env, c: c, arnPrefix: arnPrefix, region: region}
	p := awsefs.NewDescribeFileSystemsPaginator(c, &awsefs.DescribeFileSystemsInput{})
	list, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsefs.DescribeFileSystemsOutput) []types.FileSystemDescription {
		return o.FileSystems
	})
	if err != nil {
		r.FileSystems = core.Unknown[[]efsm.FileSystem](s.unknown("DescribeFileSystems", "", err))
		return r, err
	}
	out := make([]efsm.FileSystem, len(list))
	kit.Each(ctx, len(list), kit.ItemConcurrency, func(ctx context.Context, i int) {
		fs := s.convFileSystem(list[i])
		fs.BackupPolicy = s.backupPolicy(ctx, fs.ID, fs.ARN)
		fs.Policy = s.fileSystemPolicy(ctx, fs.ID, fs.ARN)
		fs.MountTargets = s.mountTargets(ctx, fs.ID, fs.ARN)
		fs.AccessPoints = s.accessPoints(ctx, fs.ID, fs.ARN)
		out[i] = fs
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	r.FileSystems = core.Known(out)
	return r, nil
}

type scope struct {
	env       *aws.Env
	c         API
	arnPrefix string
	region    string
}

func (s scope) unknown(op, resource string, err error) string {
	return s.env.Unknown(service, s.region, op, resource, err)
}

func (s scope) arn(resource string) string {
	return s.arnPrefix + ":elasticfilesystem:" + s.region + ":" + s.env.AccountID + ":" + resource
}

func (s scope) convFileSystem(d types.FileSystemDescription) efsm.FileSystem {
	id := sdk.ToString(d.FileSystemId)
	arn := sdk.ToString(d.FileSystemArn)
	if arn == "" {
		arn = s.arn("file-system/" + id)
	}
	fs := efsm.FileSystem{
		Meta:                 core.Meta{ARN: arn, Account: orString(sdk.ToString(d.OwnerId), s.env.AccountID), Region: s.region, Tags: tags(d.Tags)},
		ID:                   id,
		Name:                 sdk.ToString(d.Name),
		LifeCycleState:       string(d.LifeCycleState),
		Encrypted:            sdk.ToBool(d.Encrypted),
		KMSKeyID:             sdk.ToString(d.KmsKeyId),
		PerformanceMode:      string(d.PerformanceMode),
		ThroughputMode:       string(d.ThroughputMode),
		AvailabilityZone:     sdk.ToString(d.AvailabilityZoneName),
		AvailabilityZoneID:   sdk.ToString(d.AvailabilityZoneId),
		NumberOfMountTargets: int(d.NumberOfMountTargets),
		CreationTime:         d.CreationTime,
	}
	if d.FileSystemProtection != nil {
		fs.ReplicationOverwriteProtection = string(d.FileSystemProtection.ReplicationOverwriteProtection)
	}
	return fs
}

func (s scope) backupPolicy(ctx context.Context, id, arn string) core.Val[string] {
	out, err := s.c.DescribeBackupPolicy(ctx, &awsefs.DescribeBackupPolicyInput{FileSystemId: sdk.String(id)})
	switch {
	case kit.IsCode(err, policyNotFound):
		// No backup policy: automatic backups are off. A known answer,
		// not a failed read.
		return core.Known("")
	case err != nil:
		return core.Unknown[string](s.unknown("DescribeBackupPolicy", arn, err))
	case out == nil || out.BackupPolicy == nil:
		return core.Unknown[string]("not reported (efs:DescribeBackupPolicy)")
	}
	return core.Known(string(out.BackupPolicy.Status))
}

func (s scope) fileSystemPolicy(ctx context.Context, id, arn string) core.Val[string] {
	out, err := s.c.DescribeFileSystemPolicy(ctx, &awsefs.DescribeFileSystemPolicyInput{FileSystemId: sdk.String(id)})
	switch {
	case kit.IsCode(err, policyNotFound):
		// The default file system policy is in effect.
		return core.Known("")
	case err != nil:
		return core.Unknown[string](s.unknown("DescribeFileSystemPolicy", arn, err))
	case out == nil:
		return core.Unknown[string]("not reported (efs:DescribeFileSystemPolicy)")
	}
	return core.Known(sdk.ToString(out.Policy))
}

func (s scope) mountTargets(ctx context.Context, id, arn string) core.Val[[]efsm.MountTarget] {
	p := awsefs.NewDescribeMountTargetsPaginator(s.c, &awsefs.DescribeMountTargetsInput{FileSystemId: sdk.String(id)})
	list, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsefs.DescribeMountTargetsOutput) []types.MountTargetDescription {
		return o.MountTargets
	})
	if err != nil {
		return core.Unknown[[]efsm.MountTarget](s.unknown("DescribeMountTargets", arn, err))
	}
	out := make([]efsm.MountTarget, len(list))
	for i, d := range list {
		mt := efsm.MountTarget{
			ID:                 sdk.ToString(d.MountTargetId),
			FileSystemID:       orString(sdk.ToString(d.FileSystemId), id),
			SubnetID:           sdk.ToString(d.SubnetId),
			VPCID:              sdk.ToString(d.VpcId),
			AvailabilityZone:   sdk.ToString(d.AvailabilityZoneName),
			AvailabilityZoneID: sdk.ToString(d.AvailabilityZoneId),
			IPAddress:          sdk.ToString(d.IpAddress),
			IPv6Address:        sdk.ToString(d.Ipv6Address),
			NetworkInterfaceID: sdk.ToString(d.NetworkInterfaceId),
			LifeCycleState:     string(d.LifeCycleState),
		}
		sg, err := s.c.DescribeMountTargetSecurityGroups(ctx, &awsefs.DescribeMountTargetSecurityGroupsInput{MountTargetId: d.MountTargetId})
		switch {
		case err != nil:
			mt.SecurityGroups = core.Unknown[[]string](s.unknown("DescribeMountTargetSecurityGroups", arn, err))
		case sg == nil:
			mt.SecurityGroups = core.Unknown[[]string]("not reported (efs:DescribeMountTargetSecurityGroups)")
		default:
			groups := append([]string{}, sg.SecurityGroups...)
			sort.Strings(groups)
			mt.SecurityGroups = core.Known(groups)
		}
		out[i] = mt
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return core.Known(out)
}

func (s scope) accessPoints(ctx context.Context, id, arn string) core.Val[[]efsm.AccessPoint] {
	p := awsefs.NewDescribeAccessPointsPaginator(s.c, &awsefs.DescribeAccessPointsInput{FileSystemId: sdk.String(id)})
	list, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsefs.DescribeAccessPointsOutput) []types.AccessPointDescription {
		return o.AccessPoints
	})
	if err != nil {
		return core.Unknown[[]efsm.AccessPoint](s.unknown("DescribeAccessPoints", arn, err))
	}
	out := make([]efsm.AccessPoint, 0, len(list))
	for _, d := range list {
		out = append(out, s.convAccessPoint(id, d))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return core.Known(out)
}

func (s scope) convAccessPoint(fsID string, d types.AccessPointDescription) efsm.AccessPoint {
	id := sdk.ToString(d.AccessPointId)
	arn := sdk.ToString(d.AccessPointArn)
	if arn == "" {
		arn = s.arn("access-point/" + id)
	}
	ap := efsm.AccessPoint{
		Meta:           core.Meta{ARN: arn, Account: orString(sdk.ToString(d.OwnerId), s.env.AccountID), Region: s.region, Tags: tags(d.Tags)},
		ID:             id,
		Name:           sdk.ToString(d.Name),
		FileSystemID:   orString(sdk.ToString(d.FileSystemId), fsID),
		LifeCycleState: string(d.LifeCycleState),
		// Without a root directory the access point exposes the file
		// system's root, which the API reports as "/"
		// (https://docs.aws.amazon.com/efs/latest/ug/API_RootDirectory.html).
		RootDirectory: "/",
	}
	if rd := d.RootDirectory; rd != nil {
		if p := sdk.ToString(rd.Path); p != "" {
			ap.RootDirectory = p
		}
		if ci := rd.CreationInfo; ci != nil {
			ap.CreationInfo = &efsm.CreationInfo{OwnerUID: sdk.ToInt64(ci.OwnerUid), OwnerGID: sdk.ToInt64(ci.OwnerGid), Permissions: sdk.ToString(ci.Permissions)}
		}
	}
	if pu := d.PosixUser; pu != nil {
		ap.PosixUser = &efsm.PosixUser{UID: sdk.ToInt64(pu.Uid), GID: sdk.ToInt64(pu.Gid), SecondaryGIDs: append([]int64(nil), pu.SecondaryGids...)}
	}
	return ap
}

func tags(in []types.Tag) map[string]string {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]string, len(in))
	for _, t := range in {
		out[sdk.ToString(t.Key)] = sdk.ToString(t.Value)
	}
	return out
}

func orString(v, fallback string) string {
	if v != "" {
		return v
	}
	return fallback
}
