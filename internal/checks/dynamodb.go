package checks

import (
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/dynamodb"
)

// DynamoDB keeps tables durable and encrypted; recovering from a bad write
// or a deleted table, scaling provisioned capacity, and encrypting DAX
// clusters are the customer's choices to turn on.

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
		{
			ID:             "dynamodb-capacity-autoscaling",
			Title:          "DynamoDB tables scale capacity with demand",
			Service:        "dynamodb",
			Severity:       Medium,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"DynamoDB.1"}},
			Description: "A table in on-demand mode (PAY_PER_REQUEST) scales by itself. A table in provisioned mode must have " +
				"Application Auto Scaling scalable targets for both its read and its write capacity, and so must each of its " +
				"global secondary indexes, or it throttles when demand grows (AWS Config rule dynamodb-autoscaling-enabled). " +
				"A table without a billing mode summary is in provisioned mode. The control's capacity and utilization " +
				"parameters have no default. Tables being created, deleted or archived are not judged.",
			Remediation: "Switch to on-demand capacity:\n" +
				"  aws dynamodb update-table --table-name TABLE --billing-mode PAY_PER_REQUEST\n" +
				"or register read and write capacity with Application Auto Scaling (and a target tracking policy):\n" +
				"  aws application-autoscaling register-scalable-target --service-namespace dynamodb --resource-id table/TABLE \\\n" +
				"      --scalable-dimension dynamodb:table:ReadCapacityUnits --min-capacity 5 --max-capacity 100\n" +
				"Terraform: resource \"aws_dynamodb_table\" \"t\" { billing_mode = \"PAY_PER_REQUEST\" } or aws_appautoscaling_target\n" +
				"  { service_namespace = \"dynamodb\", resource_id = \"table/TABLE\", scalable_dimension = \"dynamodb:table:ReadCapacityUnits\" } (and Write)",
			Links: []string{"https://docs.aws.amazon.com/securityhub/latest/userguide/dynamodb-controls.html#dynamodb-1",
				"https://docs.aws.amazon.com/config/latest/developerguide/dynamodb-autoscaling-enabled.html",
				"https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/AutoScaling.html"},
			Check: checkDynamoAutoScaling,
		},
		{
			ID:             "dynamodb-dax-encryption-at-rest",
			Title:          "DynamoDB Accelerator (DAX) clusters are encrypted at rest",
			Service:        "dynamodb",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"DynamoDB.3"}},
			Description: "DAX encryption at rest (SSEDescription status ENABLED) protects the cached items, logs and backups " +
				"of the cluster's nodes (AWS Config rule dax-encryption-enabled). It can only be chosen when the cluster is created. " +
				"Clusters being deleted are not judged.",
			Remediation: "Create a new cluster with encryption at rest, move clients to it, and delete the old one:\n" +
				"  aws dax create-cluster --cluster-name NAME --node-type dax.r5.large --replication-factor 3 \\\n" +
				"      --iam-role-arn ROLE_ARN --sse-specification Enabled=true --cluster-endpoint-encryption-type TLS\n" +
				"Terraform: resource \"aws_dax_cluster\" \"c\" { server_side_encryption { enabled = true } }",
			Links: []string{"https://docs.aws.amazon.com/securityhub/latest/userguide/dynamodb-controls.html#dynamodb-3",
				"https://docs.aws.amazon.com/config/latest/developerguide/dax-encryption-enabled.html",
				"https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAXEncryptionAtRest.html"},
			Check: checkDAXEncryptionAtRest,
		},
		{
			ID:             "dynamodb-dax-encryption-in-transit",
			Title:          "DynamoDB Accelerator (DAX) clusters are encrypted in transit",
			Service:        "dynamodb",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"DynamoDB.7"}},
			Description: "The cluster endpoint encryption type must be TLS, so requests and cached items cross the network " +
				"encrypted (AWS Config rule dax-tls-endpoint-encryption). It can only be chosen when the cluster is created. " +
				"Clusters being deleted are not judged.",
			Remediation: "Create a new cluster with TLS, move clients to it, and delete the old one:\n" +
				"  aws dax create-cluster --cluster-name NAME --node-type dax.r5.large --replication-factor 3 \\\n" +
				"      --iam-role-arn ROLE_ARN --sse-specification Enabled=true --cluster-endpoint-encryption-type TLS\n" +
				"Terraform: resource \"aws_dax_cluster\" \"c\" { cluster_endpoint_encryption_type = \"TLS\" }",
			Links: []string{"https://docs.aws.amazon.com/securityhub/latest/userguide/dynamodb-controls.html#dynamodb-7",
				"https://docs.aws.amazon.com/config/latest/developerguide/dax-tls-endpoint-encryption.html",
				"https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAXEncryptionInTransit.html"},
			Check: checkDAXEncryptionInTransit,
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

func dynamoRegion(s *model.Snapshot, name string) *dynamodb.Region {
	for i := range s.DynamoDB {
		if s.DynamoDB[i].Name == name {
			return &s.DynamoDB[i]
		}
	}
	return nil
}

