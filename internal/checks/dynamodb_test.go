package checks

import (
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/dynamodb"
)

func dynamodbFixtures() map[string]fixture {
	return map[string]fixture{
		"dynamodb-pitr-enabled":        failWhen(func(s *model.Snapshot) { dynamoTable(s).PITR = core.Known(false) }),
		"dynamodb-deletion-protection": failWhen(func(s *model.Snapshot) { dynamoTable(s).Details.V.DeletionProtection = false }),
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
