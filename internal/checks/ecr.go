package checks

import (
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ecr"
)

// ECR stores images; scanning them for vulnerabilities, keeping tags from
// being overwritten and expiring old images are the customer's settings.

func ecrRules() []Rule {
	return []Rule{
		{
			ID:             "ecr-image-scanning",
			Title:          "ECR private repositories have image scanning configured",
			Service:        "ecr",
			Severity:       High,
			Responsibility: LayerDetection,
			Frameworks:     map[string][]string{FSBP: {"ECR.1"}},
			Description: "Images must be scanned for known vulnerabilities on push or continuously. With the registry on " +
				"enhanced scanning (Amazon Inspector) only the registry's scanning rules count: a repository passes " +
				"when a SCAN_ON_PUSH or CONTINUOUS_SCAN rule's filter matches its name. With basic scanning, a " +
				"matching SCAN_ON_PUSH rule or the repository's own scan-on-push setting counts. Filters without " +
				"a wildcard match names that contain them; '*' matches any run of characters.",
			Remediation: "  aws ecr put-registry-scanning-configuration --scan-type ENHANCED \\\n" +
				"      --rules '[{\"scanFrequency\":\"CONTINUOUS_SCAN\",\"repositoryFilters\":[{\"filter\":\"*\",\"filterType\":\"WILDCARD\"}]}]'\n" +
				"Terraform: resource \"aws_ecr_registry_scanning_configuration\" \"s\" { scan_type = \"ENHANCED\"\n" +
				"  rule { scan_frequency = \"CONTINUOUS_SCAN\" repository_filter { filter = \"*\" filter_type = \"WILDCARD\" } } }",
			Links: []string{"https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html",
				"https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-enhanced-enabling.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/ecr-controls.html#ecr-1"},
			Check: checkECRScanning,
		},
		{
			ID:             "ecr-tag-immutability",
			Title:          "ECR private repositories have tag immutability configured",
			Service:        "ecr",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"ECR.2"}},
			Description: "With immutable tags a pushed tag cannot be moved to another image, so what was scanned and approved " +
				"under a tag is what runs. Only IMMUTABLE passes, as in Security Hub: MUTABLE and the *_WITH_EXCLUSION " +
				"settings leave some tags overwritable.",
			Remediation: "  aws ecr put-image-tag-mutability --repository-name REPO --image-tag-mutability IMMUTABLE\n" +
				"Terraform: resource \"aws_ecr_repository\" \"r\" { image_tag_mutability = \"IMMUTABLE\" }",
			Links: []string{"https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/ecr-controls.html#ecr-2"},
			Check: checkECRTagImmutability,
		},
		{
			ID:             "ecr-lifecycle-policy",
			Title:          "ECR repositories have a lifecycle policy",
			Service:        "ecr",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"ECR.3"}},
			Description: "A lifecycle policy expires untagged and old images, so stale images with known vulnerabilities do " +
				"not linger where they can still be pulled and run.",
			Remediation: "  aws ecr put-lifecycle-policy --repository-name REPO --lifecycle-policy-text \\\n" +
				"      '{\"rules\":[{\"rulePriority\":1,\"selection\":{\"tagStatus\":\"untagged\",\"countType\":\"sinceImagePushed\",\"countUnit\":\"days\",\"countNumber\":14},\"action\":{\"type\":\"expire\"}}]}'\n" +
				"Terraform: resource \"aws_ecr_lifecycle_policy\" \"r\" { repository = aws_ecr_repository.r.name, policy = jsonencode({...}) }",
			Links: []string{"https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/ecr-controls.html#ecr-3"},
			Check: checkECRLifecycle,
		},
	}
}

func ecrRegions(s *model.Snapshot) svcRegions[ecr.Region, ecr.Repository] {
	return svcRegions[ecr.Region, ecr.Repository]{
		service: "ecr", what: "ECR repositories", wildcard: "repository/*", regions: s.ECR,
		name: func(r *ecr.Region) string { return r.Name },
		list: func(r *ecr.Region) core.Val[[]ecr.Repository] { return r.Repositories },
	}
}

