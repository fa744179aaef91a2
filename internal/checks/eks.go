package checks

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/eks"
)

// EKS runs the Kubernetes control plane; who can reach its endpoint, which
// Kubernetes version it runs, how secrets are encrypted and whether the
// audit log is kept are the customer's settings.

// eksCalendarSource is the Amazon EKS Kubernetes release calendar the table
// below was taken from, and when.
const (
	eksCalendarSource = "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html#kubernetes-release-calendar"
	eksCalendarAsOf   = "2026-02-10"
	// eksStandardMonths is how long a minor version is in standard support
	// after its Amazon EKS release (then 12 months of paid extended support).
	eksStandardMonths = 14
)

// eksVersion is one row of the release calendar.
type eksVersion struct {
	release     time.Time // Amazon EKS release
	endStandard time.Time
	endExtended time.Time // zero: no extended support existed for it
}

// eksCalendar maps Kubernetes minor versions to their Amazon EKS support
// dates (eksCalendarSource, as of eksCalendarAsOf; versions that left the
// calendar keep the dates it listed for them). 1.35 is from
// https://endoflife.date/amazon-eks, which mirrors the calendar, as the
// copy of the AWS page read then stopped at 1.34.
var eksCalendar = map[int]eksVersion{
	35: {day0(2026, 1, 27), day0(2027, 3, 27), day0(2028, 3, 27)},
	34: {day0(2025, 10, 2), day0(2026, 12, 2), day0(2027, 12, 2)},
	33: {day0(2025, 5, 29), day0(2026, 7, 29), day0(2027, 7, 29)},
	32: {day0(2025, 1, 23), day0(2026, 3, 23), day0(2027, 3, 23)},
	31: {day0(2024, 9, 26), day0(2025, 11, 26), day0(2026, 11, 26)},
	30: {day0(2024, 5, 23), day0(2025, 7, 23), day0(2026, 7, 23)},
	29: {day0(2024, 1, 23), day0(2025, 3, 23), day0(2026, 3, 23)},
	28: {day0(2023, 9, 26), day0(2024, 11, 26), day0(2025, 11, 26)},
	27: {day0(2023, 5, 24), day0(2024, 7, 24), day0(2025, 7, 24)},
	26: {day0(2023, 4, 11), day0(2024, 6, 11), day0(2025, 6, 11)},
	25: {day0(2023, 2, 21), day0(2024, 5, 1), day0(2025, 5, 1)},
	24: {day0(2022, 11, 15), day0(2024, 1, 31), day0(2025, 1, 31)},
	23: {day0(2022, 8, 11), day0(2023, 10, 11), day0(2024, 10, 11)},
	22: {day0(2022, 4, 4), day0(2023, 6, 4), time.Time{}},
	21: {day0(2021, 7, 19), day0(2023, 2, 16), time.Time{}},
}

// eksOldest and eksNewest bound eksCalendar.
const (
	eksOldest = 21
	eksNewest = 35
)

