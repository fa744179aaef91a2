package checks

import (
	"sort"
	"strconv"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/iam"
	"github.com/demarc-sec/demarc/internal/model/kms"
)

// KMS rules: CIS 3.6 and FSBP KMS.1–KMS.4 (KMS.5, public key policies, is
// the exposure rule exposure-kms-key-public). Scoping follows
// https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html

func kmsRules() []Rule {
	const guide = "https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html"
	return []Rule{
		{
			ID:             "kms-key-rotation-enabled",
			Title:          "Automatic rotation is enabled for customer managed symmetric KMS keys",
			Service:        "kms",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{CIS50: {"3.6"}, FSBP: {"KMS.4"}},
			Description:    "Rotation gives a key new key material periodically (yearly by default) while old material stays available for decryption, which limits how much data one exposed key version protects. Applies to customer managed symmetric encryption keys with KMS-generated material; AWS managed keys rotate on their own, and asymmetric, HMAC and imported keys cannot rotate automatically. Keys pending deletion are not judged.",
			Remediation: "  aws kms enable-key-rotation --key-id KEY_ID   # optionally --rotation-period-in-days 90..2560\n" +
				"Terraform: resource \"aws_kms_key\" \"k\" { enable_key_rotation = true }",
			Links: []string{"https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html", guide + "#kms-4"},
			Check: checkKMSRotation,
		},
		{
			ID:             "kms-key-not-pending-deletion",
			Title:          "KMS keys are not scheduled for deletion",
			Service:        "kms",
			Severity:       Critical,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"KMS.3"}},
			Description:    "Deleting a KMS key makes everything encrypted under it unrecoverable. A key pending deletion can still be saved during its waiting period (7 to 30 days); unless the deletion is a deliberate crypto-shred, cancel it.",
			Remediation: "  aws kms cancel-key-deletion --key-id KEY_ID && aws kms enable-key --key-id KEY_ID\n" +
				"Terraform: keep the aws_kms_key resource (and set deletion_window_in_days = 30 so a mistaken destroy can be undone).",
			Links: []string{"https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html", guide + "#kms-3"},
			Check: checkKMSPendingDeletion,
		},
		{
			ID:             "kms-customer-policy-no-decrypt-all-keys",
			Title:          "Customer managed IAM policies do not allow decryption with every KMS key",
			Service:        "iam",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{FSBP: {"KMS.1"}},
			Description:    "kms:Decrypt or kms:ReEncryptFrom on Resource \"*\" lets a principal decrypt data under any key whose key policy defers to IAM. As in Security Hub, the default version of every customer managed policy (attached or not) is judged, only the Resource element counts (conditions are not considered), and policies used only as permissions boundaries are exempt.",
			Remediation: "Name the keys the principal needs instead of \"*\":\n" +
				"  aws iam create-policy-version --policy-arn ARN --policy-document file://scoped.json --set-as-default\n" +
				"Terraform: data \"aws_iam_policy_document\" \"p\" { statement { actions = [\"kms:Decrypt\"], resources = [aws_kms_key.app.arn] } }",
			Links: []string{"https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies-best-practices.html", guide + "#kms-1"},
			Check: checkKMSCustomerPolicies,
		},
		{
			ID:             "kms-inline-policy-no-decrypt-all-keys",
			Title:          "IAM inline policies do not allow decryption with every KMS key",
			Service:        "iam",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{FSBP: {"KMS.2"}},
			Description:    "kms:Decrypt or kms:ReEncryptFrom on Resource \"*\" in a user's, group's or role's inline policy lets it decrypt data under any key whose key policy defers to IAM. Only the Resource element counts, as in Security Hub.",
			Remediation: "Name the keys in the inline policy instead of \"*\":\n" +
				"  aws iam put-role-policy --role-name ROLE --policy-name NAME --policy-document file://scoped.json   # put-user-policy / put-group-policy\n" +
				"Terraform: resource \"aws_iam_role_policy\" \"p\" { policy = data.aws_iam_policy_document.scoped.json }",
			Links: []string{"https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies-best-practices.html", guide + "#kms-2"},
			Check: checkKMSInlinePolicies,
		},
	}
}

