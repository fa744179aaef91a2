package kms

import (
	"context"
	"strings"
	"sync"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
	kmsm "github.com/demarc-sec/demarc/internal/model/kms"
)

const keyPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"root","Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}`

func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	c := awskms.NewFromConfig(m.Config("eu-west-1"))

	rotating := kittest.Must(c.CreateKey(ctx, &awskms.CreateKeyInput{Description: sdk.String("rotating"), Policy: sdk.String(keyPolicy)}))
	rid := rotating.KeyMetadata.KeyId
	kittest.Must(c.EnableKeyRotation(ctx, &awskms.EnableKeyRotationInput{KeyId: rid, RotationPeriodInDays: sdk.Int32(180)}))
	kittest.Must(c.CreateAlias(ctx, &awskms.CreateAliasInput{AliasName: sdk.String("alias/b-app"), TargetKeyId: rid}))
	kittest.Must(c.CreateAlias(ctx, &awskms.CreateAliasInput{AliasName: sdk.String("alias/a-app"), TargetKeyId: rid}))
	plain := kittest.Must(c.CreateKey(ctx, &awskms.CreateKeyInput{Description: sdk.String("plain")}))
	rsa := kittest.Must(c.CreateKey(ctx, &awskms.CreateKeyInput{KeySpec: types.KeySpecRsa2048, KeyUsage: types.KeyUsageTypeSignVerify}))
	doomed := kittest.Must(c.CreateKey(ctx, &awskms.CreateKeyInput{}))
	kittest.Must(c.ScheduleKeyDeletion(ctx, &awskms.ScheduleKeyDeletionInput{KeyId: doomed.KeyMetadata.KeyId, PendingWindowInDays: sdk.Int32(7)}))

	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"eu-west-1", "us-east-1"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	kittest.NoErrors(t, m.Env)
	if len(snap.KMS) != 2 || snap.KMS[0].Name != "eu-west-1" || snap.KMS[1].Name != "us-east-1" {
		t.Fatalf("regions = %+v", snap.KMS)
	}
	if keys := kittest.Known(t, "us-east-1 keys", snap.KMS[1].Keys); len(keys) != 0 {
		t.Errorf("us-east-1 keys = %+v, want none", keys)
	}
	keys := kittest.Known(t, "eu-west-1 keys", snap.KMS[0].Keys)
	byID := map[string]kmsm.Key{}
	for _, k := range keys {
		byID[k.ID] = k
	}
	if len(byID) != 4 {
		t.Fatalf("keys = %+v", keys)
	}

	k := byID[*rid]
	if k.ARN != *rotating.KeyMetadata.Arn || k.Account != m.Env.AccountID || k.Region != "eu-west-1" {
		t.Errorf("meta = %+v", k.Meta)
	}
	d := kittest.Known(t, "details", k.Details)
	if !d.CustomerManaged() || d.State != "Enabled" || !d.Enabled || d.Spec != "SYMMETRIC_DEFAULT" ||
		d.Origin != "AWS_KMS" || d.Description != "rotating" || !d.RotationSupported() {
		t.Errorf("details = %+v", d)
	}
	// moto does not report the rotation period (AWS does: RotationPeriodInDays).
	if rot := kittest.Known(t, "rotation", k.Rotation); !rot.Supported || !rot.Enabled {
		t.Errorf("rotation = %+v", rot)
	}
	if al := kittest.Known(t, "aliases", k.Aliases); strings.Join(al, ",") != "alias/a-app,alias/b-app" {
		t.Errorf("aliases = %v", al)
	}
	if p := kittest.Known(t, "policy", k.Policy); p != keyPolicy {
		t.Errorf("policy = %s", p)
	}

	k = byID[*plain.KeyMetadata.KeyId]
	if rot := kittest.Known(t, "plain rotation", k.Rotation); !rot.Supported || rot.Enabled {
		t.Errorf("plain rotation = %+v", rot)
	}
	if al := kittest.Known(t, "plain aliases", k.Aliases); len(al) != 0 {
		t.Errorf("plain aliases = %v", al)
	}
	if p := kittest.Known(t, "plain policy", k.Policy); !strings.Contains(p, "kms:*") {
		t.Errorf("default policy = %s", p)
	}

	k = byID[*rsa.KeyMetadata.KeyId]
	if d := kittest.Known(t, "rsa details", k.Details); d.Spec != "RSA_2048" || d.Usage != "SIGN_VERIFY" || d.RotationSupported() {
		t.Errorf("rsa details = %+v", d)
	}
	if rot := kittest.Known(t, "rsa rotation", k.Rotation); rot.Supported || rot.Enabled {
		t.Errorf("rsa rotation = %+v", rot)
	}

	k = byID[*doomed.KeyMetadata.KeyId]
	if d := kittest.Known(t, "doomed details", k.Details); d.State != "PendingDeletion" || d.DeletionDate == nil {
		t.Errorf("doomed details = %+v", d)
	}
}

// fake answers from canned outputs; a nil output with a nil error means
// "use the error".
type fake struct {
	pages     []*awskms.ListKeysOutput
	aliasErr  error
	descErr   error
	rotErr    error
	policyErr error
	mu        sync.Mutex // the collector calls the fake concurrently
	calls     map[string]int
}

