package cloudfront

import "testing"

func TestParseS3Domain(t *testing.T) {
	for domain, want := range map[string]struct {
		bucket      string
		website, ok bool
	}{
		"data.s3.amazonaws.com":                                  {"data", false, true},
		"my.dotted.bucket.s3.us-west-2.amazonaws.com":            {"my.dotted.bucket", false, true},
		"data.s3-eu-west-1.amazonaws.com":                        {"data", false, true},
		"data.s3.dualstack.eu-west-1.amazonaws.com":              {"data", false, true},
		"Data.S3.amazonaws.com.":                                 {"data", false, true},
		"data.s3.cn-north-1.amazonaws.com.cn":                    {"data", false, true},
		"site.s3-website-us-east-1.amazonaws.com":                {"site", true, true},
		"site.s3-website.eu-west-1.amazonaws.com":                {"site", true, true},
		"ap-123456789012.s3-accesspoint.us-east-1.amazonaws.com": {},
		"mrap.accesspoint.s3-global.amazonaws.com":               {},
		"s3.amazonaws.com":                                       {},
		"app.example.com":                                        {},
		"data.s3x.amazonaws.com":                                 {},
		"elb-1.eu-west-1.elb.amazonaws.com":                      {},
	} {
		b, w, ok := ParseS3Domain(domain)
		if b != want.bucket || w != want.website || ok != want.ok {
			t.Errorf("ParseS3Domain(%q) = %q %v %v, want %+v", domain, b, w, ok, want)
		}
	}
}

func TestOriginKinds(t *testing.T) {
	for _, tc := range []struct {
		name       string
		o          Origin
		s3, custom bool
		bucket     string
	}{
		{"S3 origin", Origin{DomainName: "b.s3.amazonaws.com", S3: &S3OriginConfig{}}, true, false, "b"},
		{"custom origin on a REST endpoint", Origin{DomainName: "b.s3.amazonaws.com", Custom: &CustomOriginConfig{}}, true, true, "b"},
		{"website endpoint", Origin{DomainName: "b.s3-website-us-east-1.amazonaws.com", Custom: &CustomOriginConfig{}}, false, true, ""},
		{"VPC origin", Origin{DomainName: "internal-alb.eu-west-1.elb.amazonaws.com", VPCOriginID: "vo-1"}, false, false, ""},
		{"web server", Origin{DomainName: "app.example.com", Custom: &CustomOriginConfig{}}, false, true, ""},
	} {
		b, _ := tc.o.S3Bucket()
		if tc.o.IsS3Origin() != tc.s3 || tc.o.IsCustomOrigin() != tc.custom || b != tc.bucket {
			t.Errorf("%s: S3 %v custom %v bucket %q", tc.name, tc.o.IsS3Origin(), tc.o.IsCustomOrigin(), b)
		}
	}
	if (ViewerCertificate{CloudFrontDefaultCertificate: true, ACMCertificateARN: "arn"}).Custom() {
		t.Error("the default certificate flag wins")
	}
	if !(ViewerCertificate{CertificateSource: "iam"}).Custom() {
		t.Error("an IAM certificate is custom")
	}
	var st State
	if st.Distributions.Ok {
		t.Error("the zero State must be unknown")
	}
}
