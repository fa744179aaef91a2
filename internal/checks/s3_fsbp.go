package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/s3"
)

// The FSBP S3 controls on bucket configurations other than public access
// and encryption: cross-account grants in the bucket policy, replication,
// lifecycle, event notifications, Object Lock, and access points. Each
// follows the AWS Config rule behind the Security Hub control, with the
// control's default parameters.

// s3BlacklistedActions is the default of S3.6's blacklistedActionPatterns:
// the actions that let another account take over a bucket's access control
// or encryption.
// https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-6
var s3BlacklistedActions = []string{
	"s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:PutBucketPolicy", "s3:PutEncryptionConfiguration", "s3:PutObjectAcl",
}

// lifecycleParams are S3.13's optional parameters (targetTransitionDays,
// targetExpirationDays, targetTransitionStorageClass); the zero value, the
// control's default, asks only for an enabled lifecycle rule.
type lifecycleParams struct {
	TransitionDays int
	ExpirationDays int
	StorageClass   string
}

func s3FSBPRules() []Rule {
	return []Rule{
		{
			ID:             "s3-bucket-policy-cross-account-actions",
			Title:          "S3 bucket policies do not grant other AWS accounts sensitive bucket actions",
			Service:        "s3",
			Severity:       High,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{FSBP: {"S3.6"}},
			Description: "A bucket policy must not allow principals of other AWS accounts (a named account, \"*\", or an Allow with " +
				"NotPrincipal) any of s3:DeleteBucketPolicy, s3:PutBucketAcl, s3:PutBucketPolicy, s3:PutEncryptionConfiguration or " +
				"s3:PutObjectAcl, directly or through a wildcard or NotAction: with them another account can rewrite who may use the " +
				"bucket. As in the AWS Config rule s3-bucket-blacklisted-actions-prohibited, only the Principal element is read; " +
				"conditions are not taken into account. A bucket without a policy passes.",
			Remediation: "Remove the sensitive actions (or the statement) granted to other accounts, then:\n" +
				"  aws s3api put-bucket-policy --bucket BUCKET --policy file://policy.json\n" +
				"Terraform: keep actions such as s3:PutBucketPolicy out of every statement of aws_s3_bucket_policy whose principals\n" +
				"  name another account: statement { principals { type = \"AWS\" identifiers = [\"arn:aws:iam::OTHER:root\"] } actions = [\"s3:GetObject\"] }",
			Links: []string{"https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-6",
				"https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-blacklisted-actions-prohibited.html"},
			Check: checkBucketCrossAccountActions(s3BlacklistedActions),
		},
		{
			ID:             "s3-bucket-cross-region-replication",
			Title:          "S3 buckets use cross-Region replication",
			Service:        "s3",
			Severity:       Low,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"S3.7"}},
			Description: "The bucket needs an enabled replication rule whose destination bucket is in another Region, so a " +
				"Regional event does not take the only copy of the data (AWS Config rule s3-bucket-cross-region-replication-enabled). " +
				"Same-Region replication and disabled rules do not count. A destination whose Region could not be determined is " +
				"reported UNKNOWN.",
			Remediation: "Enable versioning on both buckets, then:\n" +
				"  aws s3api put-bucket-replication --bucket BUCKET --replication-configuration \\\n" +
				"      '{\"Role\":\"arn:aws:iam::ACCOUNT:role/s3-replication\",\"Rules\":[{\"ID\":\"crr\",\"Status\":\"Enabled\",\"Priority\":1,\"Filter\":{},\n" +
				"        \"DeleteMarkerReplication\":{\"Status\":\"Disabled\"},\"Destination\":{\"Bucket\":\"arn:aws:s3:::BUCKET-replica-OTHER-REGION\"}}]}'\n" +
				"Terraform: resource \"aws_s3_bucket_replication_configuration\" \"b\" { bucket = aws_s3_bucket.b.id, role = aws_iam_role.replication.arn\n" +
				"  rule { status = \"Enabled\" destination { bucket = aws_s3_bucket.replica.arn } } }",
			Links: []string{"https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-7",
				"https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-cross-region-replication-enabled.html",
				"https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication.html"},
			Check: checkBucketCrossRegionReplication,
		},
		{
			ID:             "s3-versioned-bucket-lifecycle",
			Title:          "S3 buckets with versioning enabled have lifecycle configurations",
			Service:        "s3",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"S3.10"}},
			Description: "A versioned bucket keeps every overwritten and deleted object as a noncurrent version; an enabled " +
				"lifecycle rule is what expires or archives them (AWS Config rule s3-version-lifecycle-policy-check). Only buckets " +
				"whose versioning is Enabled are judged.",
			Remediation: "  aws s3api put-bucket-lifecycle-configuration --bucket BUCKET --lifecycle-configuration \\\n" +
				"      '{\"Rules\":[{\"ID\":\"noncurrent\",\"Status\":\"Enabled\",\"Filter\":{},\"NoncurrentVersionExpiration\":{\"NoncurrentDays\":90}}]}'\n" +
				"Terraform: resource \"aws_s3_bucket_lifecycle_configuration\" \"b\" { bucket = aws_s3_bucket.b.id\n" +
				"  rule { id = \"noncurrent\" status = \"Enabled\" noncurrent_version_expiration { noncurrent_days = 90 } } }",
			Links: []string{"https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-10",
				"https://docs.aws.amazon.com/config/latest/developerguide/s3-version-lifecycle-policy-check.html"},
			Check: checkVersionedBucketLifecycle,
		},
		{
			ID:             "s3-bucket-event-notifications",
			Title:          "S3 buckets have event notifications enabled",
			Service:        "s3",
			Severity:       Medium,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{FSBP: {"S3.11"}},
			Description: "S3 Event Notifications (to an SNS topic, SQS queue, Lambda function, or Amazon EventBridge, which " +
				"receives every event type) alert on object creation, removal or restoration (AWS Config rule " +
				"s3-event-notifications-enabled). The control's eventTypes parameter has no default, so any configured " +
				"notification passes.",
			Remediation: "  aws s3api put-bucket-notification-configuration --bucket BUCKET \\\n" +
				"      --notification-configuration '{\"EventBridgeConfiguration\":{}}'\n" +
				"Terraform: resource \"aws_s3_bucket_notification\" \"b\" { bucket = aws_s3_bucket.b.id, eventbridge = true }",
			Links: []string{"https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-11",
				"https://docs.aws.amazon.com/config/latest/developerguide/s3-event-notifications-enabled.html",
				"https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html"},
			Check: checkBucketEventNotifications(nil),
		},
		{
			ID:             "s3-bucket-lifecycle",
			Title:          "S3 buckets have lifecycle configurations",
			Service:        "s3",
			Severity:       Low,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"S3.13"}},
			Description: "The bucket needs at least one enabled lifecycle rule, so objects are transitioned or deleted on a " +
				"schedule instead of kept forever (AWS Config rule s3-lifecycle-policy-check). The control's transition days, " +
				"expiration days and storage class parameters have no default.",
			Remediation: "  aws s3api put-bucket-lifecycle-configuration --bucket BUCKET --lifecycle-configuration \\\n" +
				"      '{\"Rules\":[{\"ID\":\"archive\",\"Status\":\"Enabled\",\"Filter\":{},\"Transitions\":[{\"Days\":90,\"StorageClass\":\"GLACIER\"}]}]}'\n" +
				"Terraform: resource \"aws_s3_bucket_lifecycle_configuration\" \"b\" { bucket = aws_s3_bucket.b.id\n" +
				"  rule { id = \"archive\" status = \"Enabled\" transition { days = 90 storage_class = \"GLACIER\" } } }",
			Links: []string{"https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-13",
				"https://docs.aws.amazon.com/config/latest/developerguide/s3-lifecycle-policy-check.html"},
			Check: checkBucketLifecycle(lifecycleParams{}),
		},
		{
			ID:             "s3-bucket-object-lock",
			Title:          "S3 buckets have Object Lock enabled",
			Service:        "s3",
			Severity:       Medium,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"S3.15"}},
			Description: "Object Lock (write-once-read-many) keeps object versions from being deleted or overwritten for a " +
				"retention period, against ransomware and mistakes (AWS Config rule s3-bucket-default-lock-enabled). The control's " +
				"mode parameter has no default, so any bucket with Object Lock enabled passes.",
			Remediation: "Object Lock needs versioning; on an existing bucket:\n" +
				"  aws s3api put-object-lock-configuration --bucket BUCKET --object-lock-configuration \\\n" +
				"      '{\"ObjectLockEnabled\":\"Enabled\",\"Rule\":{\"DefaultRetention\":{\"Mode\":\"GOVERNANCE\",\"Days\":30}}}'\n" +
				"Terraform: resource \"aws_s3_bucket_object_lock_configuration\" \"b\" { bucket = aws_s3_bucket.b.id\n" +
				"  rule { default_retention { mode = \"GOVERNANCE\" days = 30 } } }",
			Links: []string{"https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-15",
				"https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-default-lock-enabled.html",
				"https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html"},
			Check: checkBucketObjectLock(""),
		},
		{
			ID:             "s3-access-point-public-access-block",
			Title:          "S3 access points have Block Public Access settings enabled",
			Service:        "s3",
			Severity:       Critical,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"S3.19"}},
			Description: "Each access point has its own Block Public Access settings, all on unless turned off when it was " +
				"created, and they cannot be changed afterwards; all four must be on (AWS Config rule " +
				"s3-access-point-public-access-blocks).",
			Remediation: "An access point's settings are fixed at creation: create a replacement with every setting on, move\n" +
				"clients to it, and delete the old one:\n" +
				"  aws s3control create-access-point --account-id ACCOUNT --name NAME-v2 --bucket BUCKET \\\n" +
				"      --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true\n" +
				"  aws s3control delete-access-point --account-id ACCOUNT --name NAME\n" +
				"Terraform: resource \"aws_s3_access_point\" \"a\" { bucket = aws_s3_bucket.b.id, name = \"NAME\"\n" +
				"  public_access_block_configuration { block_public_acls = true, ignore_public_acls = true,\n" +
				"    block_public_policy = true, restrict_public_buckets = true } }",
			Links: []string{"https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-19",
				"https://docs.aws.amazon.com/config/latest/developerguide/s3-access-point-public-access-blocks.html",
				"https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-bpa-settings.html"},
			Check: checkAccessPointBPA,
		},
	}
}

