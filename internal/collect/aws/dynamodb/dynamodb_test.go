package dynamodb

import (
	"context"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
	ddbm "github.com/demarc-sec/demarc/internal/model/dynamodb"
)

func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	c := awsddb.NewFromConfig(m.Config("us-west-2"))
	key := kittest.Must(awskms.NewFromConfig(m.Config("us-west-2")).CreateKey(ctx, &awskms.CreateKeyInput{}))
	table := func(name string, in awsddb.CreateTableInput) {
		in.TableName = sdk.String(name)
		in.AttributeDefinitions = []types.AttributeDefinition{{AttributeName: sdk.String("pk"), AttributeType: types.ScalarAttributeTypeS}}
		in.KeySchema = []types.KeySchemaElement{{AttributeName: sdk.String("pk"), KeyType: types.KeyTypeHash}}
		in.BillingMode = types.BillingModePayPerRequest
		kittest.Must(c.CreateTable(ctx, &in))
	}
	table("orders", awsddb.CreateTableInput{DeletionProtectionEnabled: sdk.Bool(true),
		SSESpecification: &types.SSESpecification{Enabled: sdk.Bool(true), SSEType: types.SSETypeKms, KMSMasterKeyId: key.KeyMetadata.Arn}})
	kittest.Must(c.UpdateContinuousBackups(ctx, &awsddb.UpdateContinuousBackupsInput{TableName: sdk.String("orders"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: sdk.Bool(true)}}))
	table("cache", awsddb.CreateTableInput{})

	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"us-west-2"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	kittest.NoErrors(t, m.Env)
	tables := kittest.Known(t, "tables", snap.DynamoDB[0].Tables)
	if len(tables) != 2 || tables[0].Name != "cache" || tables[1].Name != "orders" {
		t.Fatalf("tables = %+v", tables)
	}
	cache, orders := tables[0], tables[1]
	if orders.ARN != "arn:aws:dynamodb:us-west-2:"+m.Env.AccountID+":table/orders" || orders.Region != "us-west-2" {
		t.Errorf("meta = %+v", orders.Meta)
	}
	d := kittest.Known(t, "orders details", orders.Details)
	if d.Encryption != ddbm.EncryptionKMS || d.KMSKeyARN != *key.KeyMetadata.Arn || !d.DeletionProtection || d.BillingMode != "PAY_PER_REQUEST" {
		t.Errorf("orders = %+v", d)
	}
	if !kittest.Known(t, "orders pitr", orders.PITR) {
		t.Error("orders PITR off")
	}
	d = kittest.Known(t, "cache details", cache.Details)
	if d.Encryption != ddbm.EncryptionAWSOwned || d.DeletionProtection {
		t.Errorf("cache = %+v", d)
	}
	if kittest.Known(t, "cache pitr", cache.PITR) {
		t.Error("cache PITR on")
	}
}

func TestConvDetailsDisabledSSE(t *testing.T) {
	d := convDetails(&types.TableDescription{SSEDescription: &types.SSEDescription{SSEType: types.SSETypeKms, Status: types.SSEStatusDisabled}})
	if d.Encryption != ddbm.EncryptionAWSOwned || d.EncryptionStatus != "DISABLED" {
		t.Errorf("details = %+v", d)
	}
}
