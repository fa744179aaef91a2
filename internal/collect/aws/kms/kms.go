// Package kms collects AWS KMS keys in every region: DescribeKey metadata,
// automatic rotation status, the key policy and the aliases.
//
// A key whose details cannot be read (a key policy may exclude the scanner)
// is still listed, with the unreadable parts unknown: "could not look" must
// never read as "rotation off" or "no policy".
package kms

import (
	"context"
	"sort"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	kmsm "github.com/demarc-sec/demarc/internal/model/kms"
)

// service is the IAM service prefix used in reasons ("access denied (kms:GetKeyPolicy)").
const service = "kms"

// API is the part of the KMS client the collector uses.
type API interface {
	awskms.ListKeysAPIClient
	awskms.ListAliasesAPIClient
	DescribeKey(context.Context, *awskms.DescribeKeyInput, ...func(*awskms.Options)) (*awskms.DescribeKeyOutput, error)
	GetKeyRotationStatus(context.Context, *awskms.GetKeyRotationStatusInput, ...func(*awskms.Options)) (*awskms.GetKeyRotationStatusOutput, error)
	GetKeyPolicy(context.Context, *awskms.GetKeyPolicyInput, ...func(*awskms.Options)) (*awskms.GetKeyPolicyOutput, error)
}

type collector struct{}

// New returns the KMS collector. It is global to the runner and reads every
// region of the snapshot itself, writing only snap.KMS.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return service }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	prefix := snap.ARNPrefix()
	regions, err := kit.PerRegion(ctx, env, service, snap.Regions, kit.RegionConcurrency,
		func(ctx context.Context, region string) (kmsm.Region, error) {
			return CollectRegion(ctx, env, awskms.NewFromConfig(env.Config(region)), prefix, region)
		})
	snap.KMS = regions
	return err
}

// CollectRegion reads the keys of one region through c. The error is
// non-nil only when the keys could not be listed at all.
func CollectRegion(ctx context.Context, env *aws.Env, c API, arnPrefix, region string) (kmsm.Region, error) {
	r := kmsm.Region{Name: region}
	p := awskms.NewListKeysPaginator(c, &awskms.ListKeysInput{})
	entries, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awskms.ListKeysOutput) []types.KeyListEntry { return o.Keys })
	if err != nil {
		r.Keys = core.Unknown[[]kmsm.Key](env.Unknown(service, region, "ListKeys", "", err))
		return r, err
	}
	aliases := aliasesByKey(ctx, env, c, region)

	keys := make([]kmsm.Key, len(entries))
	kit.Each(ctx, len(entries), kit.ItemConcurrency, func(ctx context.Context, i int) {
		keys[i] = readKey(ctx, env, c, arnPrefix, region, entries[i], aliases)
	})
	sort.Slice(keys, func(i, j int) bool { return keys[i].ID < keys[j].ID })
	r.Keys = core.Known(keys)
	return r, nil
}

// aliasesByKey lists the region's aliases once and returns, per key ID, the
// alias names, or a function answering unknown for every key when the list
// could not be read.
func aliasesByKey(ctx context.Context, env *aws.Env, c API, region string) func(keyID string) core.Val[[]string] {
	p := awskms.NewListAliasesPaginator(c, &awskms.ListAliasesInput{})
	list, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awskms.ListAliasesOutput) []types.AliasListEntry { return o.Aliases })
	if err != nil {
		reason := env.Unknown(service, region, "ListAliases", "", err)
		return func(string) core.Val[[]string] { return core.Unknown[[]string](reason) }
	}
	by := map[string][]string{}
	for _, a := range list {
		// Aliases without a target (predefined AWS aliases whose key does
		// not exist yet) belong to no key.
		if id := sdk.ToString(a.TargetKeyId); id != "" {
			by[id] = append(by[id], sdk.ToString(a.AliasName))
		}
	}
	return func(keyID string) core.Val[[]string] {
		names := append([]string{}, by[keyID]...)
		sort.Strings(names)
		return core.Known(names)
	}
}

