package checks

import (
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/wafv2"
)

func wafv2Fixtures() map[string]fixture {
	return map[string]fixture{
		"wafv2-web-acl-has-rules": failWhen(func(s *model.Snapshot) { webACL(s).Details.V.Rules = nil }),
		"wafv2-web-acl-logging":   failWhen(func(s *model.Snapshot) { webACL(s).Logging = core.Known[*wafv2.Logging](nil) }),
	}
}

func wafRule(id string) Rule {
	for _, r := range All() {
		if r.ID == id {
			return r
		}
	}
	panic("no rule " + id)
}

func TestWAFCloudFrontScope(t *testing.T) {
	s := compliantSnapshot()
	s.WAFv2.CloudFront = core.Known([]wafv2.WebACL{{
		Meta: core.Meta{ARN: "arn:aws:wafv2:us-east-1:" + acct + ":global/webacl/cf/2", Region: core.GlobalRegion},
		ID:   "2", Name: "cf", Scope: wafv2.ScopeCloudFront,
		Details: core.Known(wafv2.WebACLDetails{DefaultAction: "ALLOW"}),
		Logging: core.Unknown[*wafv2.Logging]("access denied"),
	}})
	var rules, logging Status
	for _, r := range wafRule("wafv2-web-acl-has-rules").Check(s) {
		if r.Region == core.GlobalRegion {
			rules = r.Status
		}
	}
	for _, r := range wafRule("wafv2-web-acl-logging").Check(s) {
		if r.Region == core.GlobalRegion {
			logging = r.Status
		}
	}
	if rules != Fail || logging != Unknown {
		t.Errorf("CloudFront web ACL: rules %s, logging %s", rules, logging)
	}
	s.WAFv2.CloudFront = core.Unknown[[]wafv2.WebACL]("access denied")
	unknown := 0
	for _, r := range wafRule("wafv2-web-acl-logging").Check(s) {
		if r.Status == Unknown {
			unknown++
		}
	}
	if unknown != 1 {
		t.Errorf("CloudFront scope unreadable: %d UNKNOWN results", unknown)
	}
}
