// Package kittest builds what a collector test needs against moto: a running
// server (internal/testutil/moto), an *aws.Env made by aws.NewEnv exactly as
// a scan makes it (read-only guard, retries, rate limit), and SDK
// configurations for creating the fixture resources in the test's own
// account.
package kittest

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/testutil/moto"
)

// Moto is a moto server and an Env that collects from the test's account.
type Moto struct {
	Server *moto.Server
	Env    *aws.Env
}

// Start starts (or attaches to) moto and returns an Env for a fresh account.
// It sets process environment variables, so tests using it cannot be
// parallel.
func Start(t *testing.T, opts ...moto.Option) *Moto {
	t.Helper()
	srv := moto.Start(t, opts...)
	// Hermetic credentials: nothing from the developer's AWS setup.
	t.Setenv("AWS_ACCESS_KEY_ID", moto.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", moto.SecretKey)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_CA_BUNDLE", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	env, err := aws.NewEnv(context.Background(), aws.Options{
		Endpoint:   srv.URL,
		HTTPClient: srv.HTTPClient(srv.Account),
		// moto answers quickly; a failing call should not retry for long.
		MaxAttempts:    2,
		RatePerService: 1000,
	})
	if err != nil {
		t.Fatalf("aws.NewEnv against moto: %v", err)
	}
	if env.AccountID != srv.Account {
		t.Fatalf("collecting from account %s, want the test's %s", env.AccountID, srv.Account)
	}
	return &Moto{Server: srv, Env: env}
}

// Config is an unguarded SDK configuration for region in the test's account,
// for creating fixtures.
func (m *Moto) Config(region string) sdk.Config { return m.Server.Config(region, m.Server.Account) }

// Must returns v, or panics on a fixture-building error: the test fails
// with the stack (and its cleanups, which stop moto, still run). It takes no
// testing.TB so that it can wrap a two-value SDK call directly.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("fixture: %v", err))
	}
	return v
}

// Known returns the value of v or fails the test with its reason.
func Known[T any](t testing.TB, what string, v interface {
	Get() (T, bool)
	Why() string
}) T {
	t.Helper()
	x, ok := v.Get()
	if !ok {
		t.Fatalf("%s unknown: %s", what, v.Why())
	}
	return x
}

// NoErrors fails the test if the collection recorded failures.
func NoErrors(t testing.TB, env *aws.Env) {
	t.Helper()
	for _, e := range env.Errors() {
		t.Errorf("collect error: %+v", e)
	}
}
