package checks

import (
	"fmt"
	"time"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/secretsmanager"
)

// Secrets Manager stores and encrypts secrets; rotating them, checking the
// rotation works and deleting the ones nobody uses are the customer's part.

// Security Hub's defaults for the Secrets Manager controls
// (https://docs.aws.amazon.com/securityhub/latest/userguide/secretsmanager-controls.html).
const (
	secretUnusedDays  = 90 // SecretsManager.3 unusedForDays
	secretRotateDays  = 90 // SecretsManager.4 maxDaysSinceRotation
	secretRotateGrace = 24 * time.Hour
)

func secretsManagerRules() []Rule {
	return []Rule{
		{
			ID:             "secretsmanager-rotation-enabled",
			Title:          "Secrets Manager secrets have automatic rotation enabled",
			Service:        "secretsmanager",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{FSBP: {"SecretsManager.1"}},
			Description: "Automatic rotation replaces a secret on a schedule, shortening how long a leaked credential stays " +
				"useful. Secrets managed by another service (e.g. RDS master passwords) report that service's managed rotation.",
			Remediation: "  aws secretsmanager rotate-secret --secret-id SECRET --rotation-lambda-arn FN_ARN \\\n" +
				"      --rotation-rules AutomaticallyAfterDays=30\n" +
				"Terraform: resource \"aws_secretsmanager_secret_rotation\" \"r\" { secret_id = aws_secretsmanager_secret.s.id\n" +
				"  rotation_lambda_arn = aws_lambda_function.rotate.arn  rotation_rules { automatically_after_days = 30 } }",
			Links: []string{"https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/secretsmanager-controls.html#secretsmanager-1"},
			Check: eachSecret(func(sec secretsmanager.Secret, _ time.Time, _ bool) (Status, string) {
				if sec.RotationEnabled {
					return Pass, fmt.Sprintf("secret %s has automatic rotation enabled (%s)", sec.Name, rotationText(sec))
				}
				return Fail, fmt.Sprintf("secret %s does not have automatic rotation enabled", sec.Name)
			}),
		},
		{
			ID:             "secretsmanager-rotation-succeeding",
			Title:          "Secrets Manager secrets with rotation configured rotate on schedule",
			Service:        "secretsmanager",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{FSBP: {"SecretsManager.2"}},
			Description: "A rotation that keeps failing leaves the old value in place while the console shows rotation as on. " +
				"For each secret with rotation enabled, the scheduled rotation date (NextRotationDate, or the last " +
				"rotation plus the interval) must not be more than a day in the past at collection time. Secrets " +
				"without rotation are out of scope.",
			Remediation: "Find why the rotation function fails (its CloudWatch Logs), fix it, then rotate:\n" +
				"  aws secretsmanager rotate-secret --secret-id SECRET\n" +
				"Terraform: fix the rotation Lambda (aws_lambda_function) and its permissions; aws_secretsmanager_secret_rotation stays as is.",
			Links: []string{"https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot_rotation.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/secretsmanager-controls.html#secretsmanager-2"},
			Check: eachSecret(judgeRotationOnSchedule),
		},
		{
			ID:             "secretsmanager-unused-secrets",
			Title:          fmt.Sprintf("Secrets Manager secrets have been accessed in the last %d days", secretUnusedDays),
			Service:        "secretsmanager",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{FSBP: {"SecretsManager.3"}},
			Description: fmt.Sprintf("A secret nobody has read for %d days (Security Hub's default) is likely a forgotten credential "+
				"that still works; delete it. A secret never accessed counts from its creation date. Secrets Manager "+
				"records the last access date to the day.", secretUnusedDays),
			Remediation: "  aws secretsmanager delete-secret --secret-id SECRET --recovery-window-in-days 30\n" +
				"Terraform: remove the aws_secretsmanager_secret resource (recovery_window_in_days keeps it restorable).",
			Links: []string{"https://docs.aws.amazon.com/secretsmanager/latest/userguide/manage_delete-secret.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/secretsmanager-controls.html#secretsmanager-3"},
			Check: eachSecret(func(sec secretsmanager.Secret, now time.Time, haveNow bool) (Status, string) {
				return judgeSecretAge(sec, now, haveNow, sec.LastAccessed, "accessed", secretUnusedDays)
			}),
		},
		{
			ID:             "secretsmanager-rotated-recently",
			Title:          fmt.Sprintf("Secrets Manager secrets have been rotated in the last %d days", secretRotateDays),
			Service:        "secretsmanager",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{FSBP: {"SecretsManager.4"}},
			Description: fmt.Sprintf("A secret whose value has not changed for more than %d days (Security Hub's default) has had "+
				"that long to leak. A secret never rotated counts from its creation date.", secretRotateDays),
			Remediation: "  aws secretsmanager rotate-secret --secret-id SECRET\n" +
				"Terraform: resource \"aws_secretsmanager_secret_rotation\" \"r\" { rotation_rules { automatically_after_days = 30 } ... }",
			Links: []string{"https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/secretsmanager-controls.html#secretsmanager-4"},
			Check: eachSecret(func(sec secretsmanager.Secret, now time.Time, haveNow bool) (Status, string) {
				return judgeSecretAge(sec, now, haveNow, sec.LastRotated, "rotated", secretRotateDays)
			}),
		},
	}
}

