// Package acm collects AWS Certificate Manager certificates in every
// region: status, validity, key algorithm, renewal and what uses them.
package acm

import (
	"context"
	"sort"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsacm "github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/acm/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	acmm "github.com/demarc-sec/demarc/internal/model/acm"
	"github.com/demarc-sec/demarc/internal/model/core"
)

const service = "acm"

// API is the part of the ACM client the collector uses.
type API interface {
	awsacm.ListCertificatesAPIClient
	DescribeCertificate(context.Context, *awsacm.DescribeCertificateInput, ...func(*awsacm.Options)) (*awsacm.DescribeCertificateOutput, error)
}

type collector struct{}

// New returns the ACM collector. It is global to the runner and reads every
// region of the snapshot itself, writing only snap.ACM.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return service }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	regions, err := kit.PerRegion(ctx, env, service, snap.Regions, kit.RegionConcurrency,
		func(ctx context.Context, region string) (acmm.Region, error) {
			return CollectRegion(ctx, env, awsacm.NewFromConfig(env.Config(region)), region)
		})
	snap.ACM = regions
	return err
}

// allKeyTypes asks for every key algorithm: without a KeyTypes filter
// ListCertificates returns only some of them (RSA_2048 and a few others),
// which would hide exactly the weak RSA_1024 keys a rule looks for
// (https://docs.aws.amazon.com/acm/latest/APIReference/API_ListCertificates.html).
var allKeyTypes = types.KeyAlgorithm("").Values()

// CollectRegion reads the certificates of one region. The error is non-nil
// only when the certificates could not be listed.
func CollectRegion(ctx context.Context, env *aws.Env, c API, region string) (acmm.Region, error) {
	r := acmm.Region{Name: region}
	p := awsacm.NewListCertificatesPaginator(c, &awsacm.ListCertificatesInput{Includes: &types.Filters{KeyTypes: allKeyTypes}})
	list, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsacm.ListCertificatesOutput) []types.CertificateSummary { return o.CertificateSummaryList })
	if err != nil {
		r.Certificates = core.Unknown[[]acmm.Certificate](env.Unknown(service, region, "ListCertificates", "", err))
		return r, err
	}
	certs := make([]acmm.Certificate, len(list))
	kit.Each(ctx, len(list), kit.ItemConcurrency, func(ctx context.Context, i int) {
		arn := sdk.ToString(list[i].CertificateArn)
		cert := acmm.Certificate{Meta: core.Meta{ARN: arn, Account: env.AccountID, Region: region}, Domain: sdk.ToString(list[i].DomainName)}
		out, err := c.DescribeCertificate(ctx, &awsacm.DescribeCertificateInput{CertificateArn: sdk.String(arn)})
		switch {
		case err != nil:
			cert.Details = core.Unknown[acmm.CertificateDetails](env.Unknown(service, region, "DescribeCertificate", arn, err))
		case out == nil || out.Certificate == nil:
			cert.Details = core.Unknown[acmm.CertificateDetails]("not reported (acm:DescribeCertificate)")
		default:
			cert.Details = core.Known(convDetails(out.Certificate))
		}
		certs[i] = cert
	})
	sort.Slice(certs, func(i, j int) bool { return certs[i].ARN < certs[j].ARN })
	r.Certificates = core.Known(certs)
	return r, nil
}

func convDetails(in *types.CertificateDetail) acmm.CertificateDetails {
	out := acmm.CertificateDetails{
		Status:                  string(in.Status),
		Type:                    string(in.Type),
		SubjectAlternativeNames: append([]string(nil), in.SubjectAlternativeNames...),
		NotBefore:               in.NotBefore,
		NotAfter:                in.NotAfter,
		KeyAlgorithm:            string(in.KeyAlgorithm),
		SignatureAlgorithm:      sdk.ToString(in.SignatureAlgorithm),
		Issuer:                  sdk.ToString(in.Issuer),
		InUseBy:                 append([]string(nil), in.InUseBy...),
		RenewalEligibility:      string(in.RenewalEligibility),
	}
	sort.Strings(out.InUseBy)
	if in.RenewalSummary != nil {
		out.RenewalStatus = string(in.RenewalSummary.RenewalStatus)
	}
	if in.Options != nil {
		out.CTLogging = string(in.Options.CertificateTransparencyLoggingPreference)
	}
	return out
}
