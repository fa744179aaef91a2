// Package secsvc collects, per region, whether the AWS security services
// whose use is the customer's duty are turned on: GuardDuty, Security Hub,
// Inspector, Macie, AWS Config and IAM Access Analyzer.
//
// Each service is its own collector writing its own field of the region's
// secsvc.Region, so one service failing (or missing from a region) never
// hides the others.
//
// The hard part is telling "not enabled" (a real finding) from "could not
// look" (unknown). Several services answer a disabled state with an error:
//
//   - Security Hub: DescribeHub fails with InvalidAccessException "Account
//     <id> is not subscribed to AWS Security Hub". The same code is also used
//     for other account problems, so the message decides.
//   - Macie: GetMacieSession fails with AccessDeniedException "Macie is not
//     enabled." — the same code as a real IAM denial ("User: … is not
//     authorized to perform: macie2:GetMacieSession"), so again only the
//     message decides.
//
// Anything not positively recognised as "not enabled" stays unknown.
package secsvc

import (
	"context"
	"fmt"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/secsvc"
)

// Collectors returns every security-service collector, in a stable order.
func Collectors() []aws.Collector {
	return []aws.Collector{NewGuardDuty(), NewSecurityHub(), NewInspector(), NewMacie(), NewConfig(), NewAccessAnalyzer()}
}

// regional is the shape every collector of this package shares: read one
// service in one region and store it in the region's element.
type regional struct {
	name string
	read func(ctx context.Context, env *aws.Env, region, arnPrefix string, r *secsvc.Region) error
}

func (c regional) Name() string   { return c.name }
func (c regional) Regional() bool { return true }

func (c regional) Collect(ctx context.Context, env *aws.Env, region string, snap *model.Snapshot) error {
	r := securityRegion(snap, region)
	if r == nil {
		return fmt.Errorf("collect %s %s: region not allocated in snapshot", c.name, region)
	}
	if err := c.read(ctx, env, region, snap.ARNPrefix(), r); err != nil {
		return fmt.Errorf("collect %s %s: %w", c.name, region, err)
	}
	return nil
}

// securityRegion finds the element the runner allocated for region.
func securityRegion(snap *model.Snapshot, region string) *secsvc.Region {
	for i := range snap.Security {
		if snap.Security[i].Name == region {
			return &snap.Security[i]
		}
	}
	return nil
}

// maxPages bounds every pagination loop of this package.
const maxPages = 1000
