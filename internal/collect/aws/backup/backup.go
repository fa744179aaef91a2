// Package backup collects AWS Backup in every region: vaults (encryption
// key, Vault Lock, access policy, recovery points), backup plans with their
// rules and resource selections, and the protected resources.
package backup

import (
	"context"
	"sort"
	"strconv"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsbackup "github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/backup/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	backupm "github.com/demarc-sec/demarc/internal/model/backup"
	"github.com/demarc-sec/demarc/internal/model/core"
)

const service = "backup"

// API is the part of the Backup client the collector uses.
type API interface {
	awsbackup.ListBackupVaultsAPIClient
	awsbackup.ListBackupPlansAPIClient
	awsbackup.ListBackupSelectionsAPIClient
	awsbackup.ListProtectedResourcesAPIClient
	awsbackup.ListRecoveryPointsByBackupVaultAPIClient
	GetBackupVaultAccessPolicy(context.Context, *awsbackup.GetBackupVaultAccessPolicyInput, ...func(*awsbackup.Options)) (*awsbackup.GetBackupVaultAccessPolicyOutput, error)
	GetBackupPlan(context.Context, *awsbackup.GetBackupPlanInput, ...func(*awsbackup.Options)) (*awsbackup.GetBackupPlanOutput, error)
	GetBackupSelection(context.Context, *awsbackup.GetBackupSelectionInput, ...func(*awsbackup.Options)) (*awsbackup.GetBackupSelectionOutput, error)
}

type collector struct{}

// New returns the AWS Backup collector. It is global to the runner and
// reads every region of the snapshot itself, writing only snap.Backup.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return service }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	prefix := snap.ARNPrefix()
	regions, err := kit.PerRegion(ctx, env, service, snap.Regions, kit.RegionConcurrency,
		func(ctx context.Context, region string) (backupm.Region, error) {
			return CollectRegion(ctx, env, awsbackup.NewFromConfig(env.Config(region)), prefix, region)
		})
	snap.Backup = regions
	return err
}

