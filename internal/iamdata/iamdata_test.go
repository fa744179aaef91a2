package iamdata

import (
	"strings"
	"testing"
)

func TestCatalogueLoads(t *testing.T) {
	if err := Err(); err != nil {
		t.Fatal(err)
	}
	if n := Count(); n < 15000 {
		t.Fatalf("catalogue has %d actions, want the full AWS list (> 15000)", n)
	}
	if Version() == "" {
		t.Error("no source version recorded")
	}
	seen := map[string]bool{}
	for _, s := range Services() {
		if seen[s.Prefix] {
			t.Errorf("duplicate service %s", s.Prefix)
		}
		seen[s.Prefix] = true
	}
}

// Access levels as AWS's Service Authorization Reference lists them
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html,
// list_awsidentityandaccessmanagementiam.html, list_amazonec2.html, …).
func TestLookupLevels(t *testing.T) {
	cases := []struct {
		action string
		level  AccessLevel
	}{
		{"s3:GetObject", Read},
		{"S3:GETOBJECT", Read},
		{"s3:ListBucket", List},
		{"s3:PutObject", Write},
		{"s3:PutBucketPolicy", PermissionsManagement},
		{"s3:PutObjectTagging", Tagging},
		{"iam:PutUserPolicy", PermissionsManagement},
		{"iam:AttachRolePolicy", PermissionsManagement},
		{"iam:PassRole", Write},
		{"iam:TagRole", Tagging},
		{"iam:ListRoles", List},
		{"iam:GetRole", Read},
		{"ec2:RunInstances", Write},
		{"ec2:CreateTags", Tagging},
		{"ec2:DescribeInstances", List},
		{"kms:Decrypt", Write},
		{"kms:PutKeyPolicy", PermissionsManagement},
		{"sts:AssumeRole", Write},
		{"sqs:SetQueueAttributes", PermissionsManagement},
		{"lambda:AddPermission", PermissionsManagement},
	}
	for _, c := range cases {
		a, ok := Lookup(c.action)
		if !ok {
			t.Errorf("%s not in the catalogue", c.action)
			continue
		}
		if a.Level != c.level {
			t.Errorf("%s: level %s, want %s", c.action, a.Level, c.level)
		}
		if !strings.EqualFold(a.String(), c.action) {
			t.Errorf("%s: String() = %s", c.action, a)
		}
	}
	if _, ok := Lookup("s3:NoSuchAction"); ok {
		t.Error("unknown action found")
	}
	if Level("nope:Nope") != LevelUnknown {
		t.Error("unknown action has a level")
	}
	a, _ := Lookup("s3:GetObject")
	if !a.TakesResource("object") || a.TakesResource("bucket") {
		t.Errorf("s3:GetObject resource types %v", a.ResourceTypes)
	}
}

func TestExpand(t *testing.T) {
	names := func(as []Action) map[string]bool {
		m := map[string]bool{}
		for _, a := range as {
			m[a.String()] = true
		}
		return m
	}
	all := Expand("*")
	if len(all) != Count() {
		t.Errorf("Expand(*) = %d actions, want %d", len(all), Count())
	}
	s3all := Expand("s3:*")
	if len(s3all) < 100 {
		t.Errorf("s3:* = %d actions", len(s3all))
	}
	for _, a := range s3all {
		if a.Service != "s3" {
			t.Errorf("s3:* expanded to %s", a)
		}
	}
	get := names(Expand("S3:get*"))
	if !get["s3:GetObject"] || !get["s3:GetBucketPolicy"] || get["s3:PutObject"] {
		t.Errorf("s3:get* = %v", get)
	}
	q := names(Expand("s3:?etObject"))
	if !q["s3:GetObject"] || len(q) != 1 {
		t.Errorf("s3:?etObject = %v", q)
	}
	cross := names(Expand("*:GetObject"))
	if !cross["s3:GetObject"] {
		t.Errorf("*:GetObject = %v", cross)
	}
	if len(Expand("s3")) != 0 || len(Expand("")) != 0 || len(Expand("nosuch:*")) != 0 {
		t.Error("malformed or unknown patterns expanded")
	}
	// Sorted by service, then name.
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.Service > b.Service || (a.Service == b.Service && a.Name >= b.Name) {
			t.Fatalf("not sorted at %d: %s, %s", i, a, b)
		}
	}
}

func TestParseAccessLevel(t *testing.T) {
	for _, l := range Levels {
		got, err := ParseAccessLevel(strings.ToLower(l.String()))
		if err != nil || got != l {
			t.Errorf("ParseAccessLevel(%q) = %v, %v", l, got, err)
		}
	}
	if _, err := ParseAccessLevel("Admin"); err == nil {
		t.Error("unknown level accepted")
	}
}

func TestMatch(t *testing.T) {
	cases := []struct {
		p, s string
		want bool
	}{
		{"*", "", true},
		{"get*", "getobject", true},
		{"*object", "putobject", true},
		{"g?t*", "getx", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"get", "getobject", false},
	}
	for _, c := range cases {
		if Match(c.p, c.s) != c.want {
			t.Errorf("Match(%q, %q) != %v", c.p, c.s, c.want)
		}
	}
}

func BenchmarkExpand(b *testing.B) {
	_ = Count()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = Expand("s3:Get*")
	}
}
