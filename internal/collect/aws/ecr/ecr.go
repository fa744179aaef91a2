// Package ecr collects Amazon ECR private registries in every region:
// repositories (policy, scan on push, tag immutability, encryption,
// lifecycle policy) and the registry's scanning configuration.
package ecr

import (
	"context"
	"sort"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	ecrm "github.com/demarc-sec/demarc/internal/model/ecr"
)

const service = "ecr"

// API is the part of the ECR client the collector uses.
type API interface {
	awsecr.DescribeRepositoriesAPIClient
	GetRepositoryPolicy(context.Context, *awsecr.GetRepositoryPolicyInput, ...func(*awsecr.Options)) (*awsecr.GetRepositoryPolicyOutput, error)
	GetLifecyclePolicy(context.Context, *awsecr.GetLifecyclePolicyInput, ...func(*awsecr.Options)) (*awsecr.GetLifecyclePolicyOutput, error)
	GetRegistryScanningConfiguration(context.Context, *awsecr.GetRegistryScanningConfigurationInput, ...func(*awsecr.Options)) (*awsecr.GetRegistryScanningConfigurationOutput, error)
}

type collector struct{}

// New returns the ECR collector. It is global to the runner and reads every
// region of the snapshot itself, writing only snap.ECR.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return service }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	prefix := snap.ARNPrefix()
	regions, err := kit.PerRegion(ctx, env, service, snap.Regions, kit.RegionConcurrency,
		func(ctx context.Context, region string) (ecrm.Region, error) {
			return CollectRegion(ctx, env, awsecr.NewFromConfig(env.Config(region)), prefix, region)
		})
	snap.ECR = regions
	return err
}

// CollectRegion reads one region. The error is non-nil only when the
// repositories could not be listed.
func CollectRegion(ctx context.Context, env *aws.Env, c API, arnPrefix, region string) (ecrm.Region, error) {
	r := ecrm.Region{Name: region}
	sc, err := c.GetRegistryScanningConfiguration(ctx, &awsecr.GetRegistryScanningConfigurationInput{})
	switch {
	case err != nil:
		r.Scanning = core.Unknown[ecrm.RegistryScanning](env.Unknown(service, region, "GetRegistryScanningConfiguration", "", err))
	case sc == nil || sc.ScanningConfiguration == nil:
		r.Scanning = core.Unknown[ecrm.RegistryScanning]("not reported (ecr:GetRegistryScanningConfiguration)")
	default:
		r.Scanning = core.Known(convScanning(sc.ScanningConfiguration))
	}

	p := awsecr.NewDescribeRepositoriesPaginator(c, &awsecr.DescribeRepositoriesInput{})
	list, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsecr.DescribeRepositoriesOutput) []types.Repository { return o.Repositories })
	if err != nil {
		r.Repositories = core.Unknown[[]ecrm.Repository](env.Unknown(service, region, "DescribeRepositories", "", err))
		return r, err
	}
	repos := make([]ecrm.Repository, len(list))
	kit.Each(ctx, len(list), kit.ItemConcurrency, func(ctx context.Context, i int) {
		repo := convRepository(arnPrefix, env.AccountID, region, list[i])
		name, registry := sdk.String(repo.Name), list[i].RegistryId
		unknown := func(op string, err error) string { return env.Unknown(service, region, op, repo.ARN, err) }

		pol, err := c.GetRepositoryPolicy(ctx, &awsecr.GetRepositoryPolicyInput{RepositoryName: name, RegistryId: registry})
		switch {
		case kit.IsCode(err, "RepositoryPolicyNotFoundException"):
			repo.Policy = core.Known("")
		case err != nil:
			repo.Policy = core.Unknown[string](unknown("GetRepositoryPolicy", err))
		case pol == nil:
			repo.Policy = core.Unknown[string]("not reported (ecr:GetRepositoryPolicy)")
		default:
			repo.Policy = core.Known(sdk.ToString(pol.PolicyText))
		}

		lc, err := c.GetLifecyclePolicy(ctx, &awsecr.GetLifecyclePolicyInput{RepositoryName: name, RegistryId: registry})
		switch {
		case kit.IsCode(err, "LifecyclePolicyNotFoundException"):
			repo.LifecyclePolicy = core.Known("")
		case err != nil:
			repo.LifecyclePolicy = core.Unknown[string](unknown("GetLifecyclePolicy", err))
		case lc == nil:
			repo.LifecyclePolicy = core.Unknown[string]("not reported (ecr:GetLifecyclePolicy)")
		default:
			repo.LifecyclePolicy = core.Known(sdk.ToString(lc.LifecyclePolicyText))
		}
		repos[i] = repo
	})
	sort.Slice(repos, func(i, j int) bool { return repos[i].Name < repos[j].Name })
	r.Repositories = core.Known(repos)
	return r, nil
}

func convRepository(arnPrefix, account, region string, in types.Repository) ecrm.Repository {
	name := sdk.ToString(in.RepositoryName)
	arn := sdk.ToString(in.RepositoryArn)
	if arn == "" {
		arn = arnPrefix + ":ecr:" + region + ":" + account + ":repository/" + name
	}
	out := ecrm.Repository{
		Meta:          core.Meta{ARN: arn, Account: account, Region: region},
		Name:          name,
		URI:           sdk.ToString(in.RepositoryUri),
		RegistryID:    sdk.ToString(in.RegistryId),
		TagMutability: string(in.ImageTagMutability),
		CreatedAt:     in.CreatedAt,
		// ECR encrypts every repository; AES256 (S3-managed keys) is the
		// default when no configuration is reported.
		EncryptionType: "AES256",
	}
	if out.RegistryID != "" {
		out.Account = out.RegistryID
	}
	if in.ImageScanningConfiguration != nil {
		out.ScanOnPush = in.ImageScanningConfiguration.ScanOnPush
	}
	if e := in.EncryptionConfiguration; e != nil && e.EncryptionType != "" {
		out.EncryptionType = string(e.EncryptionType)
		out.KMSKey = sdk.ToString(e.KmsKey)
	}
	return out
}

func convScanning(in *types.RegistryScanningConfiguration) ecrm.RegistryScanning {
	out := ecrm.RegistryScanning{ScanType: string(in.ScanType)}
	for _, r := range in.Rules {
		rule := ecrm.ScanningRule{Frequency: string(r.ScanFrequency), Filters: []string{}}
		for _, f := range r.RepositoryFilters {
			rule.Filters = append(rule.Filters, sdk.ToString(f.Filter))
		}
		out.Rules = append(out.Rules, rule)
	}
	return out
}
