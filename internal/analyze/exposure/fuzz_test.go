package exposure

import (
	"testing"

	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/s3"
)

// FuzzBucketPolicy: any policy text yields an answer (possibly unknown),
// never a panic.
func FuzzBucketPolicy(f *testing.F) {
	for _, tc := range goldenCases() {
		s := tc.build()
		if bs, ok := s.S3.Buckets.Get(); ok && len(bs) == 1 {
			if p, ok := bs[0].Policy.Get(); ok {
				f.Add(p)
			}
		}
	}
	f.Add(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["*","arn:aws:iam::*:root"],"Federated":"accounts.google.com"},"NotAction":"s3:x","Resource":"*","Condition":{"ForAnyValue:IpAddress":{"aws:SourceIp":["::/0","bad"]}}}]}`)
	f.Fuzz(func(t *testing.T, policy string) {
		s := bucketSnap(policy, nil)()
		s.S3.Buckets.V[0].PublicAccessBlock = core.Unknown[*s3.PublicAccessBlock]("fuzz")
		r := AnalyzeKinds(s, S3Bucket)
		if len(r.Findings) != 1 {
			t.Fatalf("findings %d", len(r.Findings))
		}
	})
}