func ecrARN(s *model.Snapshot, region string, r ecr.Repository) string {
	return orARN(r.ARN, regionalARN(s, "ecr", region, "repository/"+r.Name))
}

// ecrFilterMatches applies a registry scanning filter the way ECR documents
// it: without a wildcard the filter matches names that contain it; with '*'
// the wildcard stands for any run of characters over the whole name.
func ecrFilterMatches(filter, name string) bool {
	if !strings.Contains(filter, "*") {
		return strings.Contains(name, filter)
	}
	return globMatch(filter, name)
}

// ecrRuleFor returns the frequency of the first registry rule that scans
// the repository automatically (SCAN_ON_PUSH or CONTINUOUS_SCAN).
func ecrRuleFor(sc ecr.RegistryScanning, name string) string {
	for _, r := range sc.Rules {
		f := strings.ToUpper(r.Frequency)
		if f != "SCAN_ON_PUSH" && f != "CONTINUOUS_SCAN" {
			continue
		}
		for _, flt := range r.Filters {
			if ecrFilterMatches(flt, name) {
				return f
			}
		}
	}
	return ""
}

func checkECRScanning(s *model.Snapshot) []Result {
	byRegion := map[string]core.Val[ecr.RegistryScanning]{}
	for _, r := range s.ECR {
		byRegion[r.Name] = r.Scanning
	}
	return ecrRegions(s).eachItem(s, func(region string, repo ecr.Repository) *Result {
		arn, rregion := ecrARN(s, region, repo), regionOr(repo.Meta, region)
		scv := byRegion[region]
		sc, ok := scv.Get()
		if !ok {
			// The registry's configuration decides whether the repository's
			// own flag counts at all (enhanced scanning ignores it).
			return rp(UnknownR(arn, rregion, "repository %s: registry scanning configuration unreadable: %s (repository scan-on-push is %t)",
				repo.Name, scv.Why(), repo.ScanOnPush))
		}
		enhanced := strings.EqualFold(sc.ScanType, "ENHANCED")
		if f := ecrRuleFor(sc, repo.Name); f != "" {
			kind := "basic"
			if enhanced {
				kind = "enhanced"
			}
			return rp(PassR(arn, rregion, "repository %s is scanned by a registry %s scanning rule (%s)", repo.Name, kind, f))
		}
		switch {
		case enhanced:
			return rp(FailR(arn, rregion, "repository %s matches no SCAN_ON_PUSH or CONTINUOUS_SCAN rule of the registry's enhanced scanning", repo.Name))
		case repo.ScanOnPush:
			return rp(PassR(arn, rregion, "repository %s scans images on push (basic scanning)", repo.Name))
		}
		return rp(FailR(arn, rregion, "repository %s has no scan on push and matches no registry scanning rule", repo.Name))
	})
}

func checkECRTagImmutability(s *model.Snapshot) []Result {
	return ecrRegions(s).eachItem(s, func(region string, repo ecr.Repository) *Result {
		arn, region := ecrARN(s, region, repo), regionOr(repo.Meta, region)
		switch m := strings.ToUpper(repo.TagMutability); m {
		case "IMMUTABLE":
			return rp(PassR(arn, region, "repository %s has immutable tags", repo.Name))
		case "":
			return rp(UnknownR(arn, region, "repository %s: tag mutability not reported", repo.Name))
		default:
			return rp(FailR(arn, region, "repository %s has tag mutability %s", repo.Name, m))
		}
	})
}

func checkECRLifecycle(s *model.Snapshot) []Result {
	return ecrRegions(s).eachItem(s, func(region string, repo ecr.Repository) *Result {
		arn, region := ecrARN(s, region, repo), regionOr(repo.Meta, region)
		p, ok := repo.LifecyclePolicy.Get()
		switch {
		case !ok:
			return rp(UnknownR(arn, region, "repository %s: lifecycle policy unreadable: %s", repo.Name, repo.LifecyclePolicy.Why()))
		case strings.TrimSpace(p) != "":
			return rp(PassR(arn, region, "repository %s has a lifecycle policy", repo.Name))
		}
		return rp(FailR(arn, region, "repository %s has no lifecycle policy", repo.Name))
	})
}