// CollectRegion reads one region. The error is non-nil only when neither
// vaults nor plans could be listed.
func CollectRegion(ctx context.Context, env *aws.Env, c API, arnPrefix, region string) (backupm.Region, error) {
	r := backupm.Region{Name: region}
	s := scope{env: env, c: c, arnPrefix: arnPrefix, region: region}
	verr := s.vaults(ctx, &r)
	perr := s.plans(ctx, &r)

	pp := awsbackup.NewListProtectedResourcesPaginator(c, &awsbackup.ListProtectedResourcesInput{})
	prs, err := kit.All(ctx, pp.HasMorePages, pp.NextPage, func(o *awsbackup.ListProtectedResourcesOutput) []types.ProtectedResource { return o.Results })
	if err != nil {
		r.ProtectedResources = core.Unknown[[]backupm.ProtectedResource](env.Unknown(service, region, "ListProtectedResources", "", err))
	} else {
		out := make([]backupm.ProtectedResource, 0, len(prs))
		for _, p := range prs {
			out = append(out, backupm.ProtectedResource{ARN: sdk.ToString(p.ResourceArn), Type: sdk.ToString(p.ResourceType), LastBackupTime: p.LastBackupTime})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
		r.ProtectedResources = core.Known(out)
	}
	if verr != nil && perr != nil {
		return r, verr
	}
	return r, nil
}

type scope struct {
	env       *aws.Env
	c         API
	arnPrefix string
	region    string
}

func (s scope) unknown(op, resource string, err error) string {
	return s.env.Unknown(service, s.region, op, resource, err)
}

func (s scope) vaults(ctx context.Context, r *backupm.Region) error {
	p := awsbackup.NewListBackupVaultsPaginator(s.c, &awsbackup.ListBackupVaultsInput{})
	list, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsbackup.ListBackupVaultsOutput) []types.BackupVaultListMember { return o.BackupVaultList })
	if err != nil {
		r.Vaults = core.Unknown[[]backupm.Vault](s.unknown("ListBackupVaults", "", err))
		return err
	}
	out := make([]backupm.Vault, len(list))
	kit.Each(ctx, len(list), kit.ItemConcurrency, func(ctx context.Context, i int) {
		v := list[i]
		name := sdk.ToString(v.BackupVaultName)
		vault := backupm.Vault{
			Meta:             s.meta(sdk.ToString(v.BackupVaultArn), "backup-vault:"+name),
			Name:             name,
			Type:             string(v.VaultType),
			EncryptionKeyARN: sdk.ToString(v.EncryptionKeyArn),
			Locked:           sdk.ToBool(v.Locked),
			MinRetentionDays: int(sdk.ToInt64(v.MinRetentionDays)),
			MaxRetentionDays: int(sdk.ToInt64(v.MaxRetentionDays)),
			LockDate:         v.LockDate,
			RecoveryPoints:   v.NumberOfRecoveryPoints,
			CreationDate:     v.CreationDate,
		}
		pol, err := s.c.GetBackupVaultAccessPolicy(ctx, &awsbackup.GetBackupVaultAccessPolicyInput{BackupVaultName: sdk.String(name)})
		switch {
		case kit.IsCode(err, "ResourceNotFoundException"):
			// The vault was just listed: not found means no access policy
			// (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_GetBackupVaultAccessPolicy.html).
			vault.Policy = core.Known("")
		case err != nil:
			vault.Policy = core.Unknown[string](s.unknown("GetBackupVaultAccessPolicy", vault.ARN, err))
		case pol == nil:
			vault.Policy = core.Unknown[string]("not reported (backup:GetBackupVaultAccessPolicy)")
		default:
			vault.Policy = core.Known(sdk.ToString(pol.Policy))
		}
		vault.RecoveryPointList = s.recoveryPoints(ctx, name, vault.ARN)
		out[i] = vault
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	r.Vaults = core.Known(out)
	return nil
}

// recoveryPoints lists a vault's recovery points, sorted by ARN. A failure
// on any page makes the whole list unknown: a partial list would hide the
// points not read.
func (s scope) recoveryPoints(ctx context.Context, vault, vaultARN string) core.Val[[]backupm.RecoveryPoint] {
	p := awsbackup.NewListRecoveryPointsByBackupVaultPaginator(s.c, &awsbackup.ListRecoveryPointsByBackupVaultInput{BackupVaultName: sdk.String(vault)})
	list, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsbackup.ListRecoveryPointsByBackupVaultOutput) []types.RecoveryPointByBackupVault {
		return o.RecoveryPoints
	})
	if err != nil {
		return core.Unknown[[]backupm.RecoveryPoint](s.unknown("ListRecoveryPointsByBackupVault", vaultARN, err))
	}
	out := make([]backupm.RecoveryPoint, 0, len(list))
	for i, rp := range list {
		// Backup always reports the ARN; the fallback only keeps results
		// apart should an emulator not.
		m := s.meta(sdk.ToString(rp.RecoveryPointArn), "recovery-point:"+vault+"/"+strconv.Itoa(i))
		out = append(out, backupm.RecoveryPoint{
			Meta:             m,
			ResourceARN:      sdk.ToString(rp.ResourceArn),
			ResourceType:     sdk.ToString(rp.ResourceType),
			Status:           string(rp.Status),
			Encrypted:        rp.IsEncrypted,
			EncryptionKeyARN: sdk.ToString(rp.EncryptionKeyArn),
			CreationDate:     rp.CreationDate,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return core.Known(out)
}

func (s scope) meta(arn, resource string) core.Meta {
	if arn == "" {
		arn = s.arnPrefix + ":backup:" + s.region + ":" + s.env.AccountID + ":" + resource
	}
	return core.Meta{ARN: arn, Account: s.env.AccountID, Region: s.region}
}

func (s scope) plans(ctx context.Context, r *backupm.Region) error {
	p := awsbackup.NewListBackupPlansPaginator(s.c, &awsbackup.ListBackupPlansInput{})
	list, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsbackup.ListBackupPlansOutput) []types.BackupPlansListMember { return o.BackupPlansList })
	if err != nil {
		r.Plans = core.Unknown[[]backupm.Plan](s.unknown("ListBackupPlans", "", err))
		return err
	}
	out := make([]backupm.Plan, len(list))
	kit.Each(ctx, len(list), kit.ItemConcurrency, func(ctx context.Context, i int) {
		m := list[i]
		id := sdk.ToString(m.BackupPlanId)
		plan := backupm.Plan{
			Meta:      s.meta(sdk.ToString(m.BackupPlanArn), "backup-plan:"+id),
			ID:        id,
			Name:      sdk.ToString(m.BackupPlanName),
			VersionID: sdk.ToString(m.VersionId),
		}
		got, err := s.c.GetBackupPlan(ctx, &awsbackup.GetBackupPlanInput{BackupPlanId: sdk.String(id)})
		switch {
		case err != nil:
			plan.Rules = core.Unknown[[]backupm.Rule](s.unknown("GetBackupPlan", plan.ARN, err))
		case got == nil || got.BackupPlan == nil:
			plan.Rules = core.Unknown[[]backupm.Rule]("not reported (backup:GetBackupPlan)")
		default:
			plan.Rules = core.Known(convRules(got.BackupPlan.Rules))
		}
		plan.Selections = s.selections(ctx, id, plan.ARN)
		out[i] = plan
	})
	sort.Slice(out, func(i, j int) bool {
		return out[i].Name < out[j].Name || out[i].Name == out[j].Name && out[i].ID < out[j].ID
	})
	r.Plans = core.Known(out)
	return nil
}

