package engine

import (
	"testing"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/model"
)

func TestRunRecoversPanickingRule(t *testing.T) {
	reg, err := checks.NewRegistry([]checks.Rule{{
		ID: "boom", Service: "x", Severity: checks.Low,
		Check: func(*model.Snapshot) []checks.Result { panic("kaboom") },
	}})
	if err != nil {
		t.Fatal(err)
	}
	f := Run(model.New("123456789012", "aws", nil), reg)
	if len(f) != 1 || f[0].Status != checks.Unknown {
		t.Fatalf("got %+v", f)
	}
}

func TestFingerprintStable(t *testing.T) {
	a := Fingerprint("r", "1", "arn:x", "us-east-1")
	if a != Fingerprint("r", "1", "arn:x", "us-east-1") || a == Fingerprint("r", "1", "arn:y", "us-east-1") {
		t.Fatal("fingerprint not stable or not distinct")
	}
	if a[:3] != "v1:" {
		t.Fatalf("fingerprint %q lacks its version", a)
	}
}

func TestRunDeterministic(t *testing.T) {
	s := checks.SyntheticSnapshot(2000)
	reg := checks.Default()
	a, b := Run(s, reg), Run(s, reg)
	if len(a) != len(b) {
		t.Fatal("different lengths")
	}
	for i := range a {
		if a[i].Fingerprint != b[i].Fingerprint || a[i].Message != b[i].Message {
			t.Fatalf("run %d differs: %v vs %v", i, a[i], b[i])
		}
	}
}

// BenchmarkScan50k: every rule over a synthetic 50k-resource snapshot,
// including building, fingerprinting and sorting the findings.
func BenchmarkScan50k(b *testing.B) {
	s := checks.SyntheticSnapshot(50000)
	reg := checks.Default()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = Run(s, reg)
	}
}

// BenchmarkScan100k: every rule over a synthetic 100k-resource snapshot.
func BenchmarkScan100k(b *testing.B) {
	s := checks.SyntheticSnapshot(100000)
	reg := checks.Default()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = Run(s, reg)
	}
}
