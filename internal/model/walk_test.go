package model

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model/cloudtrail"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/s3"
)

func TestWalk(t *testing.T) {
	s := New("123456789012", "aws", []string{"us-east-1"})
	s.S3.Buckets = core.Known([]s3.Bucket{{Meta: core.Meta{ARN: "arn:aws:s3:::b", Region: "eu-west-1"}, Name: "b"}})
	s.EC2 = []ec2.Region{{
		Name:      "us-east-1",
		Instances: core.Known([]ec2.Instance{{Meta: core.Meta{ARN: "arn:i", Region: "us-east-1"}}}),
		Volumes:   core.Unknown[[]ec2.Volume]("access denied"),
	}}
	got := map[string]string{}
	Walk(s, func(r Resource) { got[r.Meta.ARN] = r.Kind })
	want := map[string]string{"arn:aws:s3:::b": "s3.Bucket", "arn:i": "ec2.Instance"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s, want %s", k, got[k], v)
		}
	}
	Walk(nil, func(Resource) { t.Fatal("called on nil") })
}

func TestUnknownLists(t *testing.T) {
	s := New("123456789012", "aws", []string{"us-east-1"})
	s.S3.Buckets = core.Known([]s3.Bucket{})
	s.S3.AccountPublicAccessBlock = core.Known[*s3.PublicAccessBlock](nil)
	s.CloudTrail.Trails = core.Unknown[[]cloudtrail.Trail]("access denied")
	s.EC2 = []ec2.Region{{Name: "us-east-1", Volumes: core.Unknown[[]ec2.Volume]("throttled")}}
	u := UnknownLists(s)
	if len(u["*"]) != 1 || !strings.Contains(u["*"][0], "access denied") {
		t.Errorf("global: %v", u["*"])
	}
	// Every EC2 list but Volumes was never set: all unknown.
	if len(u["us-east-1"]) < 10 {
		t.Errorf("us-east-1: %v", u["us-east-1"])
	}
}

func TestNormalizeSortsRegions(t *testing.T) {
	s := New("1", "aws", []string{"b", "a"})
	s.EC2 = []ec2.Region{{Name: "us-west-2"}, {Name: "eu-west-1"}}
	s.Normalize()
	if s.EC2[0].Name != "eu-west-1" || s.Regions[0] != "a" {
		t.Fatalf("%v %v", s.EC2, s.Regions)
	}
}
