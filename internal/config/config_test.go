package config

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in      string
		regions int
		err     string
	}{
		{"", 0, ""},
		{"allowed_regions: [eu-west-1, eu-central-1]\n", 2, ""},
		{"allowed_regions: [us-gov-west-1]\ntrusted_accounts: ['111122223333']\n", 1, ""},
		{"allowed_region: [eu-west-1]\n", 0, "not found"},
		{"allowed_regions: [Europe]\n", 0, "not a region"},
		{"trusted_accounts: ['1234']\n", 0, "12-digit"},
		{"allowed_regions: {a: b}\n", 0, "cannot unmarshal"},
	} {
		c, err := Parse(strings.NewReader(tc.in))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if len(c.AllowedRegions) != tc.regions {
			t.Errorf("%q: %d regions", tc.in, len(c.AllowedRegions))
		}
	}
}

func TestLoadMissingDefault(t *testing.T) {
	t.Chdir(t.TempDir())
	c, err := Load("")
	if err != nil || len(c.AllowedRegions) != 0 {
		t.Fatalf("%v %v", c, err)
	}
	if _, err := Load("nope.yaml"); err == nil {
		t.Fatal("explicit missing file accepted")
	}
}
