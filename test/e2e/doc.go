// Package e2e holds demarc's end-to-end tests: they build AWS accounts in a
// local moto server through aws-sdk-go-v2, run the real demarc binary
// against them, and assert exact sets of results. The tests skip when moto is
// not installed, and fail when CI or DEMARC_REQUIRE_MOTO is set.
//
// Run them alone with
//
//	go test ./test/e2e/...
//
// See docs/testing.md for the scenarios, the golden files and moto's known
// gaps.
package e2e