// readKey reads one key's metadata, rotation status and policy.
func readKey(ctx context.Context, env *aws.Env, c API, arnPrefix, region string, e types.KeyListEntry,
	aliases func(string) core.Val[[]string]) kmsm.Key {
	id := sdk.ToString(e.KeyId)
	k := kmsm.Key{
		Meta: core.Meta{ARN: sdk.ToString(e.KeyArn), Account: env.AccountID, Region: region},
		ID:   id,
	}
	if k.ARN == "" {
		k.ARN = arnPrefix + ":kms:" + region + ":" + env.AccountID + ":key/" + id
	}
	k.Aliases = aliases(id)
	// KMS accepts the key ARN everywhere; using it keeps calls unambiguous.
	ref := sdk.String(k.ARN)
	unknown := func(op string, err error) string { return env.Unknown(service, region, op, k.ARN, err) }

	d, err := c.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: ref})
	switch {
	case err != nil:
		k.Details = core.Unknown[kmsm.KeyDetails](unknown("DescribeKey", err))
	case d == nil || d.KeyMetadata == nil:
		k.Details = core.Unknown[kmsm.KeyDetails]("not reported (kms:DescribeKey)")
	default:
		k.Details = core.Known(convDetails(d.KeyMetadata))
		if a := sdk.ToString(d.KeyMetadata.AWSAccountId); a != "" {
			k.Account = a
		}
	}

	k.Rotation = readRotation(ctx, c, ref, k.Details, unknown)

	pol, err := c.GetKeyPolicy(ctx, &awskms.GetKeyPolicyInput{KeyId: ref, PolicyName: sdk.String("default")})
	switch {
	case err != nil:
		k.Policy = core.Unknown[string](unknown("GetKeyPolicy", err))
	case pol == nil || pol.Policy == nil:
		// Every KMS key has a key policy; a missing one is not "none".
		k.Policy = core.Unknown[string]("not reported (kms:GetKeyPolicy)")
	default:
		k.Policy = core.Known(*pol.Policy)
	}
	return k
}

// readRotation asks for the rotation status of keys KMS can rotate. Keys it
// cannot rotate (asymmetric, HMAC, imported, custom key store) are answered
// without a call: GetKeyRotationStatus rejects them with
// UnsupportedOperationException
// (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyRotationStatus.html).
func readRotation(ctx context.Context, c API, ref *string, details core.Val[kmsm.KeyDetails],
	unknown func(string, error) string) core.Val[kmsm.Rotation] {
	if d, ok := details.Get(); ok && !d.RotationSupported() {
		return core.Known(kmsm.Rotation{Supported: false})
	}
	out, err := c.GetKeyRotationStatus(ctx, &awskms.GetKeyRotationStatusInput{KeyId: ref})
	switch {
	case kit.IsCode(err, "UnsupportedOperationException"):
		return core.Known(kmsm.Rotation{Supported: false})
	case err != nil:
		return core.Unknown[kmsm.Rotation](unknown("GetKeyRotationStatus", err))
	case out == nil:
		return core.Unknown[kmsm.Rotation]("not reported (kms:GetKeyRotationStatus)")
	}
	return core.Known(kmsm.Rotation{
		Supported:    true,
		Enabled:      out.KeyRotationEnabled,
		PeriodDays:   int(sdk.ToInt32(out.RotationPeriodInDays)),
		NextRotation: out.NextRotationDate,
	})
}

// convDetails converts DescribeKey metadata.
func convDetails(m *types.KeyMetadata) kmsm.KeyDetails {
	spec := string(m.KeySpec)
	if spec == "" {
		// Older answers only carry the deprecated field.
		spec = string(m.CustomerMasterKeySpec)
	}
	origin := string(m.Origin)
	if origin == "" {
		origin = "AWS_KMS" // the API default
	}
	return kmsm.KeyDetails{
		Description:       sdk.ToString(m.Description),
		Manager:           string(m.KeyManager),
		State:             string(m.KeyState),
		Enabled:           m.Enabled,
		Spec:              spec,
		Usage:             string(m.KeyUsage),
		Origin:            origin,
		MultiRegion:       sdk.ToBool(m.MultiRegion),
		CreationDate:      m.CreationDate,
		DeletionDate:      m.DeletionDate,
		PendingWindowDays: int(sdk.ToInt32(m.PendingDeletionWindowInDays)),
	}
}
