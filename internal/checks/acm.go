package checks

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/acm"
	"github.com/demarc-sec/demarc/internal/model/core"
)

// ACM renews the certificates it issues when it can validate the domain;
// imported certificates, and ones whose renewal fails, are the customer's
// to replace before they expire. The key strength of an imported
// certificate is the customer's choice too.

// acmExpiryDays is Security Hub's ACM.1 default (daysToExpiration).
const acmExpiryDays = 30

func acmRules() []Rule {
	return []Rule{
		{
			ID:             "acm-certificate-expiry",
			Title:          fmt.Sprintf("ACM certificates are not expired or expiring within %d days", acmExpiryDays),
			Service:        "acm",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"ACM.1"}},
			Description: fmt.Sprintf("A certificate that expires breaks TLS for everything that uses it. ACM renews the certificates "+
				"it issues about 60 days before expiry when validation still works, so an Amazon-issued certificate "+
				"within %d days of expiry means renewal failed; imported certificates are never renewed by ACM. Both "+
				"kinds are judged, as in Security Hub. Certificates without a validity period (still pending "+
				"validation, failed) are out of scope.", acmExpiryDays),
			Remediation: "Imported: import the renewed certificate over the same ARN:\n" +
				"  aws acm import-certificate --certificate-arn ARN --certificate fileb://cert.pem --private-key fileb://key.pem \\\n" +
				"      --certificate-chain fileb://chain.pem\n" +
				"Amazon-issued: fix domain validation (DNS CNAME) so managed renewal succeeds: aws acm describe-certificate --certificate-arn ARN\n" +
				"Terraform: resource \"aws_acm_certificate\" \"c\" { validation_method = \"DNS\" } with aws_acm_certificate_validation and its Route 53 records.",
			Links: []string{"https://docs.aws.amazon.com/acm/latest/userguide/managed-renewal.html",
				"https://docs.aws.amazon.com/acm/latest/userguide/import-reimport.html",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/acm-controls.html#acm-1"},
			Check: checkACMExpiry,
		},
		{
			ID:             "acm-rsa-key-length",
			Title:          "RSA certificates in ACM use keys of at least 2048 bits",
			Service:        "acm",
			Severity:       High,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"ACM.2"}},
			Description: "RSA keys shorter than 2048 bits (RSA_1024, which ACM accepts only for imported certificates) are " +
				"within reach of factoring and rejected by current clients and standards. ECDSA certificates are out of scope.",
			Remediation: "Issue or import a replacement with RSA 2048+ or ECDSA, move the resources that use it, delete the weak one:\n" +
				"  aws acm request-certificate --domain-name example.com --validation-method DNS --key-algorithm RSA_2048\n" +
				"  aws acm delete-certificate --certificate-arn OLD_ARN\n" +
				"Terraform: resource \"aws_acm_certificate\" \"c\" { key_algorithm = \"RSA_2048\" }",
			Links: []string{"https://docs.aws.amazon.com/acm/latest/userguide/acm-certificate.html#algorithms",
				"https://docs.aws.amazon.com/securityhub/latest/userguide/acm-controls.html#acm-2"},
			Check: checkACMKeyLength,
		},
	}
}

func acmRegions(s *model.Snapshot) svcRegions[acm.Region, acm.Certificate] {
	return svcRegions[acm.Region, acm.Certificate]{
		service: "acm", what: "ACM certificates", wildcard: "certificate/*", regions: s.ACM,
		name: func(r *acm.Region) string { return r.Name },
		list: func(r *acm.Region) core.Val[[]acm.Certificate] { return r.Certificates },
	}
}

func acmARN(s *model.Snapshot, region string, c acm.Certificate) string {
	return orARN(c.ARN, regionalARN(s, "acm", region, "certificate/"+c.Domain))
}

func acmName(c acm.Certificate) string {
	if c.Domain != "" {
		return "certificate for " + c.Domain
	}
	return "certificate"
}

func checkACMExpiry(s *model.Snapshot) []Result {
	now, haveNow := collectedAt(s)
	return acmRegions(s).eachItem(s, func(region string, c acm.Certificate) *Result {
		arn, region := acmARN(s, region, c), regionOr(c.Meta, region)
		d, ok := c.Details.Get()
		switch {
		case !ok:
			return rp(UnknownR(arn, region, "%s: details unreadable: %s", acmName(c), c.Details.Why()))
		case d.NotAfter == nil && strings.EqualFold(d.Status, "ISSUED"):
			return rp(UnknownR(arn, region, "%s: issued but its expiry date is not reported", acmName(c)))
		case d.NotAfter == nil:
			return nil // never issued: no validity period to judge
		case !haveNow:
			return rp(UnknownR(arn, region, "%s expires %s; the snapshot has no collection time to compare with", acmName(c), dateText(*d.NotAfter)))
		}
		kind := strings.ToLower(strings.ReplaceAll(orStr(d.Type, "unknown type"), "_", "-"))
		left := d.NotAfter.Sub(now)
		switch {
		case left <= 0:
			return rp(FailR(arn, region, "%s (%s) expired on %s", acmName(c), kind, dateText(*d.NotAfter)))
		case left <= acmExpiryDays*day:
			return rp(FailR(arn, region, "%s (%s) expires on %s, in %d days", acmName(c), kind, dateText(*d.NotAfter), int(left/day)))
		}
		return rp(PassR(arn, region, "%s (%s) is valid until %s", acmName(c), kind, dateText(*d.NotAfter)))
	})
}

// rsaBits returns the key size of an RSA_<bits> key algorithm.
func rsaBits(alg string) (int, bool) {
	rest, ok := strings.CutPrefix(strings.ToUpper(alg), "RSA_")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil
}

func checkACMKeyLength(s *model.Snapshot) []Result {
	return acmRegions(s).eachItem(s, func(region string, c acm.Certificate) *Result {
		arn, region := acmARN(s, region, c), regionOr(c.Meta, region)
		d, ok := c.Details.Get()
		if !ok {
			return rp(UnknownR(arn, region, "%s: details unreadable: %s", acmName(c), c.Details.Why()))
		}
		if d.KeyAlgorithm == "" {
			return rp(UnknownR(arn, region, "%s: key algorithm not reported", acmName(c)))
		}
		bits, isRSA := rsaBits(d.KeyAlgorithm)
		switch {
		case !isRSA && strings.HasPrefix(strings.ToUpper(d.KeyAlgorithm), "RSA"):
			return rp(UnknownR(arn, region, "%s: RSA key algorithm %s not understood", acmName(c), d.KeyAlgorithm))
		case !isRSA:
			return nil // ECDSA: out of scope
		case bits < 2048:
			return rp(FailR(arn, region, "%s uses a %d-bit RSA key", acmName(c), bits))
		}
		return rp(PassR(arn, region, "%s uses a %d-bit RSA key", acmName(c), bits))
	})
}
