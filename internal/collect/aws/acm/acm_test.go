package acm

import (
	"context"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsacm "github.com/aws/aws-sdk-go-v2/service/acm"

	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
)

func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	c := awsacm.NewFromConfig(m.Config("eu-west-1"))
	req := kittest.Must(c.RequestCertificate(ctx, &awsacm.RequestCertificateInput{DomainName: sdk.String("www.example.com"),
		SubjectAlternativeNames: []string{"www.example.com", "example.com"}}))

	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{"eu-west-1"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	kittest.NoErrors(t, m.Env)
	certs := kittest.Known(t, "certificates", snap.ACM[0].Certificates)
	if len(certs) != 1 || certs[0].ARN != *req.CertificateArn || certs[0].Domain != "www.example.com" || certs[0].Region != "eu-west-1" {
		t.Fatalf("certs = %+v", certs)
	}
	d := kittest.Known(t, "details", certs[0].Details)
	if d.Type != "AMAZON_ISSUED" || d.KeyAlgorithm == "" || d.Status == "" || len(d.SubjectAlternativeNames) != 2 {
		t.Errorf("details = %+v", d)
	}
}
