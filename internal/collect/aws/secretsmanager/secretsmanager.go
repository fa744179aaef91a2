// Package secretsmanager collects AWS Secrets Manager secrets in every
// region: rotation, last use, encryption key and resource policy. Secret
// values are never read (no GetSecretValue).
package secretsmanager

import (
	"context"
	"sort"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awssm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	smm "github.com/demarc-sec/demarc/internal/model/secretsmanager"
)

const service = "secretsmanager"

// API is the part of the Secrets Manager client the collector uses.
type API interface {
	awssm.ListSecretsAPIClient
	GetResourcePolicy(context.Context, *awssm.GetResourcePolicyInput, ...func(*awssm.Options)) (*awssm.GetResourcePolicyOutput, error)
}

type collector struct{}

// New returns the Secrets Manager collector. It is global to the runner and
// reads every region of the snapshot itself, writing only
// snap.SecretsManager.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return service }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	regions, err := kit.PerRegion(ctx, env, service, snap.Regions, kit.RegionConcurrency,
		func(ctx context.Context, region string) (smm.Region, error) {
			return CollectRegion(ctx, env, awssm.NewFromConfig(env.Config(region)), region)
		})
	snap.SecretsManager = regions
	return err
}

// CollectRegion reads the secrets of one region. The error is non-nil only
// when the secrets could not be listed.
func CollectRegion(ctx context.Context, env *aws.Env, c API, region string) (smm.Region, error) {
	r := smm.Region{Name: region}
	p := awssm.NewListSecretsPaginator(c, &awssm.ListSecretsInput{})
	list, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awssm.ListSecretsOutput) []types.SecretListEntry { return o.SecretList })
	if err != nil {
		r.Secrets = core.Unknown[[]smm.Secret](env.Unknown(service, region, "ListSecrets", "", err))
		return r, err
	}
	secrets := make([]smm.Secret, len(list))
	kit.Each(ctx, len(list), kit.ItemConcurrency, func(ctx context.Context, i int) {
		s := convSecret(env.AccountID, region, list[i])
		// GetResourcePolicy answers without a policy field when the secret
		// has none.
		out, err := c.GetResourcePolicy(ctx, &awssm.GetResourcePolicyInput{SecretId: sdk.String(s.ARN)})
		switch {
		case err != nil:
			s.Policy = core.Unknown[string](env.Unknown(service, region, "GetResourcePolicy", s.ARN, err))
		case out == nil:
			s.Policy = core.Unknown[string]("not reported (secretsmanager:GetResourcePolicy)")
		default:
			s.Policy = core.Known(sdk.ToString(out.ResourcePolicy))
		}
		secrets[i] = s
	})
	sort.Slice(secrets, func(i, j int) bool { return secrets[i].Name < secrets[j].Name })
	r.Secrets = core.Known(secrets)
	return r, nil
}

func convSecret(account, region string, in types.SecretListEntry) smm.Secret {
	out := smm.Secret{
		Meta:            core.Meta{ARN: sdk.ToString(in.ARN), Account: account, Region: region, Tags: tagMap(in.Tags)},
		Name:            sdk.ToString(in.Name),
		KMSKeyID:        sdk.ToString(in.KmsKeyId),
		RotationEnabled: sdk.ToBool(in.RotationEnabled),
		RotationLambda:  sdk.ToString(in.RotationLambdaARN),
		LastRotated:     in.LastRotatedDate,
		LastAccessed:    in.LastAccessedDate,
		LastChanged:     in.LastChangedDate,
		NextRotation:    in.NextRotationDate,
		Created:         in.CreatedDate,
		OwningService:   sdk.ToString(in.OwningService),
		PrimaryRegion:   sdk.ToString(in.PrimaryRegion),
	}
	if rr := in.RotationRules; rr != nil {
		out.RotationDays = int(sdk.ToInt64(rr.AutomaticallyAfterDays))
		out.RotationSchedule = sdk.ToString(rr.ScheduleExpression)
	}
	return out
}

func tagMap(tags []types.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		if t.Key != nil {
			m[*t.Key] = sdk.ToString(t.Value)
		}
	}
	return m
}