func secretRegions(s *model.Snapshot) svcRegions[secretsmanager.Region, secretsmanager.Secret] {
	return svcRegions[secretsmanager.Region, secretsmanager.Secret]{
		service: "secretsmanager", what: "Secrets Manager secrets", wildcard: "secret:*", regions: s.SecretsManager,
		name: func(r *secretsmanager.Region) string { return r.Name },
		list: func(r *secretsmanager.Region) core.Val[[]secretsmanager.Secret] { return r.Secrets },
	}
}

// eachSecret judges every secret; a judge returning "" as status leaves the
// secret out (outside the control's scope).
func eachSecret(judge func(sec secretsmanager.Secret, now time.Time, haveNow bool) (Status, string)) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		now, haveNow := collectedAt(s)
		return secretRegions(s).eachItem(s, func(region string, sec secretsmanager.Secret) *Result {
			st, msg := judge(sec, now, haveNow)
			if st == "" {
				return nil
			}
			arn := orARN(sec.ARN, regionalARN(s, "secretsmanager", region, "secret:"+sec.Name))
			return &Result{Status: st, ResourceARN: arn, Region: regionOr(sec.Meta, region), Message: msg}
		})
	}
}

func rotationText(sec secretsmanager.Secret) string {
	switch {
	case sec.RotationDays > 0:
		return fmt.Sprintf("every %d days", sec.RotationDays)
	case sec.RotationSchedule != "":
		return "schedule " + sec.RotationSchedule
	case sec.OwningService != "":
		return "managed by " + sec.OwningService
	}
	return "schedule not reported"
}

// judgeRotationOnSchedule is SecretsManager.2: a secret with rotation
// enabled whose scheduled rotation is more than a day overdue is not
// rotating. The scheduled date is Secrets Manager's NextRotationDate when
// reported, else the last rotation (or creation) plus the interval.
func judgeRotationOnSchedule(sec secretsmanager.Secret, now time.Time, haveNow bool) (Status, string) {
	if !sec.RotationEnabled {
		return "", ""
	}
	if !haveNow {
		return Unknown, fmt.Sprintf("secret %s: the snapshot has no collection time to judge the rotation schedule", sec.Name)
	}
	var due time.Time
	var basis string
	switch {
	case sec.NextRotation != nil:
		due, basis = *sec.NextRotation, "next rotation was due "
	case sec.RotationDays > 0 && sec.LastRotated != nil:
		due, basis = sec.LastRotated.AddDate(0, 0, sec.RotationDays), fmt.Sprintf("last rotated %s, every %d days: due ", dateText(*sec.LastRotated), sec.RotationDays)
	case sec.RotationDays > 0 && sec.Created != nil:
		due, basis = sec.Created.AddDate(0, 0, sec.RotationDays), fmt.Sprintf("never rotated, created %s, every %d days: due ", dateText(*sec.Created), sec.RotationDays)
	default:
		return Unknown, fmt.Sprintf("secret %s: rotation is enabled but neither its next rotation date nor its interval and last rotation are known", sec.Name)
	}
	if now.After(due.Add(secretRotateGrace)) {
		return Fail, fmt.Sprintf("secret %s is not rotating as scheduled: %s%s", sec.Name, basis, dateText(due))
	}
	last := "never rotated yet"
	if sec.LastRotated != nil {
		last = "last rotated " + dateText(*sec.LastRotated)
	}
	return Pass, fmt.Sprintf("secret %s rotates on schedule (%s; %s%s)", sec.Name, last, basis, dateText(due))
}

// judgeSecretAge fails a secret whose last event (access or rotation) is
// more than limit days before collection; without one, its creation date
// counts.
func judgeSecretAge(sec secretsmanager.Secret, now time.Time, haveNow bool, last *time.Time, verb string, limit int) (Status, string) {
	if !haveNow {
		return Unknown, fmt.Sprintf("secret %s: the snapshot has no collection time to judge when it was last %s", sec.Name, verb)
	}
	over := func(t time.Time) bool { return now.Sub(t) > time.Duration(limit)*day }
	switch {
	case last != nil && over(*last):
		return Fail, fmt.Sprintf("secret %s was last %s %d days ago (%s), more than %d", sec.Name, verb, ageDays(now, *last), dateText(*last), limit)
	case last != nil:
		return Pass, fmt.Sprintf("secret %s was last %s %d days ago (%s)", sec.Name, verb, ageDays(now, *last), dateText(*last))
	case sec.Created == nil:
		return Unknown, fmt.Sprintf("secret %s: never %s and its creation date is not reported", sec.Name, verb)
	case over(*sec.Created):
		return Fail, fmt.Sprintf("secret %s has never been %s since it was created %d days ago (%s)", sec.Name, verb, ageDays(now, *sec.Created), dateText(*sec.Created))
	}
	return Pass, fmt.Sprintf("secret %s has not been %s yet; created %d days ago (%s)", sec.Name, verb, ageDays(now, *sec.Created), dateText(*sec.Created))
}
