package checks

import (
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/model"
)

func eksFixtures() map[string]fixture {
	return map[string]fixture{
		"eks-endpoint-not-public": failWhen(func(s *model.Snapshot) { eksCluster(s).EndpointPublic = true }),
		"eks-supported-version":   failWhen(func(s *model.Snapshot) { eksCluster(s).Version = "1.27" }),
		"eks-secrets-encrypted":   failWhen(func(s *model.Snapshot) { eksCluster(s).Encryption = nil }),
		"eks-audit-logging":       failWhen(func(s *model.Snapshot) { eksCluster(s).EnabledLogTypes = []string{"api"} }),
	}
}

func TestEKSVersion(t *testing.T) {
	cases := []struct {
		version string
		at      time.Time
		want    Status
	}{
		{"1.32", now, Pass},
		// 1.29: standard support ended 2025-03-23, extended until 2026-03-23.
		{"1.29", day0(2025, 3, 22), Pass},
		{"1.29", day0(2025, 3, 23), Fail}, // extended support only
		{"1.29", day0(2026, 4, 1), Fail},  // out of support
		{"1.20", now, Fail},               // older than the calendar
		{"1.36", day0(2027, 1, 1), Pass},  // newer than the calendar, surely in standard support
		{"1.36", day0(2027, 6, 1), Unknown},
		{"2.0", now, Unknown},
		{"latest", now, Unknown},
		{"1.32", time.Time{}, Unknown},
	}
	for _, c := range cases {
		t.Run(c.version+"@"+c.at.Format("2006-01-02"), func(t *testing.T) {
			s := compliantSnapshot()
			s.CollectedAt = c.at
			eksCluster(s).Version = c.version
			if st := oneStatus(t, checkEKSVersion(s)); st != c.want {
				t.Errorf("got %s, want %s", st, c.want)
			}
		})
	}
}

func TestEKSCalendarIsContiguous(t *testing.T) {
	for v := eksOldest; v <= eksNewest; v++ {
		e, ok := eksCalendar[v]
		if !ok {
			t.Fatalf("1.%d missing", v)
		}
		if !e.release.Before(e.endStandard) || (!e.endExtended.IsZero() && !e.endStandard.Before(e.endExtended)) {
			t.Errorf("1.%d: dates out of order", v)
		}
	}
}

func TestEKSPublicEndpointWithCIDRsStillFails(t *testing.T) {
	s := compliantSnapshot()
	d := eksCluster(s)
	d.EndpointPublic, d.PublicAccessCIDRs = true, []string{"203.0.113.0/24"}
	var res []Result
	for _, r := range All() {
		if r.ID == "eks-endpoint-not-public" {
			res = r.Check(s)
		}
	}
	if st := oneStatus(t, res); st != Fail {
		t.Errorf("got %s", st)
	}
}

func TestEKSDeletingClusterNotJudged(t *testing.T) {
	s := compliantSnapshot()
	eksCluster(s).Status, eksCluster(s).Version = "DELETING", "1.10"
	if res := checkEKSVersion(s); len(res) != 0 {
		t.Errorf("%+v", res)
	}
}
