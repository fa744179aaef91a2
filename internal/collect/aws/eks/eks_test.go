package eks

import (
	"context"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awseks "github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
)

func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	c := awseks.NewFromConfig(m.Config("eu-west-1"))
	role := "arn:aws:iam::" + m.Env.AccountID + ":role/eks"
	key := "arn:aws:kms:eu-west-1:" + m.Env.AccountID + ":key/k"
	kittest.Must(c.CreateCluster(ctx, &awseks.CreateClusterInput{Name: sdk.String("prod"), RoleArn: sdk.String(role), Version: sdk.String("1.29"),
		ResourcesVpcConfig: &types.VpcConfigRequest{SubnetIds: []string{"subnet-2", "subnet-1"}, EndpointPublicAccess: sdk.Bool(false),
			EndpointPrivateAccess: sdk.Bool(true)},
		Logging:          &types.Logging{ClusterLogging: []types.LogSetup{{Enabled: sdk.Bool(true), Types: []types.LogType{types.LogTypeAudit, types.LogTypeApi}}}},
		EncryptionConfig: []types.EncryptionConfig{{Resources: []string{"secrets"}, Provider: &types.Provider{KeyArn: sdk.String(key)}}},
		Tags:             map[string]string{"env": "prod"},
	}))
	kittest.Must(c.CreateCluster(ctx, &awseks.CreateClusterInput{Name: sdk.String("dev"), RoleArn: sdk.String(role),
		ResourcesVpcConfig: &types.VpcConfigRequest{SubnetIds: []string{"subnet-1"}, EndpointPublicAccess: sdk.Bool(true),
			PublicAccessCidrs: []string{"0.0.0.0/0"}}}))

	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"eu-west-1"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	kittest.NoErrors(t, m.Env)
	cl := kittest.Known(t, "clusters", snap.EKS[0].Clusters)
	if len(cl) != 2 || cl[0].Name != "dev" || cl[1].Name != "prod" {
		t.Fatalf("clusters = %+v", cl)
	}
	dev, prod := cl[0], cl[1]
	if prod.ARN != "arn:aws:eks:eu-west-1:"+m.Env.AccountID+":cluster/prod" || prod.Tags["env"] != "prod" {
		t.Errorf("prod meta = %+v", prod.Meta)
	}
	d := kittest.Known(t, "prod details", prod.Details)
	if d.Version != "1.29" || d.EndpointPublic || !d.EndpointPrivate || strings.Join(d.EnabledLogTypes, ",") != "api,audit" ||
		!d.SecretsEncrypted() || d.Encryption[0].KeyARN != key || strings.Join(d.SubnetIDs, ",") != "subnet-1,subnet-2" || d.RoleARN != role {
		t.Errorf("prod = %+v", d)
	}
	d = kittest.Known(t, "dev details", dev.Details)
	if !d.EndpointPublic || strings.Join(d.PublicAccessCIDRs, ",") != "0.0.0.0/0" || d.SecretsEncrypted() || len(d.EnabledLogTypes) != 0 {
		t.Errorf("dev = %+v", d)
	}
}
