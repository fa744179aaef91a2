// Package efs is the snapshot model of Amazon Elastic File System, one
// Region at a time: file systems with their encryption, automatic-backup
// policy, file system policy and mount targets, and the access points
// through which applications reach them.
package efs

import (
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Region is the EFS state of one region.
type Region struct {
	Name        string                 `json:"name"`
	FileSystems core.Val[[]FileSystem] `json:"file_systems"`
}

// FileSystem is one EFS file system (DescribeFileSystems). Meta.ARN is the
// file system ARN (arn:aws:elasticfilesystem:REGION:ACCOUNT:file-system/fs-…)
// and Meta.Tags its tags, including the system tag
// aws:elasticfilesystem:default-backup that EFS sets while automatic backups
// are on.
type FileSystem struct {
	core.Meta
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// LifeCycleState is creating | available | updating | deleting |
	// deleted | error.
	LifeCycleState string `json:"life_cycle_state"`
	// Encrypted is encryption at rest, which EFS always does with a KMS key
	// (the AWS managed aws/elasticfilesystem key unless KMSKeyID names a
	// customer managed one). It can only be chosen at creation.
	Encrypted bool   `json:"encrypted"`
	KMSKeyID  string `json:"kms_key_id,omitempty"`
	// PerformanceMode is generalPurpose | maxIO.
	PerformanceMode string `json:"performance_mode,omitempty"`
	// ThroughputMode is bursting | provisioned | elastic.
	ThroughputMode string `json:"throughput_mode,omitempty"`
	// AvailabilityZone is set for One Zone file systems, whose data lives
	// in that single zone; empty for Regional (multi-AZ) file systems.
	AvailabilityZone   string `json:"availability_zone,omitempty"`
	AvailabilityZoneID string `json:"availability_zone_id,omitempty"`
	// ReplicationOverwriteProtection is ENABLED | DISABLED | REPLICATING
	// (empty when the API did not report it).
	ReplicationOverwriteProtection string     `json:"replication_overwrite_protection,omitempty"`
	NumberOfMountTargets           int        `json:"number_of_mount_targets"`
	CreationTime                   *time.Time `json:"creation_time,omitempty"`

	// BackupPolicy is the automatic-backup status (DescribeBackupPolicy):
	// ENABLED | ENABLING | DISABLED | DISABLING. Known("") means the file
	// system has no backup policy (the API answers PolicyNotFound), which
	// is automatic backups off.
	BackupPolicy core.Val[string] `json:"backup_policy"`
	// Policy is the file system policy (DescribeFileSystemPolicy). Known("")
	// means the default policy is in effect: any client that can reach a
	// mount target over the network gets full access, and IAM alone decides
	// nothing.
	Policy core.Val[string] `json:"policy"`
	// MountTargets are the network endpoints of the file system, one per
	// Availability Zone at most.
	MountTargets core.Val[[]MountTarget] `json:"mount_targets"`
	// AccessPoints are the file system's access points.
	AccessPoints core.Val[[]AccessPoint] `json:"access_points"`
}

// MountTarget is an NFS endpoint of a file system in one subnet
// (DescribeMountTargets). Mount targets have no ARN of their own.
type MountTarget struct {
	ID                 string `json:"id"`
	FileSystemID       string `json:"file_system_id"`
	SubnetID           string `json:"subnet_id"`
	VPCID              string `json:"vpc_id,omitempty"`
	AvailabilityZone   string `json:"availability_zone,omitempty"`
	AvailabilityZoneID string `json:"availability_zone_id,omitempty"`
	IPAddress          string `json:"ip_address,omitempty"`
	IPv6Address        string `json:"ipv6_address,omitempty"`
	NetworkInterfaceID string `json:"network_interface_id,omitempty"`
	// LifeCycleState is creating | available | updating | deleting |
	// deleted | error.
	LifeCycleState string `json:"life_cycle_state"`
	// SecurityGroups guard the mount target's network interface
	// (DescribeMountTargetSecurityGroups).
	SecurityGroups core.Val[[]string] `json:"security_groups"`
}

// AccessPoint is an application entry point into a file system
// (DescribeAccessPoints). Meta.ARN is the access point ARN.
type AccessPoint struct {
	core.Meta
	ID             string `json:"id"`
	Name           string `json:"name,omitempty"`
	FileSystemID   string `json:"file_system_id"`
	LifeCycleState string `json:"life_cycle_state"`
	// RootDirectory is the directory the access point exposes as the root
	// of the file system to its clients; "/" (the default when none is
	// set) exposes the whole file system.
	RootDirectory string        `json:"root_directory"`
	CreationInfo  *CreationInfo `json:"creation_info,omitempty"`
	// PosixUser is the identity the access point enforces on every
	// request; nil when clients keep their own UID/GID.
	PosixUser *PosixUser `json:"posix_user,omitempty"`
}

// CreationInfo is how EFS creates the root directory if it is missing.
type CreationInfo struct {
	OwnerUID    int64  `json:"owner_uid"`
	OwnerGID    int64  `json:"owner_gid"`
	Permissions string `json:"permissions"`
}

// PosixUser is the enforced POSIX identity of an access point.
type PosixUser struct {
	UID           int64   `json:"uid"`
	GID           int64   `json:"gid"`
	SecondaryGIDs []int64 `json:"secondary_gids,omitempty"`
}
