// Package shield is the snapshot model of AWS Shield Advanced, a global
// service: whether the account subscribes to it, which resources it
// protects, and how the Shield Response Team can reach the account.
// Shield Standard protects every account automatically and has no state.
package shield

import (
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Subscription states (GetSubscriptionState).
const (
	StateActive   = "ACTIVE"
	StateInactive = "INACTIVE"
)

// State is the Shield Advanced part of the snapshot.
type State struct {
	// Subscription is Known with State INACTIVE when the account does not
	// subscribe to Shield Advanced: that is an answer, not a gap.
	Subscription core.Val[Subscription] `json:"subscription"`
	// Protections are the protected resources. Known and empty when the
	// account does not subscribe (protections exist only with a
	// subscription).
	Protections core.Val[[]Protection] `json:"protections"`
	// EmergencyContacts are the contacts the Shield Response Team may reach
	// (read only with an active subscription).
	EmergencyContacts core.Val[[]EmergencyContact] `json:"emergency_contacts"`
	// DRTAccess is the Shield Response Team's access to the account (read
	// only with an active subscription); Known with an empty RoleARN when
	// none was granted.
	DRTAccess core.Val[DRTAccess] `json:"drt_access"`
}

// Subscription is the account's Shield Advanced subscription.
type Subscription struct {
	// State is ACTIVE or INACTIVE.
	State string `json:"state"`
	// The fields below come from DescribeSubscription (active only).
	ARN                       string     `json:"arn,omitempty"`
	StartTime                 *time.Time `json:"start_time,omitempty"`
	EndTime                   *time.Time `json:"end_time,omitempty"`
	AutoRenew                 string     `json:"auto_renew,omitempty"` // ENABLED | DISABLED
	ProactiveEngagementStatus string     `json:"proactive_engagement_status,omitempty"`
}

// Active reports whether Shield Advanced is subscribed.
func (s Subscription) Active() bool { return s.State == StateActive }

// Protection is one Shield Advanced protection. Meta.ARN is the protection
// ARN; ResourceARN is the protected resource.
type Protection struct {
	core.Meta
	ID          string `json:"id"`
	Name        string `json:"name"`
	ResourceARN string `json:"resource_arn"`
	// HealthCheckIDs are the Route 53 health checks used for health-based
	// detection.
	HealthCheckIDs []string `json:"health_check_ids,omitempty"`
}

// EmergencyContact is one contact of the Shield Response Team.
type EmergencyContact struct {
	Email string `json:"email"`
	Phone string `json:"phone,omitempty"`
}

// DRTAccess is what the Shield Response Team may use in the account.
type DRTAccess struct {
	RoleARN    string   `json:"role_arn,omitempty"`
	LogBuckets []string `json:"log_buckets,omitempty"`
}

// Protected returns the set of protected resource ARNs.
func (s State) Protected() (map[string]bool, bool) {
	ps, ok := s.Protections.Get()
	if !ok {
		return nil, false
	}
	out := make(map[string]bool, len(ps))
	for _, p := range ps {
		out[p.ResourceARN] = true
	}
	return out, true
}