// --- S3.6 ---

// crossAccountGrant is what one Allow statement grants to other accounts.
type crossAccountGrant struct {
	who     []string // the other-account principals
	actions []string // the sensitive actions granted
}

func checkBucketCrossAccountActions(blacklist []string) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		return eachBucket(s, func(b s3.Bucket, arn, region string) Result {
			policy, ok := b.Policy.Get()
			switch {
			case !ok:
				return UnknownR(arn, region, "bucket %s policy unreadable: %s", b.Name, b.Policy.Why())
			case strings.TrimSpace(policy) == "":
				return PassR(arn, region, "bucket %s has no bucket policy, so it grants nothing to other accounts", b.Name)
			}
			pd, err := parsePolicy(policy)
			if err != nil {
				return UnknownR(arn, region, "bucket %s: %v", b.Name, err)
			}
			owner := orStr(b.Account, s.AccountID)
			var v verdict
			for i, st := range pd.Statements {
				if !st.allow() {
					continue
				}
				actions := grantedActions(st, blacklist)
				if len(actions) == 0 {
					continue
				}
				who, unknown := otherAccountPrincipals(st, owner, b)
				name := statementName(st, i)
				if len(who) > 0 {
					v.fail("bucket %s policy statement %s allows %s to %s", b.Name, name, strings.Join(actions, ", "), strings.Join(who, ", "))
				}
				for _, u := range unknown {
					v.unknown("bucket %s policy statement %s allows %s to %s", b.Name, name, strings.Join(actions, ", "), u)
				}
			}
			return v.result(arn, region, fmt.Sprintf("bucket %s policy grants none of %s to other AWS accounts", b.Name, strings.Join(blacklist, ", ")))
		})
	}
}