func kmsRegionNames(s *model.Snapshot) []string {
	names := make([]string, len(s.KMS))
	for i := range s.KMS {
		names[i] = s.KMS[i].Name
	}
	return regionsWith(s, names)
}

// eachKMSKey calls judge for every key of every region. judge returns no
// result for a key the rule does not apply to.
func eachKMSKey(s *model.Snapshot, judge func(k kms.Key, arn, region string) []Result) []Result {
	var out []Result
	for _, name := range kmsRegionNames(s) {
		var r *kms.Region
		for i := range s.KMS {
			if s.KMS[i].Name == name {
				r = &s.KMS[i]
			}
		}
		wild := regionalARN(s, "kms", name, "key/*")
		if r == nil {
			out = append(out, UnknownR(wild, name, "KMS data for region %s was not collected", name))
			continue
		}
		keys, unk := knownList(r.Keys, wild, name, "KMS keys")
		if unk != nil {
			out = append(out, unk...)
			continue
		}
		for _, k := range keys {
			out = append(out, judge(k, orARN(k.ARN, regionalARN(s, "kms", name, "key/"+k.ID)), regionOr(k.Meta, name))...)
		}
	}
	return out
}

func pendingDeletion(state string) bool {
	return state == "PendingDeletion" || state == "PendingReplicaDeletion"
}

func checkKMSRotation(s *model.Snapshot) []Result {
	return eachKMSKey(s, func(k kms.Key, arn, region string) []Result {
		d, ok := k.Details.Get()
		if !ok {
			return []Result{UnknownR(arn, region, "key %s: cannot tell whether it is a customer managed symmetric key: %s", k.ID, k.Details.Why())}
		}
		if !d.CustomerManaged() || !d.RotationSupported() || pendingDeletion(d.State) {
			return nil
		}
		rot, ok := k.Rotation.Get()
		switch {
		case !ok:
			return []Result{UnknownR(arn, region, "key %s: rotation status unreadable: %s", k.ID, k.Rotation.Why())}
		case rot.Enabled:
			period := ""
			if rot.PeriodDays > 0 {
				period = " every " + strconv.Itoa(rot.PeriodDays) + " days"
			}
			return []Result{PassR(arn, region, "customer managed key %s rotates automatically%s", k.ID, period)}
		}
		return []Result{FailR(arn, region, "customer managed symmetric key %s does not rotate automatically", k.ID)}
	})
}

func checkKMSPendingDeletion(s *model.Snapshot) []Result {
	return eachKMSKey(s, func(k kms.Key, arn, region string) []Result {
		d, ok := k.Details.Get()
		switch {
		case !ok:
			return []Result{UnknownR(arn, region, "key %s: key state unreadable: %s", k.ID, k.Details.Why())}
		case pendingDeletion(d.State):
			when := ""
			if d.DeletionDate != nil {
				when = " on " + d.DeletionDate.UTC().Format("2006-01-02")
			}
			return []Result{FailR(arn, region, "key %s is scheduled for deletion%s (state %s)", k.ID, when, d.State)}
		}
		return []Result{PassR(arn, region, "key %s is not scheduled for deletion (state %s)", k.ID, d.State)}
	})
}

// kmsDecryptActions are FSBP KMS.1/KMS.2's blockedActionsPatterns.
var kmsDecryptActions = []string{"kms:Decrypt", "kms:ReEncryptFrom"}

// coversAllKMSKeys reports whether a Resource entry names every KMS key:
// "*", or a KMS ARN pattern whose resource part is "*" or "key/*".
func coversAllKMSKeys(r string) bool {
	r = strings.TrimSpace(r)
	if r == "*" {
		return true
	}
	parts := strings.SplitN(r, ":", 6)
	if len(parts) < 6 || !strings.EqualFold(parts[0], "arn") || !wildcardMatch(parts[2], "kms") {
		return false
	}
	return parts[5] == "*" || parts[5] == "key/*"
}

