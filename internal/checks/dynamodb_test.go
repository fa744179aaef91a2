package checks

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/dynamodb"
)

func dynamodbFixtures() map[string]fixture {
	return map[string]fixture{
		"dynamodb-pitr-enabled":        failWhen(func(s *model.Snapshot) { dynamoTable(s).PITR = core.Known(false) }),
		"dynamodb-deletion-protection": failWhen(func(s *model.Snapshot) { dynamoTable(s).Details.V.DeletionProtection = false }),
		"dynamodb-capacity-autoscaling": failWhen(func(s *model.Snapshot) {
			// Provisioned, and the region has no scalable target for it.
			dynamoTable(s).Details.V.BillingMode = "PROVISIONED"
		}),
		"dynamodb-dax-encryption-at-rest":    failWhen(func(s *model.Snapshot) { daxCluster(s).SSEStatus = "" }),
		"dynamodb-dax-encryption-in-transit": failWhen(func(s *model.Snapshot) { daxCluster(s).EndpointEncryption = "NONE" }),
	}
}

func daxCluster(s *model.Snapshot) *dynamodb.DAXCluster {
	for ri := range s.DynamoDB {
		if len(s.DynamoDB[ri].DAXClusters.V) > 0 {
			return &s.DynamoDB[ri].DAXClusters.V[0]
		}
	}
	panic("no DAX cluster in the compliant world")
}

func TestDynamoAutoScaling(t *testing.T) {
	type tc struct {
		name    string
		billing string
		gsis    []string
		targets core.Val[[]dynamodb.ScalableTarget]
		want    Status
	}
	withGSI := append(tableTargets("orders", "by-customer"), dynamodb.ScalableTarget{ResourceID: "table/other", Dimension: dynamodb.DimTableRead})
	for _, c := range []tc{
		{"on-demand", "PAY_PER_REQUEST", nil, core.Unknown[[]dynamodb.ScalableTarget]("access denied"), Pass},
		{"provisioned with read and write targets", "PROVISIONED", nil, core.Known(tableTargets("orders")), Pass},
		// DescribeTable omits the billing mode summary for tables that were always provisioned.
		{"no billing mode summary, no targets", "", nil, core.Known([]dynamodb.ScalableTarget{}), Fail},
		{"provisioned, read only", "PROVISIONED", nil, core.Known(tableTargets("orders")[:1]), Fail},
		{"provisioned, another table's targets", "PROVISIONED", nil, core.Known(tableTargets("orders-old")), Fail},
		{"provisioned with an index that scales", "PROVISIONED", []string{"by-customer"}, core.Known(withGSI), Pass},
		{"provisioned with an index that does not scale", "PROVISIONED", []string{"by-customer", "by-date"}, core.Known(withGSI), Fail},
		{"provisioned, targets unknown", "PROVISIONED", nil, core.Unknown[[]dynamodb.ScalableTarget]("access denied"), Unknown},
	} {
		s := compliantSnapshot()
		tb := dynamoTable(s)
		tb.Details.V.BillingMode, tb.Details.V.GlobalSecondaryIndexes = c.billing, c.gsis
		for ri := range s.DynamoDB {
			s.DynamoDB[ri].ScalableTargets = c.targets
		}
		var got []Result
		for _, r := range checkDynamoAutoScaling(s) {
			if r.ResourceARN == tb.ARN {
				got = append(got, r)
			}
		}
		if len(got) != 1 || got[0].Status != c.want {
			t.Errorf("%s: got %+v, want %s", c.name, got, c.want)
		}
	}
}

func TestDAXClusters(t *testing.T) {
	s := compliantSnapshot()
	c := daxCluster(s)
	c.SSEStatus, c.EndpointEncryption = "DISABLED", ""
	for _, check := range []func(*model.Snapshot) []Result{checkDAXEncryptionAtRest, checkDAXEncryptionInTransit} {
		if st := oneStatus(t, check(s)); st != Fail {
			t.Errorf("got %s", st)
		}
	}
	c.Status = "deleting"
	for _, check := range []func(*model.Snapshot) []Result{checkDAXEncryptionAtRest, checkDAXEncryptionInTransit} {
		if res := check(s); len(res) != 0 {
			t.Errorf("deleting cluster judged: %+v", res)
		}
	}
	for ri := range s.DynamoDB {
		s.DynamoDB[ri].DAXClusters = core.Unknown[[]dynamodb.DAXCluster]("not supported (dax:DescribeClusters)")
	}
	for _, r := range checkDAXEncryptionAtRest(s) {
		if r.Status != Unknown || !strings.HasSuffix(r.ResourceARN, ":cache/*") {
			t.Errorf("unknown DAX list: %+v", r)
		}
	}
}

func TestDynamoTransientTablesNotJudged(t *testing.T) {
	for _, st := range []string{"CREATING", "DELETING", "ARCHIVED"} {
		s := compliantSnapshot()
		tb := dynamoTable(s)
		tb.PITR = core.Known(false)
		tb.Details.V.Status, tb.Details.V.DeletionProtection = st, false
		for _, c := range []func(*model.Snapshot) []Result{checkDynamoPITR, checkDynamoDeletionProtection} {
			for _, r := range c(s) {
				if r.ResourceARN == tb.ARN {
					t.Errorf("%s table judged: %+v", st, r)
				}
			}
		}
	}
}

func TestDynamoUnknowns(t *testing.T) {
	s := compliantSnapshot()
	tb := dynamoTable(s)
	tb.PITR = core.Unknown[bool]("access denied")
	tb.Details = core.Unknown[dynamodb.TableDetails]("throttled")
	for _, c := range []func(*model.Snapshot) []Result{checkDynamoPITR, checkDynamoDeletionProtection} {
		if st := oneStatus(t, c(s)); st != Unknown {
			t.Errorf("got %s", st)
		}
	}
}