// grantedActions returns the blacklisted actions (or patterns) an Allow
// statement grants: through Action (a wildcard counts when it covers one) or
// through NotAction (everything it does not exclude).
func grantedActions(st policyStatement, blacklist []string) []string {
	var out []string
	for _, bl := range blacklist {
		granted := false
		if st.HasNotAction {
			granted = true
			for _, na := range st.NotAction {
				if wildcardMatch(na, bl) {
					granted = false
				}
			}
		} else {
			for _, a := range st.Action {
				// Either side may be a pattern (the parameter accepts
				// patterns such as s3:GetBucket*).
				if wildcardMatch(a, bl) || wildcardMatch(bl, a) {
					granted = true
				}
			}
		}
		if granted {
			out = append(out, bl)
		}
	}
	return out
}

// otherAccountPrincipals lists the principals of a statement that belong to
// an account other than owner, and the ones it cannot place (for UNKNOWN).
// Service principals are AWS services, not accounts; a canonical user is
// the owner when it is the bucket ACL's owner.
func otherAccountPrincipals(st policyStatement, owner string, b s3.Bucket) (who, unknown []string) {
	if st.HasNotPrincipal {
		return []string{"every principal except those in NotPrincipal"}, nil
	}
	if st.Principal.Wildcard {
		return []string{"every principal (\"*\")"}, nil
	}
	for _, p := range append(append([]string(nil), st.Principal.AWS...), st.Principal.Federated...) {
		acct, ok := principalAccount(p)
		switch {
		case !ok && strings.Contains(p, "."):
			// A federated provider name such as cognito-identity.amazonaws.com.
		case !ok:
			unknown = append(unknown, "principal "+p+" (its account cannot be determined)")
		case acct != owner:
			who = append(who, p)
		}
	}
	for _, c := range st.Principal.CanonicalUser {
		acl, ok := b.ACL.Get()
		switch {
		case !ok:
			unknown = append(unknown, "canonical user "+c+" (the bucket ACL, which names the owner's canonical ID, is unreadable: "+b.ACL.Why()+")")
		case acl.OwnerID == "" || c != acl.OwnerID:
			who = append(who, "canonical user "+c)
		}
	}
	return who, unknown
}

