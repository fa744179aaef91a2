package checks

import (
	"sort"
	"strings"
	"time"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/lambda"
	"github.com/demarc-sec/demarc/internal/model/secsvc"
)

// Lambda runs the function; the customer picks a runtime AWS still
// patches, decides the network the function reaches, and spreads it over
// Availability Zones.

// lambdaRuntimeSource is where lambdaRuntimes comes from and when it was
// last checked against it. AWS deprecates a runtime on the date in the
// "Deprecation date" column: from then on it gets no security patches.
const (
	lambdaRuntimeSource  = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"
	lambdaRuntimesAsOf   = "2026-02-10"
	lambdaRuntimeTableAt = "runtime table of " + lambdaRuntimesAsOf
)

// lambdaRuntimes maps every managed runtime identifier to its deprecation
// date (scheduled or past), per lambdaRuntimeSource as of lambdaRuntimesAsOf.
// A runtime missing here is one demarc does not know (newer than the table,
// or a typo): the rule says UNKNOWN rather than guess.
var lambdaRuntimes = map[string]time.Time{
	// Supported on lambdaRuntimesAsOf, with the announced deprecation date.
	"nodejs24.x":      day0(2028, 4, 30),
	"nodejs22.x":      day0(2027, 4, 30),
	"nodejs20.x":      day0(2026, 4, 30),
	"python3.14":      day0(2029, 6, 30),
	"python3.13":      day0(2029, 6, 30),
	"python3.12":      day0(2028, 10, 31),
	"python3.11":      day0(2026, 6, 30),
	"python3.10":      day0(2026, 6, 30),
	"java25":          day0(2029, 6, 30),
	"java21":          day0(2029, 6, 30),
	"java17":          day0(2026, 6, 30),
	"java11":          day0(2026, 6, 30),
	"java8.al2":       day0(2026, 6, 30),
	"dotnet10":        day0(2028, 11, 14),
	"dotnet8":         day0(2026, 11, 10),
	"ruby3.4":         day0(2028, 3, 31),
	"ruby3.3":         day0(2027, 3, 31),
	"ruby3.2":         day0(2026, 3, 31),
	"provided.al2023": day0(2029, 6, 30),
	"provided.al2":    day0(2026, 6, 30),
	// Deprecated before lambdaRuntimesAsOf.
	"python3.9":      day0(2025, 12, 15),
	"nodejs18.x":     day0(2025, 9, 1),
	"dotnet6":        day0(2024, 12, 20),
	"python3.8":      day0(2024, 10, 14),
	"nodejs16.x":     day0(2024, 6, 12),
	"dotnet7":        day0(2024, 5, 14),
	"java8":          day0(2024, 1, 8),
	"go1.x":          day0(2024, 1, 8),
	"provided":       day0(2024, 1, 8),
	"ruby2.7":        day0(2023, 12, 7),
	"nodejs14.x":     day0(2023, 12, 4),
	"python3.7":      day0(2023, 12, 4),
	"dotnetcore3.1":  day0(2023, 4, 3),
	"nodejs12.x":     day0(2023, 3, 31),
	"python3.6":      day0(2022, 7, 18),
	"dotnet5.0":      day0(2022, 5, 10),
	"dotnetcore2.1":  day0(2022, 1, 5),
	"nodejs10.x":     day0(2021, 7, 30),
	"ruby2.5":        day0(2021, 7, 30),
	"python2.7":      day0(2021, 7, 15),
	"nodejs8.10":     day0(2020, 3, 6),
	"nodejs4.3":      day0(2020, 3, 5),
	"nodejs4.3-edge": day0(2019, 4, 30),
	"nodejs6.10":     day0(2019, 8, 12),
	"dotnetcore1.0":  day0(2019, 7, 30),
	"dotnetcore2.0":  day0(2019, 5, 30),
	"nodejs":         day0(2016, 10, 31),
}