func (f *fake) ListKeys(_ context.Context, in *awskms.ListKeysInput, _ ...func(*awskms.Options)) (*awskms.ListKeysOutput, error) {
	f.mu.Lock()
	f.calls["ListKeys"]++
	f.mu.Unlock()
	i := 0
	if in.Marker != nil {
		i = int((*in.Marker)[0] - '0')
	}
	return f.pages[i], nil
}

func (f *fake) ListAliases(context.Context, *awskms.ListAliasesInput, ...func(*awskms.Options)) (*awskms.ListAliasesOutput, error) {
	if f.aliasErr != nil {
		return nil, f.aliasErr
	}
	return &awskms.ListAliasesOutput{}, nil
}

func (f *fake) DescribeKey(_ context.Context, in *awskms.DescribeKeyInput, _ ...func(*awskms.Options)) (*awskms.DescribeKeyOutput, error) {
	if f.descErr != nil {
		return nil, f.descErr
	}
	return &awskms.DescribeKeyOutput{KeyMetadata: &types.KeyMetadata{KeyId: in.KeyId, KeyManager: types.KeyManagerTypeCustomer,
		KeySpec: types.KeySpecSymmetricDefault, Origin: types.OriginTypeAwsKms}}, nil
}

func (f *fake) GetKeyRotationStatus(context.Context, *awskms.GetKeyRotationStatusInput, ...func(*awskms.Options)) (*awskms.GetKeyRotationStatusOutput, error) {
	f.mu.Lock()
	f.calls["GetKeyRotationStatus"]++
	f.mu.Unlock()
	if f.rotErr != nil {
		return nil, f.rotErr
	}
	return &awskms.GetKeyRotationStatusOutput{KeyRotationEnabled: true}, nil
}

func (f *fake) GetKeyPolicy(context.Context, *awskms.GetKeyPolicyInput, ...func(*awskms.Options)) (*awskms.GetKeyPolicyOutput, error) {
	if f.policyErr != nil {
		return nil, f.policyErr
	}
	return &awskms.GetKeyPolicyOutput{Policy: sdk.String("{}")}, nil
}

func denied(op string) error {
	return &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform kms:" + op}
}

// TestCollectRegionFailures: every read that fails is unknown with the
// reason, never a zero value, and paging follows NextMarker.
func TestCollectRegionFailures(t *testing.T) {
	ctx := context.Background()
	pages := []*awskms.ListKeysOutput{
		{Keys: []types.KeyListEntry{{KeyId: sdk.String("k2")}}, Truncated: true, NextMarker: sdk.String("1")},
		{Keys: []types.KeyListEntry{{KeyId: sdk.String("k1"), KeyArn: sdk.String("arn:aws:kms:eu-west-1:111122223333:key/k1")}}},
	}
	t.Run("denied details", func(t *testing.T) {
		env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
		f := &fake{pages: pages, calls: map[string]int{}, aliasErr: denied("ListAliases"), descErr: denied("DescribeKey"),
			rotErr: denied("GetKeyRotationStatus"), policyErr: denied("GetKeyPolicy")}
		r, err := CollectRegion(ctx, env, f, "arn:aws", "eu-west-1")
		if err != nil {
			t.Fatal(err)
		}
		keys := kittest.Known(t, "keys", r.Keys)
		if len(keys) != 2 || keys[0].ID != "k1" || keys[1].ID != "k2" || f.calls["ListKeys"] != 2 {
			t.Fatalf("keys = %+v, calls %v", keys, f.calls)
		}
		if keys[1].ARN != "arn:aws:kms:eu-west-1:111122223333:key/k2" {
			t.Errorf("built ARN = %s", keys[1].ARN)
		}
		for _, k := range keys {
			for what, why := range map[string]string{"details": k.Details.Why(), "rotation": k.Rotation.Why(),
				"policy": k.Policy.Why(), "aliases": k.Aliases.Why()} {
				if !strings.HasPrefix(why, "access denied (kms:") {
					t.Errorf("%s %s: reason %q, want access denied", k.ID, what, why)
				}
			}
		}
		if n := len(env.Errors()); n != 7 {
			t.Errorf("recorded %d errors, want 7: %+v", n, env.Errors())
		}
	})
	t.Run("unsupported rotation", func(t *testing.T) {
		env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
		f := &fake{pages: pages, calls: map[string]int{},
			rotErr: &smithy.GenericAPIError{Code: "UnsupportedOperationException", Message: "imported key material"}}
		r, _ := CollectRegion(ctx, env, f, "arn:aws", "eu-west-1")
		for _, k := range kittest.Known(t, "keys", r.Keys) {
			if rot := kittest.Known(t, "rotation", k.Rotation); rot.Supported || rot.Enabled {
				t.Errorf("rotation = %+v", rot)
			}
		}
		kittest.NoErrors(t, env)
	})
	t.Run("list fails", func(t *testing.T) {
		env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
		f := &listFails{fake: fake{calls: map[string]int{}}}
		r, err := CollectRegion(ctx, env, f, "arn:aws", "eu-west-1")
		if err == nil || r.Keys.Ok || !strings.HasPrefix(r.Keys.Why(), "access denied (kms:ListKeys)") {
			t.Fatalf("err = %v, keys = %+v", err, r.Keys)
		}
	})
}

type listFails struct{ fake }

func (*listFails) ListKeys(context.Context, *awskms.ListKeysInput, ...func(*awskms.Options)) (*awskms.ListKeysOutput, error) {
	return nil, denied("ListKeys")
}