// principalAccount returns the account of an AWS principal: a 12-digit
// account ID or the account field of an IAM/STS ARN ("cloudfront" for a
// CloudFront origin access identity, which is not the owner's account).
func principalAccount(p string) (string, bool) {
	p = strings.TrimSpace(p)
	if isAccountID(p) {
		return p, true
	}
	parts := strings.SplitN(p, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" && parts[4] != "" {
		return parts[4], true
	}
	return "", false
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func statementName(st policyStatement, i int) string {
	if st.Sid != "" {
		return fmt.Sprintf("%q", st.Sid)
	}
	return fmt.Sprintf("#%d", i+1)
}

// --- S3.7 ---

func checkBucketCrossRegionReplication(s *model.Snapshot) []Result {
	regionOf := map[string]string{}
	if buckets, ok := s.S3.Buckets.Get(); ok {
		for _, b := range buckets {
			regionOf[b.Name] = b.Region
		}
	}
	return eachBucket(s, func(b s3.Bucket, arn, region string) Result {
		rep, ok := b.Replication.Get()
		switch {
		case !ok:
			return UnknownR(arn, region, "bucket %s replication configuration unreadable: %s", b.Name, b.Replication.Why())
		case rep == nil:
			return FailR(arn, region, "bucket %s has no replication configuration", b.Name)
		case b.Region == "":
			return UnknownR(arn, region, "bucket %s: its own Region is unknown, so cross-Region replication cannot be told from same-Region", b.Name)
		}
		var same, unknownDest, disabled []string
		for _, r := range rep.Rules {
			dest := r.DestinationName()
			if !r.Enabled() {
				disabled = append(disabled, dest)
				continue
			}
			dr := r.DestinationRegion
			if dr == "" {
				dr = regionOf[dest]
			}
			switch {
			case dr == "":
				unknownDest = append(unknownDest, dest)
			case dr != b.Region:
				return PassR(arn, region, "bucket %s replicates to %s in %s (rule %s enabled)", b.Name, dest, dr, orStr(r.ID, "without ID"))
			default:
				same = append(same, dest)
			}
		}
		if len(unknownDest) > 0 {
			return UnknownR(arn, region, "bucket %s replicates to %s, whose Region could not be determined", b.Name, strings.Join(unknownDest, ", "))
		}
		var why []string
		if len(same) > 0 {
			why = append(why, "enabled rules replicate only within "+b.Region+" (to "+strings.Join(same, ", ")+")")
		}
		if len(disabled) > 0 {
			why = append(why, "disabled rules for "+strings.Join(disabled, ", "))
		}
		if len(why) == 0 {
			why = append(why, "its replication configuration has no rules")
		}
		return FailR(arn, region, "bucket %s does not replicate to another Region: %s", b.Name, strings.Join(why, "; "))
	})
}

// --- S3.10 and S3.13 ---

func enabledLifecycleRules(lc *s3.Lifecycle) []s3.LifecycleRule {
	if lc == nil {
		return nil
	}
	var out []s3.LifecycleRule
	for _, r := range lc.Rules {
		if r.Enabled() {
			out = append(out, r)
		}
	}
	return out
}

func checkVersionedBucketLifecycle(s *model.Snapshot) []Result {
	buckets, unk := knownList(s.S3.Buckets, s.ARNPrefix()+":s3:::*", globalRegion, "S3 bucket list")
	if unk != nil {
		return unk
	}
	out := []Result{}
	for _, b := range buckets {
		arn, region := bucketARN(s, b), bucketRegion(b)
		v, ok := b.Versioning.Get()
		if !ok {
			out = append(out, UnknownR(arn, region, "bucket %s versioning unreadable: %s", b.Name, b.Versioning.Why()))
			continue
		}
		if v.Status != "Enabled" {
			// Outside the control: only versioning-enabled buckets.
			continue
		}
		lc, ok := b.Lifecycle.Get()
		rules := enabledLifecycleRules(lc)
		switch {
		case !ok:
			out = append(out, UnknownR(arn, region, "bucket %s is versioned but its lifecycle configuration is unreadable: %s", b.Name, b.Lifecycle.Why()))
		case lc == nil:
			out = append(out, FailR(arn, region, "bucket %s is versioned and has no lifecycle configuration", b.Name))
		case len(rules) == 0:
			out = append(out, FailR(arn, region, "bucket %s is versioned and every lifecycle rule is disabled", b.Name))
		default:
			out = append(out, PassR(arn, region, "bucket %s is versioned and has %s", b.Name, plural(len(rules), "enabled lifecycle rule", "enabled lifecycle rules")))
		}
	}
	// No versioned bucket: nothing in scope (AWS reports NOT_APPLICABLE).
	return out
}

func (p lifecycleParams) matches(r s3.LifecycleRule) bool {
	if p.ExpirationDays > 0 && r.ExpirationDays != p.ExpirationDays {
		return false
	}
	if p.TransitionDays > 0 || p.StorageClass != "" {
		for _, t := range r.Transitions {
			if (p.TransitionDays == 0 || t.Days == p.TransitionDays) && (p.StorageClass == "" || strings.EqualFold(t.StorageClass, p.StorageClass)) {
				return true
			}
		}
		return false
	}
	return true
}

func (p lifecycleParams) String() string {
	var parts []string
	if p.TransitionDays > 0 {
		parts = append(parts, fmt.Sprintf("transition after %d days", p.TransitionDays))
	}
	if p.StorageClass != "" {
		parts = append(parts, "transition to "+p.StorageClass)
	}
	if p.ExpirationDays > 0 {
		parts = append(parts, fmt.Sprintf("expiration after %d days", p.ExpirationDays))
	}
	return strings.Join(parts, ", ")
}

func checkBucketLifecycle(p lifecycleParams) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		return eachBucket(s, func(b s3.Bucket, arn, region string) Result {
			lc, ok := b.Lifecycle.Get()
			rules := enabledLifecycleRules(lc)
			switch {
			case !ok:
				return UnknownR(arn, region, "bucket %s lifecycle configuration unreadable: %s", b.Name, b.Lifecycle.Why())
			case lc == nil:
				return FailR(arn, region, "bucket %s has no lifecycle configuration", b.Name)
			case len(rules) == 0:
				return FailR(arn, region, "bucket %s has lifecycle rules but none is enabled", b.Name)
			}
			for _, r := range rules {
				if p.matches(r) {
					return PassR(arn, region, "bucket %s has an enabled lifecycle rule (%s)", b.Name, orStr(r.ID, "without ID"))
				}
			}
			return FailR(arn, region, "bucket %s has no enabled lifecycle rule with %s", b.Name, p)
		})
	}
}

