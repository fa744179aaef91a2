package ecr

import (
	"context"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
)

const repoPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}]}`
const lifecycle = `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}`

func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	c := awsecr.NewFromConfig(m.Config("us-east-2"))
	kittest.Must(c.CreateRepository(ctx, &awsecr.CreateRepositoryInput{RepositoryName: sdk.String("app"),
		ImageTagMutability:         types.ImageTagMutabilityImmutable,
		ImageScanningConfiguration: &types.ImageScanningConfiguration{ScanOnPush: true},
		EncryptionConfiguration:    &types.EncryptionConfiguration{EncryptionType: types.EncryptionTypeKms, KmsKey: sdk.String("arn:aws:kms:us-east-2:" + m.Env.AccountID + ":key/k")}}))
	kittest.Must(c.SetRepositoryPolicy(ctx, &awsecr.SetRepositoryPolicyInput{RepositoryName: sdk.String("app"), PolicyText: sdk.String(repoPolicy)}))
	kittest.Must(c.PutLifecyclePolicy(ctx, &awsecr.PutLifecyclePolicyInput{RepositoryName: sdk.String("app"), LifecyclePolicyText: sdk.String(lifecycle)}))
	kittest.Must(c.CreateRepository(ctx, &awsecr.CreateRepositoryInput{RepositoryName: sdk.String("base")}))

	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"us-east-2"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	kittest.NoErrors(t, m.Env)
	r := snap.ECR[0]
	if sc := kittest.Known(t, "scanning", r.Scanning); sc.ScanType == "" {
		t.Errorf("scanning = %+v", sc)
	}
	repos := kittest.Known(t, "repositories", r.Repositories)
	if len(repos) != 2 || repos[0].Name != "app" || repos[1].Name != "base" {
		t.Fatalf("repos = %+v", repos)
	}
	app, base := repos[0], repos[1]
	if app.ARN != "arn:aws:ecr:us-east-2:"+m.Env.AccountID+":repository/app" || app.Account != m.Env.AccountID || !app.ScanOnPush ||
		app.TagMutability != "IMMUTABLE" || app.EncryptionType != "KMS" || !strings.HasSuffix(app.KMSKey, ":key/k") {
		t.Errorf("app = %+v", app)
	}
	if p := kittest.Known(t, "app policy", app.Policy); !strings.Contains(p, "ecr:BatchGetImage") {
		t.Errorf("app policy = %s", p)
	}
	if l := kittest.Known(t, "app lifecycle", app.LifecyclePolicy); !strings.Contains(l, "untagged") {
		t.Errorf("app lifecycle = %s", l)
	}
	if base.ScanOnPush || base.TagMutability != "MUTABLE" || base.EncryptionType != "AES256" {
		t.Errorf("base = %+v", base)
	}
	if p := kittest.Known(t, "base policy", base.Policy); p != "" {
		t.Errorf("base policy = %q", p)
	}
	if l := kittest.Known(t, "base lifecycle", base.LifecyclePolicy); l != "" {
		t.Errorf("base lifecycle = %q", l)
	}
}