// day0 is midnight UTC of a calendar day.
func day0(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func lambdaRules() []Rule {
	return []Rule{
		{
			ID:             "lambda-supported-runtime",
			Title:          "Lambda functions use a runtime AWS still supports",
			Service:        "lambda",
			Severity:       Medium,
			Responsibility: LayerGuestOS,
			Frameworks:     map[string][]string{FSBP: {"Lambda.2"}},
			Description: "AWS patches a managed runtime until its deprecation date; after it, the function keeps running on an " +
				"unpatched language runtime and OS. Picking a supported runtime is the customer's part. Each .zip " +
				"function's runtime is judged against AWS's deprecation dates (" + lambdaRuntimeTableAt + ", " +
				lambdaRuntimeSource + ") as of the snapshot's collection time; container-image functions carry their " +
				"runtime in the image and are out of scope. A runtime demarc's table does not know is UNKNOWN.",
			Remediation: "Move the function to a current runtime (test first; major versions are not backward compatible):\n" +
				"  aws lambda update-function-configuration --function-name FN --runtime python3.13\n" +
				"Terraform: resource \"aws_lambda_function\" \"f\" { runtime = \"python3.13\" }",
			Links: []string{lambdaRuntimeSource, "https://docs.aws.amazon.com/securityhub/latest/userguide/lambda-controls.html#lambda-2"},
			Check: checkLambdaRuntime,
		},
		{
			ID:             "lambda-in-vpc",
			Title:          "Lambda functions are deployed in a VPC",
			Service:        "lambda",
			Severity:       Low,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"Lambda.3"}},
			Description: "A function attached to a VPC reaches the network through your subnets, security groups and " +
				"routes, where flow logs and network controls apply; outside a VPC it has Lambda's own internet " +
				"access. The subnets' routing is not evaluated (as in Security Hub). Lambda@Edge functions cannot " +
				"be attached to a VPC and FAIL too.",
			Remediation: "  aws lambda update-function-configuration --function-name FN \\\n" +
				"      --vpc-config SubnetIds=subnet-a,subnet-b,SecurityGroupIds=sg-1\n" +
				"Terraform: resource \"aws_lambda_function\" \"f\" { vpc_config { subnet_ids = [...], security_group_ids = [...] } }",
			Links: []string{"https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/lambda-controls.html#lambda-3"},
			Check: checkLambdaInVPC,
		},
		{
			ID:             "lambda-vpc-multi-az",
			Title:          "VPC-attached Lambda functions use subnets in at least two Availability Zones",
			Service:        "lambda",
			Severity:       Medium,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"Lambda.5"}},
			Description: "Lambda places a VPC function's network interfaces only in the subnets you give it; with subnets in " +
				"a single Availability Zone, an outage of that zone stops the function. Functions not attached to " +
				"a VPC are out of scope (Lambda runs them in several zones itself). Subnet zones come from the EC2 data.",
			Remediation: "  aws lambda update-function-configuration --function-name FN \\\n" +
				"      --vpc-config SubnetIds=subnet-in-az-a,subnet-in-az-b,SecurityGroupIds=sg-1\n" +
				"Terraform: vpc_config { subnet_ids = [aws_subnet.a.id, aws_subnet.b.id] }  # subnets in different AZs",
			Links: []string{"https://docs.aws.amazon.com/lambda/latest/dg/security-resilience.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/lambda-controls.html#lambda-5"},
			Check: checkLambdaMultiAZ,
		},
		inspectorRule("inspector-lambda-code-scanning", "Lambda code", "Inspector.3", "lambda_code",
			func(i secsvc.Inspector) string { return i.LambdaCode }),
	}
}

func lambdaRegions(s *model.Snapshot) svcRegions[lambda.Region, lambda.Function] {
	return svcRegions[lambda.Region, lambda.Function]{
		service: "lambda", what: "Lambda functions", wildcard: "function:*", regions: s.Lambda,
		name: func(r *lambda.Region) string { return r.Name },
		list: func(r *lambda.Region) core.Val[[]lambda.Function] { return r.Functions },
	}
}

func lambdaARN(s *model.Snapshot, region string, f lambda.Function) string {
	return orARN(f.ARN, regionalARN(s, "lambda", region, "function:"+f.Name))
}