// --- S3.11 ---

// eventCovered reports whether a configured event type delivers the
// requested one: "s3:ObjectCreated:*" covers "s3:ObjectCreated:Put".
func eventCovered(configured, requested string) bool {
	return strings.EqualFold(configured, requested) || wildcardMatch(configured, requested)
}

func checkBucketEventNotifications(eventTypes []string) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		return eachBucket(s, func(b s3.Bucket, arn, region string) Result {
			n, ok := b.Notifications.Get()
			switch {
			case !ok:
				return UnknownR(arn, region, "bucket %s notification configuration unreadable: %s", b.Name, b.Notifications.Why())
			case !n.Enabled():
				return FailR(arn, region, "bucket %s has no event notifications", b.Name)
			}
			var missing []string
			for _, want := range eventTypes {
				// EventBridge receives every event type.
				covered := n.EventBridge
				for _, t := range n.Targets {
					for _, e := range t.Events {
						covered = covered || eventCovered(e, want)
					}
				}
				if !covered {
					missing = append(missing, want)
				}
			}
			if len(missing) > 0 {
				return FailR(arn, region, "bucket %s has no event notification for %s", b.Name, strings.Join(missing, ", "))
			}
			return PassR(arn, region, "bucket %s sends event notifications to %s", b.Name, notificationTargets(n))
		})
	}
}