func eksRules() []Rule {
	return []Rule{
		{
			ID:             "eks-endpoint-not-public",
			Title:          "EKS cluster API endpoints are not publicly accessible",
			Service:        "eks",
			Severity:       High,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"EKS.1"}},
			Description: "With public endpoint access on, the Kubernetes API server answers from the internet (only IAM " +
				"authentication stands in the way, and CIDR allow-lists narrow it). The control fails whenever the " +
				"public endpoint is enabled, whatever its CIDRs; use the private endpoint from inside the VPC.",
			Remediation: "  aws eks update-cluster-config --name CLUSTER \\\n" +
				"      --resources-vpc-config endpointPublicAccess=false,endpointPrivateAccess=true\n" +
				"Terraform: resource \"aws_eks_cluster\" \"c\" { vpc_config { endpoint_public_access = false, endpoint_private_access = true } }",
			Links: []string{"https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/eks-controls.html#eks-1"},
			Check: eachEKSCluster(func(c eks.Cluster, d eks.ClusterDetails) (Status, string) {
				if !d.EndpointPublic {
					return Pass, fmt.Sprintf("cluster %s: public endpoint access is disabled", c.Name)
				}
				cidrs := "0.0.0.0/0"
				if len(d.PublicAccessCIDRs) > 0 {
					cidrs = strings.Join(d.PublicAccessCIDRs, ", ")
				}
				return Fail, fmt.Sprintf("cluster %s: API endpoint is publicly accessible from %s", c.Name, cidrs)
			}),
		},
		{
			ID:             "eks-supported-version",
			Title:          "EKS clusters run a Kubernetes version in standard support",
			Service:        "eks",
			Severity:       High,
			Responsibility: LayerGuestOS,
			Frameworks:     map[string][]string{FSBP: {"EKS.2"}},
			Description: "Amazon EKS supports a Kubernetes minor version for 14 months of standard support, then 12 months of " +
				"paid extended support, after which the control plane is upgraded for you. Like Security Hub, demarc " +
				"FAILs a cluster once its version has left standard support. Dates come from the Amazon EKS release " +
				"calendar (" + eksCalendarSource + ", as of " + eksCalendarAsOf + ") as of the snapshot's collection " +
				"time; a version newer than the calendar passes while it must still be in standard support.",
			Remediation: "Upgrade one minor version at a time (control plane, then add-ons and nodes):\n" +
				"  aws eks update-cluster-version --name CLUSTER --kubernetes-version 1.34\n" +
				"Terraform: resource \"aws_eks_cluster\" \"c\" { version = \"1.34\" }",
			Links: []string{eksCalendarSource, "https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/eks-controls.html#eks-2"},
			Check: checkEKSVersion,
		},
		{
			ID:             "eks-secrets-encrypted",
			Title:          "EKS clusters encrypt Kubernetes secrets with a KMS key",
			Service:        "eks",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"EKS.3"}},
			Description: "Envelope encryption of Kubernetes secrets with a KMS key adds a key you control (and whose use is " +
				"logged) on top of etcd's volume encryption.",
			Remediation: "  aws eks associate-encryption-config --cluster-name CLUSTER \\\n" +
				"      --encryption-config '[{\"resources\":[\"secrets\"],\"provider\":{\"keyArn\":\"KEY_ARN\"}}]'\n" +
				"Terraform: resource \"aws_eks_cluster\" \"c\" { encryption_config { resources = [\"secrets\"] provider { key_arn = aws_kms_key.eks.arn } } }",
			Links: []string{"https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/eks-controls.html#eks-3"},
			Check: eachEKSCluster(func(c eks.Cluster, d eks.ClusterDetails) (Status, string) {
				if d.SecretsEncrypted() {
					return Pass, fmt.Sprintf("cluster %s encrypts Kubernetes secrets with a KMS key", c.Name)
				}
				return Fail, fmt.Sprintf("cluster %s does not encrypt Kubernetes secrets with a KMS key", c.Name)
			}),
		},
		{
			ID:             "eks-audit-logging",
			Title:          "EKS clusters send the audit log to CloudWatch Logs",
			Service:        "eks",
			Severity:       Medium,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{FSBP: {"EKS.8"}},
			Description: "The Kubernetes audit log records every request to the API server: who did what to which object. " +
				"Control plane logging is off by default.",
			Remediation: "  aws eks update-cluster-config --name CLUSTER \\\n" +
				"      --logging '{\"clusterLogging\":[{\"types\":[\"api\",\"audit\",\"authenticator\"],\"enabled\":true}]}'\n" +
				"Terraform: resource \"aws_eks_cluster\" \"c\" { enabled_cluster_log_types = [\"api\", \"audit\", \"authenticator\"] }",
			Links: []string{"https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/eks-controls.html#eks-8"},
			Check: eachEKSCluster(func(c eks.Cluster, d eks.ClusterDetails) (Status, string) {
				for _, t := range d.EnabledLogTypes {
					if strings.EqualFold(t, "audit") {
						return Pass, fmt.Sprintf("cluster %s sends the audit log to CloudWatch Logs", c.Name)
					}
				}
				return Fail, fmt.Sprintf("cluster %s does not have audit logging enabled", c.Name)
			}),
		},
	}
}

