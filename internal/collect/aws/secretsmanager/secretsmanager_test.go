package secretsmanager

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awssm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
)

const secretPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`

func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	c := awssm.NewFromConfig(m.Config("eu-west-1"))
	db := kittest.Must(c.CreateSecret(ctx, &awssm.CreateSecretInput{Name: sdk.String("db"), SecretString: sdk.String("TOP-SECRET-VALUE"),
		KmsKeyId: sdk.String("alias/app"), Tags: []types.Tag{{Key: sdk.String("team"), Value: sdk.String("data")}}}))
	kittest.Must(c.PutResourcePolicy(ctx, &awssm.PutResourcePolicyInput{SecretId: db.ARN, ResourcePolicy: sdk.String(secretPolicy)}))
	// moto checks that a rotation Lambda exists; rotation rules alone are
	// enough for it to mark rotation enabled.
	kittest.Must(c.RotateSecret(ctx, &awssm.RotateSecretInput{SecretId: db.ARN,
		RotationRules: &types.RotationRulesType{AutomaticallyAfterDays: sdk.Int64(30)}, RotateImmediately: sdk.Bool(false)}))
	kittest.Must(c.CreateSecret(ctx, &awssm.CreateSecretInput{Name: sdk.String("api"), SecretString: sdk.String("x")}))

	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"eu-west-1"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	kittest.NoErrors(t, m.Env)
	if b, err := json.Marshal(snap); err != nil || strings.Contains(string(b), "TOP-SECRET-VALUE") {
		t.Fatalf("snapshot holds a secret value (or does not marshal: %v)", err)
	}
	secrets := kittest.Known(t, "secrets", snap.SecretsManager[0].Secrets)
	if len(secrets) != 2 || secrets[0].Name != "api" || secrets[1].Name != "db" {
		t.Fatalf("secrets = %+v", secrets)
	}
	api, dbs := secrets[0], secrets[1]
	if dbs.ARN != *db.ARN || dbs.Tags["team"] != "data" || dbs.KMSKeyID != "alias/app" || !dbs.RotationEnabled || dbs.RotationDays != 30 {
		t.Errorf("db = %+v", dbs)
	}
	if p := kittest.Known(t, "db policy", dbs.Policy); !strings.Contains(p, "secretsmanager:GetSecretValue") {
		t.Errorf("db policy = %s", p)
	}
	if api.RotationEnabled || api.KMSKeyID != "" {
		t.Errorf("api = %+v", api)
	}
	if p := kittest.Known(t, "api policy", api.Policy); p != "" {
		t.Errorf("api policy = %q", p)
	}
}
