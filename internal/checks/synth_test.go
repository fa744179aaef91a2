package checks

import (
	"reflect"
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
)

// countResources counts the resources of a snapshot that rules judge.
func countResources(s *model.Snapshot) int {
	n := len(s.IAM.Users.V) + len(s.IAM.Roles.V) + len(s.IAM.Policies.V) + len(s.IAM.Groups.V) + len(s.S3.Buckets.V)
	for _, r := range s.EC2 {
		n += len(r.VPCs.V) + len(r.Subnets.V) + len(r.SecurityGroups.V) + len(r.NetworkACLs.V) + len(r.NetworkInterfaces.V) +
			len(r.Instances.V) + len(r.Volumes.V) + len(r.Snapshots.V) + len(r.FlowLogs.V)
	}
	return n + len(s.CloudTrail.Trails.V)
}

func TestSyntheticSnapshot(t *testing.T) {
	for _, n := range []int{1000, 50000} {
		s := SyntheticSnapshot(n)
		got := countResources(s)
		if got < n*9/10 || got > n*11/10 {
			t.Errorf("SyntheticSnapshot(%d) has %d resources", n, got)
		}
	}
	if !reflect.DeepEqual(SyntheticSnapshot(2000), SyntheticSnapshot(2000)) {
		t.Error("SyntheticSnapshot is not deterministic")
	}
	// Every rule runs on it, and the mix exercises both outcomes overall.
	s := SyntheticSnapshot(5000)
	total := map[Status]int{}
	for _, r := range All() {
		res := r.Check(s)
		if len(res) == 0 && !strings.HasPrefix(r.ID, "region-") { // region rules need allowed_regions
			t.Errorf("%s: no results", r.ID)
		}
		for _, x := range res {
			total[x.Status]++
			if x.Status == Unknown {
				t.Errorf("%s: UNKNOWN on a fully collected snapshot: %s %s", r.ID, x.ResourceARN, x.Message)
			}
		}
	}
	if total[Pass] == 0 || total[Fail] == 0 {
		t.Errorf("synthetic outcomes %v", total)
	}
}

// BenchmarkRules50k evaluates every rule over a synthetic 50k-resource
// snapshot (the engine adds only metadata and sorting on top).
func BenchmarkRules50k(b *testing.B) {
	s := SyntheticSnapshot(50000)
	rules := All()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		results := 0
		for _, r := range rules {
			results += len(r.Check(s))
		}
		if results == 0 {
			b.Fatal("no results")
		}
	}
}
