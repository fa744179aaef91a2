package checks

import (
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/dynamodb"
)

// DynamoDB keeps tables durable and encrypted; recovering from a bad write
// or a deleted table is the customer's choice to turn on.

func dynamodbRules() []Rule {
	return []Rule{
		{
			ID:             "dynamodb-pitr-enabled",
			Title:          "DynamoDB tables have point-in-time recovery enabled",
			Service:        "dynamodb",
			Severity:       Medium,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"DynamoDB.2"}},
			Description: "Point-in-time recovery keeps continuous backups so a table can be restored to any second of the " +
				"recovery window (up to 35 days) after an accidental or malicious write or delete. Tables being " +
				"created, deleted or archived are not judged.",
			Remediation: "  aws dynamodb update-continuous-backups --table-name TABLE \\\n" +
				"      --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true\n" +
				"Terraform: resource \"aws_dynamodb_table\" \"t\" { point_in_time_recovery { enabled = true } }",
			Links: []string{"https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Point-in-time-recovery.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/dynamodb-controls.html#dynamodb-2"},
			Check: checkDynamoPITR,
		},
		{
			ID:             "dynamodb-deletion-protection",
			Title:          "DynamoDB tables have deletion protection enabled",
			Service:        "dynamodb",
			Severity:       Medium,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"DynamoDB.6"}},
			Description: "Deletion protection makes DeleteTable fail until it is turned off, so a mistaken or scripted delete " +
				"cannot remove the table and its data. Tables being created, deleted or archived are not judged.",
			Remediation: "  aws dynamodb update-table --table-name TABLE --deletion-protection-enabled\n" +
				"Terraform: resource \"aws_dynamodb_table\" \"t\" { deletion_protection_enabled = true }",
			Links: []string{"https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/dynamodb-controls.html#dynamodb-6"},
			Check: checkDynamoDeletionProtection,
		},
	}
}

func dynamoRegions(s *model.Snapshot) svcRegions[dynamodb.Region, dynamodb.Table] {
	return svcRegions[dynamodb.Region, dynamodb.Table]{
		service: "dynamodb", what: "DynamoDB tables", wildcard: "table/*", regions: s.DynamoDB,
		name: func(r *dynamodb.Region) string { return r.Name },
		list: func(r *dynamodb.Region) core.Val[[]dynamodb.Table] { return r.Tables },
	}
}

// dynamoTransient reports tables whose settings are not (yet, or any
// longer) the customer's to judge: being created or deleted, or archived
// (inaccessible after their KMS key was lost).
func dynamoTransient(t dynamodb.Table) (string, bool) {
	d, ok := t.Details.Get()
	if !ok {
		return "", false
	}
	switch st := strings.ToUpper(d.Status); st {
	case "CREATING", "DELETING", "ARCHIVING", "ARCHIVED":
		return st, true
	}
	return "", false
}

func dynamoARN(s *model.Snapshot, region string, t dynamodb.Table) string {
	return orARN(t.ARN, regionalARN(s, "dynamodb", region, "table/"+t.Name))
}

func checkDynamoPITR(s *model.Snapshot) []Result {
	return dynamoRegions(s).eachItem(s, func(region string, t dynamodb.Table) *Result {
		if _, skip := dynamoTransient(t); skip {
			return nil
		}
		arn, region := dynamoARN(s, region, t), regionOr(t.Meta, region)
		on, ok := t.PITR.Get()
		switch {
		case !ok:
			return rp(UnknownR(arn, region, "table %s: point-in-time recovery status unreadable: %s", t.Name, t.PITR.Why()))
		case on:
			return rp(PassR(arn, region, "table %s has point-in-time recovery enabled", t.Name))
		}
		return rp(FailR(arn, region, "table %s does not have point-in-time recovery enabled", t.Name))
	})
}

func checkDynamoDeletionProtection(s *model.Snapshot) []Result {
	return dynamoRegions(s).eachItem(s, func(region string, t dynamodb.Table) *Result {
		if _, skip := dynamoTransient(t); skip {
			return nil
		}
		arn, region := dynamoARN(s, region, t), regionOr(t.Meta, region)
		d, ok := t.Details.Get()
		switch {
		case !ok:
			return rp(UnknownR(arn, region, "table %s: description unreadable: %s", t.Name, t.Details.Why()))
		case d.DeletionProtection:
			return rp(PassR(arn, region, "table %s has deletion protection enabled", t.Name))
		}
		return rp(FailR(arn, region, "table %s does not have deletion protection enabled", t.Name))
	})
}
