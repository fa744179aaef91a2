package checks

import (
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ecr"
)

func ecrFixtures() map[string]fixture {
	return map[string]fixture{
		"ecr-image-scanning": failWhen(func(s *model.Snapshot) {
			r, _ := ecrRepo(s)
			r.Scanning = core.Known(ecr.RegistryScanning{ScanType: "ENHANCED", Rules: []ecr.ScanningRule{{Frequency: "CONTINUOUS_SCAN", Filters: []string{"other-*"}}}})
		}),
		"ecr-tag-immutability": failWhen(func(s *model.Snapshot) { _, repo := ecrRepo(s); repo.TagMutability = "MUTABLE" }),
		"ecr-lifecycle-policy": failWhen(func(s *model.Snapshot) { _, repo := ecrRepo(s); repo.LifecyclePolicy = core.Known("") }),
	}
}

func TestECRFilterMatches(t *testing.T) {
	cases := []struct {
		filter, name string
		want         bool
	}{
		{"*", "app", true},
		{"prod", "team/prod-api", true}, // no wildcard: substring
		{"prod", "team/dev-api", false},
		{"prod-*", "prod-api", true},
		{"prod-*", "team/prod-api", false}, // wildcard: whole name
		{"*-api", "team/prod-api", true},
		{"team/*/api", "team/x/api", true},
	}
	for _, c := range cases {
		if got := ecrFilterMatches(c.filter, c.name); got != c.want {
			t.Errorf("%q vs %q: got %v", c.filter, c.name, got)
		}
	}
}

func TestECRScanning(t *testing.T) {
	type tc struct {
		name       string
		scanning   core.Val[ecr.RegistryScanning]
		scanOnPush bool
		want       Status
	}
	basic := func(rules ...ecr.ScanningRule) core.Val[ecr.RegistryScanning] {
		return core.Known(ecr.RegistryScanning{ScanType: "BASIC", Rules: rules})
	}
	enhanced := func(rules ...ecr.ScanningRule) core.Val[ecr.RegistryScanning] {
		return core.Known(ecr.RegistryScanning{ScanType: "ENHANCED", Rules: rules})
	}
	all := func(freq string) ecr.ScanningRule { return ecr.ScanningRule{Frequency: freq, Filters: []string{"*"}} }
	for _, c := range []tc{
		{"basic, repository scan on push", basic(), true, Pass},
		{"basic, nothing", basic(), false, Fail},
		{"basic, registry scan-on-push rule", basic(all("SCAN_ON_PUSH")), false, Pass},
		{"basic, manual rule only", basic(all("MANUAL")), false, Fail},
		{"enhanced, continuous", enhanced(all("CONTINUOUS_SCAN")), false, Pass},
		{"enhanced ignores repository flag", enhanced(), true, Fail},
		{"registry unknown", core.Unknown[ecr.RegistryScanning]("access denied"), true, Unknown},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			r, repo := ecrRepo(s)
			r.Scanning, repo.ScanOnPush = c.scanning, c.scanOnPush
			if st := oneStatus(t, checkECRScanning(s)); st != c.want {
				t.Errorf("got %s, want %s", st, c.want)
			}
		})
	}
}

func TestECRTagMutabilityWithExclusions(t *testing.T) {
	for m, want := range map[string]Status{"IMMUTABLE_WITH_EXCLUSION": Fail, "MUTABLE_WITH_EXCLUSION": Fail, "": Unknown} {
		s := compliantSnapshot()
		_, repo := ecrRepo(s)
		repo.TagMutability = m
		if st := oneStatus(t, checkECRTagImmutability(s)); st != want {
			t.Errorf("%q: got %s, want %s", m, st, want)
		}
	}
}