func checkLambdaRuntime(s *model.Snapshot) []Result {
	now, haveNow := collectedAt(s)
	return lambdaRegions(s).eachItem(s, func(region string, f lambda.Function) *Result {
		arn, region := lambdaARN(s, region, f), regionOr(f.Meta, region)
		if f.Runtime == "" {
			if strings.EqualFold(f.PackageType, "Image") {
				return nil // the runtime is inside the image
			}
			return rp(UnknownR(arn, region, "function %s: runtime not reported", f.Name))
		}
		dep, known := lambdaRuntimes[f.Runtime]
		switch {
		case !known:
			return rp(UnknownR(arn, region, "function %s: runtime %s is not in demarc's %s (%s)",
				f.Name, f.Runtime, lambdaRuntimeTableAt, lambdaRuntimeSource))
		case !haveNow:
			return rp(UnknownR(arn, region, "function %s: snapshot has no collection time to compare with runtime %s's deprecation date %s",
				f.Name, f.Runtime, dateText(dep)))
		case !now.Before(dep):
			return rp(FailR(arn, region, "function %s uses runtime %s, deprecated since %s", f.Name, f.Runtime, dateText(dep)))
		}
		return rp(PassR(arn, region, "function %s uses runtime %s (supported until %s)", f.Name, f.Runtime, dateText(dep)))
	})
}

func checkLambdaInVPC(s *model.Snapshot) []Result {
	return lambdaRegions(s).eachItem(s, func(region string, f lambda.Function) *Result {
		arn, region := lambdaARN(s, region, f), regionOr(f.Meta, region)
		if f.VPC == nil || (f.VPC.VPCID == "" && len(f.VPC.SubnetIDs) == 0) {
			return rp(FailR(arn, region, "function %s is not attached to a VPC", f.Name))
		}
		return rp(PassR(arn, region, "function %s is attached to VPC %s", f.Name, orStr(f.VPC.VPCID, "(unnamed)")))
	})
}

func checkLambdaMultiAZ(s *model.Snapshot) []Result {
	return lambdaRegions(s).each(s, func(region string, fns []lambda.Function) []Result {
		var out []Result
		var subnets map[string]ec2.Subnet
		var subnetsWhy string
		loaded := false
		for _, f := range fns {
			if f.VPC == nil || len(f.VPC.SubnetIDs) == 0 {
				continue // not VPC-attached: out of scope
			}
			if !loaded {
				subnets, subnetsWhy = subnetIndex(s, region)
				loaded = true
			}
			arn, fregion := lambdaARN(s, region, f), regionOr(f.Meta, region)
			if subnets == nil {
				out = append(out, UnknownR(arn, fregion, "function %s: subnets of %s unreadable: %s", f.Name, region, subnetsWhy))
				continue
			}
			zones := map[string]bool{}
			var missing []string
			for _, id := range f.VPC.SubnetIDs {
				sn, ok := subnets[id]
				az := orStr(sn.AvailabilityZone, sn.AvailabilityZoneID)
				if !ok || az == "" {
					missing = append(missing, id)
					continue
				}
				zones[az] = true
			}
			zl := sortedSet(zones)
			switch {
			case len(zl) >= 2:
				out = append(out, PassR(arn, fregion, "function %s runs in %d Availability Zones (%s)", f.Name, len(zl), strings.Join(zl, ", ")))
			case len(missing) > 0:
				out = append(out, UnknownR(arn, fregion, "function %s: Availability Zone of subnet(s) %s unknown", f.Name, strings.Join(missing, ", ")))
			default:
				out = append(out, FailR(arn, fregion, "function %s runs in a single Availability Zone (%s)", f.Name, strings.Join(zl, ", ")))
			}
		}
		return out
	})
}

// subnetIndex returns the region's subnets by ID, or nil and the reason they
// are unknown.
func subnetIndex(s *model.Snapshot, region string) (map[string]ec2.Subnet, string) {
	r := s.EC2Region(region)
	if r == nil {
		return nil, "EC2 data for the region was not collected"
	}
	list, ok := r.Subnets.Get()
	if !ok {
		return nil, r.Subnets.Why()
	}
	m := make(map[string]ec2.Subnet, len(list))
	for _, sn := range list {
		m[sn.ID] = sn
	}
	return m, ""
}

// sortedSet returns the keys of a set, sorted.
func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