func notificationTargets(n s3.Notifications) string {
	var out []string
	if n.EventBridge {
		out = append(out, "Amazon EventBridge")
	}
	for _, t := range n.Targets {
		out = append(out, t.Kind+" "+t.ARN)
	}
	return strings.Join(out, ", ")
}

// --- S3.15 ---

func checkBucketObjectLock(mode string) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		return eachBucket(s, func(b s3.Bucket, arn, region string) Result {
			ol, ok := b.ObjectLock.Get()
			switch {
			case !ok:
				return UnknownR(arn, region, "bucket %s Object Lock configuration unreadable: %s", b.Name, b.ObjectLock.Why())
			case ol == nil || !ol.Enabled:
				return FailR(arn, region, "bucket %s does not have Object Lock enabled", b.Name)
			case mode != "" && !strings.EqualFold(ol.DefaultMode, mode):
				return FailR(arn, region, "bucket %s has Object Lock enabled but its default retention mode is %s, not %s", b.Name, orStr(ol.DefaultMode, "not set"), mode)
			case ol.DefaultMode != "":
				return PassR(arn, region, "bucket %s has Object Lock enabled (default retention %s)", b.Name, ol.DefaultMode)
			}
			return PassR(arn, region, "bucket %s has Object Lock enabled", b.Name)
		})
	}
}

// --- S3.19 ---

func accessPointRegions(s *model.Snapshot) svcRegions[s3.AccessPointRegion, s3.AccessPoint] {
	return svcRegions[s3.AccessPointRegion, s3.AccessPoint]{
		service: "s3", what: "S3 access points", wildcard: "accesspoint/*", regions: s.S3.AccessPoints,
		name: func(r *s3.AccessPointRegion) string { return r.Name },
		list: func(r *s3.AccessPointRegion) core.Val[[]s3.AccessPoint] { return r.AccessPoints },
	}
}

func checkAccessPointBPA(s *model.Snapshot) []Result {
	return accessPointRegions(s).each(s, func(region string, aps []s3.AccessPoint) []Result {
		out := make([]Result, 0, len(aps))
		for _, ap := range aps {
			arn := orARN(ap.ARN, regionalARN(s, "s3", region, "accesspoint/"+ap.Name))
			r := regionOr(ap.Meta, region)
			p, ok := ap.PublicAccessBlock.Get()
			switch {
			case !ok:
				out = append(out, UnknownR(arn, r, "access point %s Block Public Access unreadable: %s", ap.Name, ap.PublicAccessBlock.Why()))
			case !p.All():
				out = append(out, FailR(arn, r, "access point %s (bucket %s) has Block Public Access off for: %s", ap.Name, ap.Bucket, strings.Join(bpaMissing(p), ", ")))
			default:
				out = append(out, PassR(arn, r, "access point %s (bucket %s) has all four Block Public Access settings on", ap.Name, ap.Bucket))
			}
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].ResourceARN < out[j].ResourceARN })
		return out
	})
}
