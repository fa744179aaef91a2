package iam

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/testutil/moto"
)

// selfSigned returns a PEM certificate and key valid until notAfter.
func selfSigned(t *testing.T, cn string, notAfter time.Time) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: notAfter.Add(-365 * 24 * time.Hour), NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}))
}

// TestServerCertificatesMoto uploads two certificates and reads them back
// (CIS 1.18 / FSBP IAM.26). moto gap: it reports a fixed Expiration
// (2012-05-08) whatever the certificate says, so only presence is checked.
func TestServerCertificatesMoto(t *testing.T) {
	// A private server without the AWS-managed policies: the assertions
	// count policies, and these tests use moto's default account.
	endpoint := moto.Start(t, moto.WithEnv("MOTO_IAM_LOAD_MANAGED_POLICIES=false")).URL
	motoEnv(t)
	ctx := context.Background()
	c := setupClient(t, endpoint)
	for name, until := range map[string]time.Time{"old-lb": time.Now().Add(-48 * time.Hour), "new-lb": time.Now().Add(90 * 24 * time.Hour)} {
		body, key := selfSigned(t, name+".example.com", until)
		must(c.UploadServerCertificate(ctx, &awsiam.UploadServerCertificateInput{ServerCertificateName: sdkaws.String(name),
			CertificateBody: sdkaws.String(body), PrivateKey: sdkaws.String(key)}))
	}
	env, err := aws.NewEnv(ctx, aws.Options{Endpoint: endpoint, MaxAttempts: 2, RatePerService: 1000})
	if err != nil {
		t.Fatal(err)
	}
	v := serverCertificates(ctx, env, newClient(env))
	certs, ok := v.Get()
	if !ok || len(certs) != 2 {
		t.Fatalf("server certificates = %+v (%s)", certs, v.Why())
	}
	names := map[string]bool{}
	for _, cert := range certs {
		if cert.Expiration == nil || cert.ARN != "arn:aws:iam::"+env.AccountID+":server-certificate/"+cert.Name || cert.Region != "global" {
			t.Errorf("certificate %+v", cert)
		}
		names[cert.Name] = true
	}
	if !names["old-lb"] || !names["new-lb"] {
		t.Errorf("names = %v", names)
	}
}

// TestServerCertificatesDenied: a denied listing is unknown, never an empty list.
func TestServerCertificatesDenied(t *testing.T) {
	env := fakeEnv(t, &fakeIAM{calls: map[string]int{}})
	v := serverCertificates(context.Background(), env, newClient(env))
	if v.Ok || v.Why() == "" {
		t.Errorf("denied listing = %+v", v)
	}
}