// checkDynamoAutoScaling follows dynamodb-autoscaling-enabled: on-demand
// passes; provisioned needs scalable targets for read and write capacity of
// the table and of every global secondary index.
func checkDynamoAutoScaling(s *model.Snapshot) []Result {
	return dynamoRegions(s).each(s, func(region string, tables []dynamodb.Table) []Result {
		var targets core.Val[[]dynamodb.ScalableTarget]
		if r := dynamoRegion(s, region); r != nil {
			targets = r.ScalableTargets
		}
		out := make([]Result, 0, len(tables))
		for _, t := range tables {
			if _, skip := dynamoTransient(t); skip {
				continue
			}
			out = append(out, judgeDynamoAutoScaling(s, region, t, targets))
		}
		return out
	})
}

func judgeDynamoAutoScaling(s *model.Snapshot, region string, t dynamodb.Table, targets core.Val[[]dynamodb.ScalableTarget]) Result {
	arn, tr := dynamoARN(s, region, t), regionOr(t.Meta, region)
	d, ok := t.Details.Get()
	if !ok {
		return UnknownR(arn, tr, "table %s: description unreadable: %s", t.Name, t.Details.Why())
	}
	if strings.EqualFold(d.BillingMode, "PAY_PER_REQUEST") {
		return PassR(arn, tr, "table %s uses on-demand capacity", t.Name)
	}
	list, ok := targets.Get()
	if !ok {
		return UnknownR(arn, tr, "table %s uses provisioned capacity and its auto scaling targets are unreadable: %s", t.Name, targets.Why())
	}
	have := map[string]bool{}
	for _, st := range list {
		have[st.ResourceID+" "+st.Dimension] = true
	}
	var missing []string
	need := func(resource, dim, what string) {
		if !have[resource+" "+dim] {
			missing = append(missing, what)
		}
	}
	need("table/"+t.Name, dynamodb.DimTableRead, "read capacity")
	need("table/"+t.Name, dynamodb.DimTableWrite, "write capacity")
	for _, g := range d.GlobalSecondaryIndexes {
		res := "table/" + t.Name + "/index/" + g
		need(res, dynamodb.DimIndexRead, "index "+g+" read capacity")
		need(res, dynamodb.DimIndexWrite, "index "+g+" write capacity")
	}
	if len(missing) > 0 {
		return FailR(arn, tr, "table %s uses provisioned capacity without auto scaling of its %s", t.Name, strings.Join(missing, ", "))
	}
	if n := len(d.GlobalSecondaryIndexes); n > 0 {
		return PassR(arn, tr, "table %s uses provisioned capacity with auto scaling of its read and write capacity and of its %s",
			t.Name, plural(n, "global secondary index", "global secondary indexes"))
	}
	return PassR(arn, tr, "table %s uses provisioned capacity with auto scaling of its read and write capacity", t.Name)
}

func daxRegions(s *model.Snapshot) svcRegions[dynamodb.Region, dynamodb.DAXCluster] {
	return svcRegions[dynamodb.Region, dynamodb.DAXCluster]{
		service: "dax", what: "DAX clusters", wildcard: "cache/*", regions: s.DynamoDB,
		name: func(r *dynamodb.Region) string { return r.Name },
		list: func(r *dynamodb.Region) core.Val[[]dynamodb.DAXCluster] { return r.DAXClusters },
	}
}

// daxJudged skips clusters on their way out: a deleting cluster's settings
// no longer matter.
func daxJudged(c dynamodb.DAXCluster) bool { return !strings.EqualFold(c.Status, "deleting") }

func daxARN(s *model.Snapshot, region string, c dynamodb.DAXCluster) string {
	return orARN(c.ARN, regionalARN(s, "dax", region, "cache/"+c.Name))
}

func checkDAXEncryptionAtRest(s *model.Snapshot) []Result {
	return daxRegions(s).eachItem(s, func(region string, c dynamodb.DAXCluster) *Result {
		if !daxJudged(c) {
			return nil
		}
		arn, r := daxARN(s, region, c), regionOr(c.Meta, region)
		if strings.EqualFold(c.SSEStatus, "ENABLED") {
			return rp(PassR(arn, r, "DAX cluster %s is encrypted at rest", c.Name))
		}
		return rp(FailR(arn, r, "DAX cluster %s is not encrypted at rest (SSE status %s)", c.Name, orStr(c.SSEStatus, "not reported")))
	})
}

func checkDAXEncryptionInTransit(s *model.Snapshot) []Result {
	return daxRegions(s).eachItem(s, func(region string, c dynamodb.DAXCluster) *Result {
		if !daxJudged(c) {
			return nil
		}
		arn, r := daxARN(s, region, c), regionOr(c.Meta, region)
		if strings.EqualFold(c.EndpointEncryption, "TLS") {
			return rp(PassR(arn, r, "DAX cluster %s endpoint is encrypted with TLS", c.Name))
		}
		return rp(FailR(arn, r, "DAX cluster %s endpoint encryption is %s, not TLS", c.Name, orStr(c.EndpointEncryption, "not reported")))
	})
}