func eksRegions(s *model.Snapshot) svcRegions[eks.Region, eks.Cluster] {
	return svcRegions[eks.Region, eks.Cluster]{
		service: "eks", what: "EKS clusters", wildcard: "cluster/*", regions: s.EKS,
		name: func(r *eks.Region) string { return r.Name },
		list: func(r *eks.Region) core.Val[[]eks.Cluster] { return r.Clusters },
	}
}

// eachEKSCluster judges every cluster with a known description; clusters
// being deleted are not judged.
func eachEKSCluster(judge func(c eks.Cluster, d eks.ClusterDetails) (Status, string)) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		return eksRegions(s).eachItem(s, func(region string, c eks.Cluster) *Result {
			arn, region := orARN(c.ARN, regionalARN(s, "eks", region, "cluster/"+c.Name)), regionOr(c.Meta, region)
			d, ok := c.Details.Get()
			if !ok {
				return rp(UnknownR(arn, region, "cluster %s: description unreadable: %s", c.Name, c.Details.Why()))
			}
			if strings.EqualFold(d.Status, "DELETING") {
				return nil
			}
			st, msg := judge(c, d)
			return &Result{Status: st, ResourceARN: arn, Region: region, Message: msg}
		})
	}
}

// eksMinor parses "1.30" (or "1.30.x") into its minor number.
func eksMinor(v string) (int, bool) {
	parts := strings.Split(strings.TrimPrefix(strings.TrimSpace(v), "v"), ".")
	if len(parts) < 2 || parts[0] != "1" {
		return 0, false
	}
	n, err := strconv.Atoi(parts[1])
	return n, err == nil
}

func checkEKSVersion(s *model.Snapshot) []Result {
	now, haveNow := collectedAt(s)
	return eachEKSCluster(func(c eks.Cluster, d eks.ClusterDetails) (Status, string) {
		minor, ok := eksMinor(d.Version)
		if !ok {
			return Unknown, fmt.Sprintf("cluster %s: Kubernetes version %q not understood", c.Name, d.Version)
		}
		if !haveNow {
			return Unknown, fmt.Sprintf("cluster %s runs Kubernetes %s; the snapshot has no collection time to compare with the EKS calendar", c.Name, d.Version)
		}
		switch v, known := eksCalendar[minor]; {
		case known && now.Before(v.endStandard):
			return Pass, fmt.Sprintf("cluster %s runs Kubernetes %s, in standard support until %s", c.Name, d.Version, dateText(v.endStandard))
		case known && !v.endExtended.IsZero() && now.Before(v.endExtended):
			return Fail, fmt.Sprintf("cluster %s runs Kubernetes %s: standard support ended %s (extended support until %s)",
				c.Name, d.Version, dateText(v.endStandard), dateText(v.endExtended))
		case known:
			return Fail, fmt.Sprintf("cluster %s runs Kubernetes %s, no longer supported by Amazon EKS since %s",
				c.Name, d.Version, dateText(maxTime(v.endStandard, v.endExtended)))
		case minor < eksOldest && !now.Before(eksCalendar[eksOldest].endStandard):
			return Fail, fmt.Sprintf("cluster %s runs Kubernetes %s, older than every version Amazon EKS still lists", c.Name, d.Version)
		case minor < eksOldest:
			return Unknown, fmt.Sprintf("cluster %s runs Kubernetes %s, older than demarc's EKS calendar", c.Name, d.Version)
		}
		// Newer than the calendar: released on EKS after the newest row, so in
		// standard support for at least eksStandardMonths after that release.
		until := eksCalendar[eksNewest].release.AddDate(0, eksStandardMonths, 0)
		if now.Before(until) {
			return Pass, fmt.Sprintf("cluster %s runs Kubernetes %s, newer than demarc's EKS calendar (%s) and so still in standard support",
				c.Name, d.Version, eksCalendarAsOf)
		}
		return Unknown, fmt.Sprintf("cluster %s runs Kubernetes %s, newer than demarc's EKS calendar (%s); update demarc to judge it",
			c.Name, d.Version, eksCalendarAsOf)
	})(s)
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
