package checks

import (
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/acm"
	"github.com/demarc-sec/demarc/internal/model/core"
)

func acmFixtures() map[string]fixture {
	return map[string]fixture{
		"acm-certificate-expiry": failWhen(func(s *model.Snapshot) { certAt(s).NotAfter = agoP(-20) }),
		"acm-rsa-key-length": failWhen(func(s *model.Snapshot) {
			d := certAt(s)
			d.Type, d.KeyAlgorithm = "IMPORTED", "RSA_1024"
		}),
	}
}

func TestACMExpiry(t *testing.T) {
	cases := []struct {
		name     string
		status   string
		notAfter int // days from now; 9999 = not reported
		want     Status
	}{
		{"far", "ISSUED", 200, Pass},
		{"31 days", "ISSUED", 31, Pass},
		{"30 days", "ISSUED", 30, Fail},
		{"expired", "EXPIRED", -3, Fail},
		{"issued without expiry", "ISSUED", 9999, Unknown},
		{"pending validation: out of scope", "PENDING_VALIDATION", 9999, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := compliantSnapshot()
			d := certAt(s)
			d.Status, d.NotAfter = c.status, agoP(-c.notAfter)
			if c.notAfter == 9999 {
				d.NotAfter = nil
			}
			res := checkACMExpiry(s)
			if c.want == "" {
				if len(res) != 0 {
					t.Errorf("%+v", res)
				}
				return
			}
			if st := oneStatus(t, res); st != c.want {
				t.Errorf("got %s (%s), want %s", st, res[0].Message, c.want)
			}
		})
	}
}

func TestACMKeyLength(t *testing.T) {
	for alg, want := range map[string]Status{"RSA_2048": Pass, "RSA_4096": Pass, "RSA_1024": Fail, "EC_prime256v1": "", "": Unknown, "RSA_PSS": Unknown} {
		s := compliantSnapshot()
		certAt(s).KeyAlgorithm = alg
		res := checkACMKeyLength(s)
		if want == "" {
			if len(res) != 0 {
				t.Errorf("%s: %+v", alg, res)
			}
			continue
		}
		if st := oneStatus(t, res); st != want {
			t.Errorf("%s: got %s, want %s", alg, st, want)
		}
	}
	s := compliantSnapshot()
	s.ACM[0].Certificates.V[0].Details = core.Unknown[acm.CertificateDetails]("access denied")
	for _, r := range append(checkACMKeyLength(s), checkACMExpiry(s)...) {
		if r.Status == Pass {
			t.Errorf("PASS with unknown details: %+v", r)
		}
	}
}
