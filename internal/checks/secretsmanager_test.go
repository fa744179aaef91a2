package checks

import (
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/secretsmanager"
)

func secretsManagerFixtures() map[string]fixture {
	return map[string]fixture{
		"secretsmanager-rotation-enabled": failWhen(func(s *model.Snapshot) { secretAt(s).RotationEnabled = false }),
		"secretsmanager-rotation-succeeding": failWhen(func(s *model.Snapshot) {
			sec := secretAt(s)
			sec.LastRotated, sec.NextRotation = agoP(60), agoP(30)
		}),
		"secretsmanager-unused-secrets":   failWhen(func(s *model.Snapshot) { secretAt(s).LastAccessed = agoP(120) }),
		"secretsmanager-rotated-recently": failWhen(func(s *model.Snapshot) { secretAt(s).LastRotated = agoP(91) }),
	}
}

func TestSecretRotationOnSchedule(t *testing.T) {
	base := func() secretsmanager.Secret {
		return secretsmanager.Secret{Name: "db", RotationEnabled: true, RotationDays: 30, Created: agoP(400)}
	}
	cases := []struct {
		name string
		mut  func(*secretsmanager.Secret)
		want Status
	}{
		{"rotation off: out of scope", func(s *secretsmanager.Secret) { s.RotationEnabled = false }, ""},
		{"next rotation ahead", func(s *secretsmanager.Secret) { s.LastRotated, s.NextRotation = agoP(5), agoP(-25) }, Pass},
		{"next rotation within the grace day", func(s *secretsmanager.Secret) { s.NextRotation = agoP(0) }, Pass},
		{"next rotation overdue", func(s *secretsmanager.Secret) { s.LastRotated, s.NextRotation = agoP(40), agoP(10) }, Fail},
		{"interval from last rotation, on time", func(s *secretsmanager.Secret) { s.LastRotated = agoP(20) }, Pass},
		{"interval from last rotation, overdue", func(s *secretsmanager.Secret) { s.LastRotated = agoP(45) }, Fail},
		{"never rotated since long ago", func(*secretsmanager.Secret) {}, Fail},
		{"schedule expression, nothing known", func(s *secretsmanager.Secret) { s.RotationDays, s.RotationSchedule = 0, "rate(10 days)" }, Unknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sec := base()
			c.mut(&sec)
			if st, msg := judgeRotationOnSchedule(sec, now, true); st != c.want {
				t.Errorf("got %s (%s), want %s", st, msg, c.want)
			}
		})
	}
	if st, _ := judgeRotationOnSchedule(base(), now, false); st != Unknown {
		t.Errorf("no collection time: %s", st)
	}
}

func TestSecretAge(t *testing.T) {
	cases := []struct {
		name          string
		last, created int // days ago; -1 = nil
		want          Status
	}{
		{"recent", 10, 400, Pass},
		{"exactly 90 days", 90, 400, Pass},
		{"91 days", 91, 400, Fail},
		{"never, created recently", -1, 30, Pass},
		{"never, created long ago", -1, 200, Fail},
		{"never, creation unknown", -1, -1, Unknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sec := secretsmanager.Secret{Name: "db"}
			if c.created >= 0 {
				sec.Created = agoP(c.created)
			}
			var last = agoP(c.last)
			if c.last < 0 {
				last = nil
			}
			if st, msg := judgeSecretAge(sec, now, true, last, "accessed", 90); st != c.want {
				t.Errorf("got %s (%s), want %s", st, msg, c.want)
			}
		})
	}
}
