package e2e

import (
	"sync"
	"testing"

	"github.com/demarc-sec/demarc/internal/testutil/moto"
)

// scenario is an account built once per test run and the live scan of it;
// several tests compare against it (golden results, snapshot round trip,
// fault injection) so it is built and scanned only once.
type scenario struct {
	srv  *moto.Server
	b    *builder
	acct account
	role string
	live scanDoc
}

var (
	misOnce sync.Once
	misScn  *scenario
)

// misconfigured returns the shared misconfigured scenario. The first test to
// ask builds it; if that fails, every later caller fails too.
func misconfigured(t *testing.T) *scenario {
	t.Helper()
	srv := moto.Start(t) // skips or fails this test when moto is missing
	misOnce.Do(func() {
		b := newBuilder(t, srv, srv.Account)
		acct := buildMisconfigured(b)
		role := moto.RoleARN(srv.Account)
		live := scanJSON(t, b.env(), role, scanRegions)
		misScn = &scenario{srv: srv, b: b, acct: acct, role: role, live: live}
	})
	if misScn == nil {
		t.Fatal("the misconfigured scenario failed to build or scan (see the first test that used it)")
	}
	return misScn
}
