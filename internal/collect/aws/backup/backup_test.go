package backup

import (
	"context"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsbackup "github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/backup/types"
	"github.com/aws/smithy-go"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
)

const vaultPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"backup:DeleteRecoveryPoint","Resource":"*"}]}`

func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	c := awsbackup.NewFromConfig(m.Config("eu-west-1"))
	s := sdk.String
	kittest.Must(c.CreateBackupVault(ctx, &awsbackup.CreateBackupVaultInput{BackupVaultName: s("locked")}))
	kittest.Must(c.PutBackupVaultLockConfiguration(ctx, &awsbackup.PutBackupVaultLockConfigurationInput{BackupVaultName: s("locked"),
		MinRetentionDays: sdk.Int64(7), MaxRetentionDays: sdk.Int64(365)}))
	kittest.Must(c.CreateBackupVault(ctx, &awsbackup.CreateBackupVaultInput{BackupVaultName: s("open")}))
	plan := kittest.Must(c.CreateBackupPlan(ctx, &awsbackup.CreateBackupPlanInput{BackupPlan: &types.BackupPlanInput{
		BackupPlanName: s("daily"),
		Rules: []types.BackupRuleInput{{RuleName: s("daily"), TargetBackupVaultName: s("locked"), ScheduleExpression: s("cron(0 5 * * ? *)"),
			Lifecycle:   &types.Lifecycle{DeleteAfterDays: sdk.Int64(35)},
			CopyActions: []types.CopyAction{{DestinationBackupVaultArn: s("arn:aws:backup:eu-central-1:111122223333:backup-vault:dr")}}}},
	}}))

	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"eu-west-1"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	// moto 5.2 has no vault access policies or ListProtectedResources
	// (404, "not supported") and fails ListBackupSelections (500, "service
	// error"): those stay unknown and the scan goes on.
	// TestPolicyAndSelections covers them with a fake.
	motoGaps := map[string]string{"GetBackupVaultAccessPolicy": "not supported", "ListBackupSelections": "service error",
		"ListProtectedResources": "not supported", "ListRecoveryPointsByBackupVault": "not supported"}
	for _, e := range m.Env.Errors() {
		if motoGaps[e.Operation] != e.Reason {
			t.Errorf("collect error: %+v", e)
		}
	}
	r := snap.Backup[0]
	if !r.ProtectedResources.Ok && !strings.HasPrefix(r.ProtectedResources.Why(), "not supported (backup:ListProtectedResources)") {
		t.Errorf("protected resources = %+v", r.ProtectedResources)
	}
	vaults := kittest.Known(t, "vaults", r.Vaults)
	if len(vaults) != 2 || vaults[0].Name != "locked" || vaults[1].Name != "open" {
		t.Fatalf("vaults = %+v", vaults)
	}
	locked, open := vaults[0], vaults[1]
	if !locked.Locked || locked.MinRetentionDays != 7 || locked.MaxRetentionDays != 365 ||
		locked.ARN != "arn:aws:backup:eu-west-1:"+m.Env.AccountID+":backup-vault:locked" {
		t.Errorf("locked = %+v", locked)
	}
	if open.Locked || open.Policy.Ok && open.Policy.V != "" {
		t.Errorf("open = %+v", open)
	}
	// moto 5.2 has no ListRecoveryPointsByBackupVault: unknown, never an
	// empty vault. TestRecoveryPoints covers the listing with a fake.
	if rp := locked.RecoveryPointList; !rp.Ok && !strings.HasPrefix(rp.Why(), "not supported (backup:ListRecoveryPointsByBackupVault)") {
		t.Errorf("locked recovery points = %+v", rp)
	}
	plans := kittest.Known(t, "plans", r.Plans)
	if len(plans) != 1 || plans[0].Name != "daily" || plans[0].ID != *plan.BackupPlanId || plans[0].ARN != *plan.BackupPlanArn {
		t.Fatalf("plans = %+v", plans)
	}
	rules := kittest.Known(t, "rules", plans[0].Rules)
	if len(rules) != 1 || rules[0].TargetVault != "locked" || rules[0].Lifecycle == nil || rules[0].Lifecycle.DeleteAfterDays != 35 ||
		len(rules[0].CopyActions) != 1 || !strings.HasSuffix(rules[0].CopyActions[0].DestinationVaultARN, ":dr") {
		t.Errorf("rules = %+v", rules)
	}
}

// fake serves one vault without a policy, one with, and one plan with a
// selection (what moto cannot).
type fake struct{ API }

func (fake) ListBackupVaults(context.Context, *awsbackup.ListBackupVaultsInput, ...func(*awsbackup.Options)) (*awsbackup.ListBackupVaultsOutput, error) {
	return &awsbackup.ListBackupVaultsOutput{BackupVaultList: []types.BackupVaultListMember{
		{BackupVaultName: sdk.String("a")}, {BackupVaultName: sdk.String("b")}}}, nil
}

func (fake) GetBackupVaultAccessPolicy(_ context.Context, in *awsbackup.GetBackupVaultAccessPolicyInput, _ ...func(*awsbackup.Options)) (*awsbackup.GetBackupVaultAccessPolicyOutput, error) {
	if *in.BackupVaultName == "a" {
		return nil, &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "Backup vault a has no policy"}
	}
	return &awsbackup.GetBackupVaultAccessPolicyOutput{Policy: sdk.String(vaultPolicy)}, nil
}

func (fake) ListBackupPlans(context.Context, *awsbackup.ListBackupPlansInput, ...func(*awsbackup.Options)) (*awsbackup.ListBackupPlansOutput, error) {
	return &awsbackup.ListBackupPlansOutput{BackupPlansList: []types.BackupPlansListMember{{BackupPlanId: sdk.String("p1"), BackupPlanName: sdk.String("p")}}}, nil
}

func (fake) GetBackupPlan(context.Context, *awsbackup.GetBackupPlanInput, ...func(*awsbackup.Options)) (*awsbackup.GetBackupPlanOutput, error) {
	return &awsbackup.GetBackupPlanOutput{BackupPlan: &types.BackupPlan{Rules: []types.BackupRule{{RuleName: sdk.String("r")}}}}, nil
}

func (fake) ListBackupSelections(context.Context, *awsbackup.ListBackupSelectionsInput, ...func(*awsbackup.Options)) (*awsbackup.ListBackupSelectionsOutput, error) {
	return &awsbackup.ListBackupSelectionsOutput{BackupSelectionsList: []types.BackupSelectionsListMember{{SelectionId: sdk.String("s1")}}}, nil
}

func (fake) GetBackupSelection(context.Context, *awsbackup.GetBackupSelectionInput, ...func(*awsbackup.Options)) (*awsbackup.GetBackupSelectionOutput, error) {
	return &awsbackup.GetBackupSelectionOutput{BackupSelection: &types.BackupSelection{SelectionName: sdk.String("tagged"),
		Resources: []string{"*"}, NotResources: []string{"arn:aws:s3:::scratch"},
		Conditions: &types.Conditions{StringEquals: []types.ConditionParameter{{ConditionKey: sdk.String("aws:ResourceTag/backup"), ConditionValue: sdk.String("yes")}}}}}, nil
}

func (fake) ListProtectedResources(context.Context, *awsbackup.ListProtectedResourcesInput, ...func(*awsbackup.Options)) (*awsbackup.ListProtectedResourcesOutput, error) {
	return &awsbackup.ListProtectedResourcesOutput{Results: []types.ProtectedResource{{ResourceArn: sdk.String("arn:aws:dynamodb:eu-west-1:111122223333:table/t"), ResourceType: sdk.String("DynamoDB")}}}, nil
}

func (fake) ListRecoveryPointsByBackupVault(_ context.Context, in *awsbackup.ListRecoveryPointsByBackupVaultInput, _ ...func(*awsbackup.Options)) (*awsbackup.ListRecoveryPointsByBackupVaultOutput, error) {
	arn := func(id string) *string { return sdk.String("arn:aws:ec2:eu-west-1::snapshot/" + id) }
	if in.NextToken == nil {
		return &awsbackup.ListRecoveryPointsByBackupVaultOutput{NextToken: sdk.String("2"), RecoveryPoints: []types.RecoveryPointByBackupVault{
			{RecoveryPointArn: arn("snap-2"), ResourceType: sdk.String("EBS"), Status: types.RecoveryPointStatusCompleted,
				IsEncrypted: true, EncryptionKeyArn: sdk.String("arn:aws:kms:eu-west-1:111122223333:key/k")},
		}}, nil
	}
	return &awsbackup.ListRecoveryPointsByBackupVaultOutput{RecoveryPoints: []types.RecoveryPointByBackupVault{
		{RecoveryPointArn: arn("snap-1"), ResourceArn: sdk.String("arn:aws:ec2:eu-west-1:111122223333:volume/vol-1"),
			ResourceType: sdk.String("EBS"), Status: types.RecoveryPointStatusCompleted},
	}}, nil
}

// denyVaultB is a role that may not list vault b's recovery points.
type denyVaultB struct{ fake }

func (d denyVaultB) ListRecoveryPointsByBackupVault(ctx context.Context, in *awsbackup.ListRecoveryPointsByBackupVaultInput, o ...func(*awsbackup.Options)) (*awsbackup.ListRecoveryPointsByBackupVaultOutput, error) {
	if *in.BackupVaultName == "b" {
		return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}
	}
	return d.fake.ListRecoveryPointsByBackupVault(ctx, in, o...)
}

// TestRecoveryPoints: every page is read and sorted; a vault whose points
// cannot be listed is unknown on its own.
func TestRecoveryPoints(t *testing.T) {
	env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
	r, err := CollectRegion(context.Background(), env, denyVaultB{}, "arn:aws", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	vaults := kittest.Known(t, "vaults", r.Vaults)
	rps := kittest.Known(t, "a recovery points", vaults[0].RecoveryPointList)
	if len(rps) != 2 || rps[0].ARN != "arn:aws:ec2:eu-west-1::snapshot/snap-1" || rps[0].Encrypted || rps[0].Status != "COMPLETED" ||
		rps[0].ResourceARN != "arn:aws:ec2:eu-west-1:111122223333:volume/vol-1" || rps[0].Region != "eu-west-1" ||
		!rps[1].Encrypted || rps[1].EncryptionKeyARN == "" {
		t.Errorf("a recovery points = %+v", rps)
	}
	if b := vaults[1].RecoveryPointList; b.Ok || !strings.HasPrefix(b.Why(), "access denied (backup:ListRecoveryPointsByBackupVault)") {
		t.Errorf("b recovery points = %+v", b)
	}
}

func TestPolicyAndSelections(t *testing.T) {
	env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
	r, err := CollectRegion(context.Background(), env, fake{}, "arn:aws", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	kittest.NoErrors(t, env)
	vaults := kittest.Known(t, "vaults", r.Vaults)
	if p := kittest.Known(t, "a policy", vaults[0].Policy); p != "" || vaults[0].ARN != "arn:aws:backup:eu-west-1:111122223333:backup-vault:a" {
		t.Errorf("vault a = %+v", vaults[0])
	}
	if p := kittest.Known(t, "b policy", vaults[1].Policy); p != vaultPolicy {
		t.Errorf("vault b policy = %s", p)
	}
	sels := kittest.Known(t, "selections", kittest.Known(t, "plans", r.Plans)[0].Selections)
	if len(sels) != 1 || sels[0].Name != "tagged" || sels[0].Resources[0] != "*" || len(sels[0].NotResources) != 1 ||
		len(sels[0].Conditions) != 1 || sels[0].Conditions[0].Operator != "StringEquals" {
		t.Errorf("selections = %+v", sels)
	}
	if prs := kittest.Known(t, "protected", r.ProtectedResources); len(prs) != 1 || prs[0].Type != "DynamoDB" {
		t.Errorf("protected = %+v", prs)
	}
}