// decryptAllKeys lists the decryption actions a policy document allows on
// every KMS key, judging only Action/NotAction and Resource/NotResource of
// Allow statements, as the Security Hub controls do.
func decryptAllKeys(doc string) ([]string, error) {
	pd, err := parsePolicy(doc)
	if err != nil {
		return nil, err
	}
	found := map[string]bool{}
	for _, st := range pd.Statements {
		if !st.allow() {
			continue
		}
		allKeys := false
		if st.HasNotResource {
			allKeys = true
			for _, r := range st.NotResource {
				if coversAllKMSKeys(r) {
					allKeys = false
				}
			}
		} else {
			for _, r := range st.Resource {
				if coversAllKMSKeys(r) {
					allKeys = true
				}
			}
		}
		if !allKeys {
			continue
		}
		for _, act := range kmsDecryptActions {
			allowed := false
			if st.HasNotAction {
				allowed = true
				for _, a := range st.NotAction {
					if wildcardMatch(strings.TrimSpace(a), act) {
						allowed = false
					}
				}
			} else {
				for _, a := range st.Action {
					if wildcardMatch(strings.TrimSpace(a), act) {
						allowed = true
					}
				}
			}
			if allowed {
				found[act] = true
			}
		}
	}
	out := make([]string, 0, len(found))
	for a := range found {
		out = append(out, a)
	}
	sort.Strings(out)
	return out, nil
}

func checkKMSCustomerPolicies(s *model.Snapshot) []Result {
	return checkCustomerPolicies(s, func(arn, name, doc string) Result {
		acts, err := decryptAllKeys(doc)
		switch {
		case err != nil:
			return UnknownR(arn, globalRegion, "policy %s: %v", name, err)
		case len(acts) > 0:
			return FailR(arn, globalRegion, "policy %s allows %s on all KMS keys", name, strings.Join(acts, " and "))
		}
		return PassR(arn, globalRegion, "policy %s does not allow decryption on all KMS keys", name)
	})
}

func checkKMSInlinePolicies(s *model.Snapshot) []Result {
	type principal struct {
		kind, name, arn string
		policies        []iam.InlinePolicy
	}
	var ps []principal
	var out []Result
	if users, ok := s.IAM.Users.Get(); ok {
		for _, u := range users {
			ps = append(ps, principal{"user", u.Name, orARN(u.ARN, userPathARN(s, u)), u.InlinePolicies})
		}
	} else {
		out = append(out, UnknownR(iamARN(s, "user/*"), globalRegion, "IAM users (inline policies) unreadable: %s", s.IAM.Users.Why()))
	}
	if groups, ok := s.IAM.Groups.Get(); ok {
		for _, g := range groups {
			ps = append(ps, principal{"group", g.Name, orARN(g.ARN, iamPathARN(s, "group", g.Path, g.Name)), g.InlinePolicies})
		}
	} else {
		out = append(out, UnknownR(iamARN(s, "group/*"), globalRegion, "IAM groups (inline policies) unreadable: %s", s.IAM.Groups.Why()))
	}
	if roles, ok := s.IAM.Roles.Get(); ok {
		for _, r := range roles {
			ps = append(ps, principal{"role", r.Name, orARN(r.ARN, iamPathARN(s, "role", r.Path, r.Name)), r.InlinePolicies})
		}
	} else {
		out = append(out, UnknownR(iamARN(s, "role/*"), globalRegion, "IAM roles (inline policies) unreadable: %s", s.IAM.Roles.Why()))
	}
	for _, p := range ps {
		var vd verdict
		for _, ip := range p.policies {
			acts, err := decryptAllKeys(ip.Document)
			switch {
			case err != nil:
				vd.unknown("%s %s inline policy %s: %v", p.kind, p.name, ip.Name, err)
			case len(acts) > 0:
				vd.fail("%s %s inline policy %s allows %s on all KMS keys", p.kind, p.name, ip.Name, strings.Join(acts, " and "))
			}
		}
		out = append(out, vd.result(p.arn, globalRegion, p.kind+" "+p.name+": no inline policy allows decryption on all KMS keys"))
	}
	return out
}