func (s scope) selections(ctx context.Context, planID, planARN string) core.Val[[]backupm.Selection] {
	p := awsbackup.NewListBackupSelectionsPaginator(s.c, &awsbackup.ListBackupSelectionsInput{BackupPlanId: sdk.String(planID)})
	list, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsbackup.ListBackupSelectionsOutput) []types.BackupSelectionsListMember {
		return o.BackupSelectionsList
	})
	if err != nil {
		return core.Unknown[[]backupm.Selection](s.unknown("ListBackupSelections", planARN, err))
	}
	out := make([]backupm.Selection, 0, len(list))
	for _, m := range list {
		sel := backupm.Selection{ID: sdk.ToString(m.SelectionId), Name: sdk.ToString(m.SelectionName), IAMRole: sdk.ToString(m.IamRoleArn)}
		got, err := s.c.GetBackupSelection(ctx, &awsbackup.GetBackupSelectionInput{BackupPlanId: sdk.String(planID), SelectionId: m.SelectionId})
		if err != nil {
			// Without the resources a selection says nothing about
			// coverage: the whole list is unknown.
			return core.Unknown[[]backupm.Selection](s.unknown("GetBackupSelection", planARN, err))
		}
		if got == nil || got.BackupSelection == nil {
			return core.Unknown[[]backupm.Selection]("not reported (backup:GetBackupSelection)")
		}
		convSelection(&sel, got.BackupSelection)
		out = append(out, sel)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return core.Known(out)
}

func convLifecycle(l *types.Lifecycle) *backupm.Lifecycle {
	if l == nil {
		return nil
	}
	return &backupm.Lifecycle{
		DeleteAfterDays:            int(sdk.ToInt64(l.DeleteAfterDays)),
		MoveToColdStorageAfterDays: int(sdk.ToInt64(l.MoveToColdStorageAfterDays)),
	}
}

func convRules(in []types.BackupRule) []backupm.Rule {
	out := make([]backupm.Rule, 0, len(in))
	for _, r := range in {
		rule := backupm.Rule{
			Name:                    sdk.ToString(r.RuleName),
			TargetVault:             sdk.ToString(r.TargetBackupVaultName),
			Schedule:                sdk.ToString(r.ScheduleExpression),
			StartWindowMinutes:      int(sdk.ToInt64(r.StartWindowMinutes)),
			CompletionWindowMinutes: int(sdk.ToInt64(r.CompletionWindowMinutes)),
			ContinuousBackup:        sdk.ToBool(r.EnableContinuousBackup),
			Lifecycle:               convLifecycle(r.Lifecycle),
		}
		for _, c := range r.CopyActions {
			rule.CopyActions = append(rule.CopyActions, backupm.CopyAction{
				DestinationVaultARN: sdk.ToString(c.DestinationBackupVaultArn), Lifecycle: convLifecycle(c.Lifecycle)})
		}
		out = append(out, rule)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func convSelection(sel *backupm.Selection, in *types.BackupSelection) {
	if n := sdk.ToString(in.SelectionName); n != "" {
		sel.Name = n
	}
	if r := sdk.ToString(in.IamRoleArn); r != "" {
		sel.IAMRole = r
	}
	sel.Resources = append([]string(nil), in.Resources...)
	sel.NotResources = append([]string(nil), in.NotResources...)
	sort.Strings(sel.Resources)
	sort.Strings(sel.NotResources)
	for _, t := range in.ListOfTags {
		sel.Tags = append(sel.Tags, backupm.Condition{Operator: string(t.ConditionType), Key: sdk.ToString(t.ConditionKey), Value: sdk.ToString(t.ConditionValue)})
	}
	if c := in.Conditions; c != nil {
		add := func(op string, ps []types.ConditionParameter) {
			for _, p := range ps {
				sel.Conditions = append(sel.Conditions, backupm.Condition{Operator: op, Key: sdk.ToString(p.ConditionKey), Value: sdk.ToString(p.ConditionValue)})
			}
		}
		add("StringEquals", c.StringEquals)
		add("StringNotEquals", c.StringNotEquals)
		add("StringLike", c.StringLike)
		add("StringNotLike", c.StringNotLike)
	}
}
