package s3

import (
	"path/filepath"
	"testing"
)

// The moto server these tests run against comes from internal/testutil/moto
// (moto.Start): a private process for the tests that count buckets in moto's
// default account or need server-wide settings, so a shared server's other
// users cannot interfere.

// motoEnv sets the fake credentials and region the SDK needs for moto (and
// for the Go fakes, which accept any signature).
func motoEnv(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ENDPOINT_URL", "")
	// aws.NewEnv's endpoint HTTP client is a plain *http.Client, which the
	// SDK refuses to combine with a custom CA bundle; moto is plain http.
	t.Setenv("AWS_CA_BUNDLE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
}
