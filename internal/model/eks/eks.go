// Package eks is the snapshot model of Amazon EKS clusters, one Region at a
// time: API endpoint exposure, control plane logging, secrets encryption and
// the Kubernetes version.
package eks

import (
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Region is the EKS state of one region.
type Region struct {
	Name     string              `json:"name"`
	Clusters core.Val[[]Cluster] `json:"clusters"`
}

// Cluster is one EKS cluster. Meta.ARN is the cluster ARN.
type Cluster struct {
	core.Meta
	Name    string                   `json:"name"`
	Details core.Val[ClusterDetails] `json:"details"`
}

// ClusterDetails are the DescribeCluster fields rules need.
type ClusterDetails struct {
	Version         string `json:"version"`
	PlatformVersion string `json:"platform_version,omitempty"`
	Status          string `json:"status"`
	RoleARN         string `json:"role_arn,omitempty"`
	EndpointPublic  bool   `json:"endpoint_public_access"`
	EndpointPrivate bool   `json:"endpoint_private_access"`
	// PublicAccessCIDRs limit the public endpoint; AWS reports 0.0.0.0/0
	// when unrestricted.
	PublicAccessCIDRs      []string `json:"public_access_cidrs,omitempty"`
	VPCID                  string   `json:"vpc_id,omitempty"`
	SubnetIDs              []string `json:"subnet_ids,omitempty"`
	SecurityGroupIDs       []string `json:"security_group_ids,omitempty"`
	ClusterSecurityGroupID string   `json:"cluster_security_group_id,omitempty"`
	// EnabledLogTypes are the control plane log types sent to CloudWatch
	// (api, audit, authenticator, controllerManager, scheduler).
	EnabledLogTypes []string           `json:"enabled_log_types,omitempty"`
	Encryption      []EncryptionConfig `json:"encryption,omitempty"`
	// AuthenticationMode is API | API_AND_CONFIG_MAP | CONFIG_MAP.
	AuthenticationMode string     `json:"authentication_mode,omitempty"`
	CreatedAt          *time.Time `json:"created_at,omitempty"`
}

// EncryptionConfig is envelope encryption of Kubernetes resources.
type EncryptionConfig struct {
	Resources []string `json:"resources"` // "secrets"
	KeyARN    string   `json:"key_arn,omitempty"`
}

// SecretsEncrypted reports whether Kubernetes secrets use envelope encryption.
func (d ClusterDetails) SecretsEncrypted() bool {
	for _, e := range d.Encryption {
		for _, r := range e.Resources {
			if r == "secrets" {
				return true
			}
		}
	}
	return false
}
