// Package acm is the snapshot model of AWS Certificate Manager certificates,
// one Region at a time: status, validity, key algorithm and what uses them.
package acm

import (
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Region is the ACM state of one region.
type Region struct {
	Name         string                  `json:"name"`
	Certificates core.Val[[]Certificate] `json:"certificates"`
}

// Certificate is one certificate. Meta.ARN is the certificate ARN.
type Certificate struct {
	core.Meta
	Domain  string                       `json:"domain"`
	Details core.Val[CertificateDetails] `json:"details"`
}

// CertificateDetails are the DescribeCertificate fields rules need.
type CertificateDetails struct {
	// Status is ISSUED | PENDING_VALIDATION | EXPIRED | REVOKED | FAILED |
	// INACTIVE | VALIDATION_TIMED_OUT.
	Status string `json:"status"`
	// Type is AMAZON_ISSUED | IMPORTED | PRIVATE.
	Type                    string     `json:"type"`
	SubjectAlternativeNames []string   `json:"subject_alternative_names,omitempty"`
	NotBefore               *time.Time `json:"not_before,omitempty"`
	NotAfter                *time.Time `json:"not_after,omitempty"`
	// KeyAlgorithm is RSA_1024 | RSA_2048 | RSA_3072 | RSA_4096 |
	// EC_prime256v1 | EC_secp384r1 | EC_secp521r1.
	KeyAlgorithm       string `json:"key_algorithm"`
	SignatureAlgorithm string `json:"signature_algorithm,omitempty"`
	Issuer             string `json:"issuer,omitempty"`
	// InUseBy are the ARNs of the resources using the certificate.
	InUseBy            []string `json:"in_use_by,omitempty"`
	RenewalEligibility string   `json:"renewal_eligibility,omitempty"` // ELIGIBLE | INELIGIBLE
	// RenewalStatus is the managed renewal status, when a renewal ran.
	RenewalStatus string `json:"renewal_status,omitempty"`
	// CTLogging is ENABLED | DISABLED (certificate transparency logging).
	CTLogging string `json:"ct_logging,omitempty"`
}
