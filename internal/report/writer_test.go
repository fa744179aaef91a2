package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/engine"
)

func TestGolden(t *testing.T) {
	for _, f := range Formats() {
		t.Run(f, func(t *testing.T) {
			golden(t, f, render(t, f))
		})
	}
}

func TestUnknownFormat(t *testing.T) {
	if _, err := NewWriter("xml", &bytes.Buffer{}, testMeta(), Options{}); err == nil ||
		!strings.Contains(err.Error(), "want asff, csv, html, json, ocsf, sarif, table") {
		t.Errorf("err = %v", err)
	}
}

// The streaming JSON writer produces the same document as WriteJSON; only
// the position of "summary" differs, which JSON does not give meaning to.
func TestJSONStreamMatchesWriteJSON(t *testing.T) {
	fs := testFindings()
	sum := engine.Summarize(fs, 8)
	var a bytes.Buffer
	if err := WriteJSON(&a, testMeta(), sum, fs); err != nil {
		t.Fatal(err)
	}
	b := render(t, FormatJSON)
	var da, db map[string]any
	if err := json.Unmarshal(a.Bytes(), &da); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &db); err != nil {
		t.Fatalf("stream output is not JSON: %v\n%s", err, b)
	}
	if !reflect.DeepEqual(da, db) {
		t.Errorf("documents differ:\nWriteJSON: %s\nstream:    %s", a.Bytes(), b)
	}
	// And an empty scan is still a valid document.
	var e bytes.Buffer
	w, _ := NewWriter(FormatJSON, &e, ScanMeta{}, Options{})
	if err := w.Close(engine.Summarize(nil, 0)); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(e.Bytes(), &db); err != nil {
		t.Fatalf("empty document: %v\n%s", err, e.Bytes())
	}
}

// Every hostile string must come out inert. What "inert" means depends on
// the format; the shared rule is that no raw control character reaches a
// text format and no markup reaches the HTML parser.
func TestHostileStringsInert(t *testing.T) {
	t.Run("table", func(t *testing.T) {
		out := string(render(t, FormatTable))
		if strings.ContainsAny(out, "\x1b\x07\u202e\u2028\u2029") {
			t.Errorf("raw control character in table:\n%q", out)
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), hostileScript) {
				t.Errorf("a newline in a resource name split a row: %q", line)
			}
		}
		if !strings.Contains(out, `\u001b[31mRED`) {
			t.Error("escape sequence not shown as visible text")
		}
	})

	t.Run("csv", func(t *testing.T) {
		out := render(t, FormatCSV)
		if bytes.ContainsAny(out, "\x1b\x07") || bytes.Contains(out, []byte("\u202e")) {
			t.Errorf("raw control character in CSV")
		}
		rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatalf("not RFC 4180 CSV: %v", err)
		}
		if len(rows) != len(testFindings())+1 {
			t.Fatalf("%d rows", len(rows))
		}
		for i, row := range rows {
			if len(row) != len(csvColumns) {
				t.Errorf("row %d has %d cells", i, len(row))
			}
			for j, cell := range row {
				if cell != "" && strings.ContainsRune("=+-@\t\r＝＋－＠", []rune(cell)[0]) {
					t.Errorf("row %d column %s starts a formula: %q", i, csvColumns[j], cell)
				}
			}
		}
		// Multi-line cells survive (quoted), values are otherwise exact.
		found := false
		for _, row := range rows[1:] {
			if row[7] == "arn:aws:s3:::evil\n"+hostileScript+`"quoted"` {
				found = true
			}
		}
		if !found {
			t.Error("hostile ARN not preserved verbatim in its (quoted) cell")
		}
		if !bytes.Contains(out, []byte("\r\n")) {
			t.Error("RFC 4180 wants CRLF line ends")
		}
	})

	t.Run("sarif", func(t *testing.T) {
		out := render(t, FormatSARIF)
		if bytes.Contains(out, []byte("<script")) || bytes.Contains(out, []byte("<img")) || bytes.ContainsAny(out, "\x1b\x07") {
			t.Error("raw markup or control character in SARIF bytes")
		}
		var log struct {
			Runs []struct {
				Results []struct {
					Message struct {
						Text string `json:"text"`
					} `json:"message"`
					Locations []struct {
						LogicalLocations []struct {
							Name, FullyQualifiedName string
						} `json:"logicalLocations"`
					} `json:"locations"`
					Suppressions []struct {
						Justification string `json:"justification"`
					} `json:"suppressions"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(out, &log); err != nil {
			t.Fatal(err)
		}
		// An unescaped [text](target) would be an embedded link (§3.11.6).
		link := regexp.MustCompile(`(^|[^\\])\[[^\]]*[^\\]\]\(`)
		check := func(what, s string) {
			if strings.ContainsFunc(s, unsafeRune) {
				t.Errorf("%s has a raw control character: %q", what, s)
			}
			if what == "message" && link.MatchString(s) {
				t.Errorf("%s has an embedded link: %q", what, s)
			}
		}
		for _, r := range log.Runs[0].Results {
			check("message", r.Message.Text)
			for _, l := range r.Locations {
				for _, ll := range l.LogicalLocations {
					check("location", ll.Name)
					check("location", ll.FullyQualifiedName)
				}
			}
			for _, s := range r.Suppressions {
				check("justification", s.Justification)
			}
		}
	})

	for _, f := range []string{FormatJSON, FormatASFF, FormatOCSF} {
		t.Run(f, func(t *testing.T) {
			out := render(t, f)
			if bytes.Contains(out, []byte("<script")) || bytes.ContainsAny(out, "\x1b\x07") {
				t.Errorf("raw markup or control character in %s bytes", f)
			}
		})
	}

	t.Run("html", func(t *testing.T) {
		out := string(render(t, FormatHTML))
		// The data blocks hold JSON with every '<' escaped, so nothing in
		// them can end the element or open a comment.
		data := between(t, out, `<script type="application/json" id="demarc-findings">`, "</script>")
		metaJSON := between(t, out, `<script type="application/json" id="demarc-meta">`, "</script>")
		for _, d := range []string{data, metaJSON} {
			if strings.ContainsAny(d, "<>&\u2028\u2029") {
				t.Errorf("unescaped <, >, & or line separator in a data block")
			}
		}
		// Outside the data blocks: exactly our three script elements and
		// nothing hostile as markup or text.
		markup := strings.Replace(strings.Replace(out, data, "", 1), metaJSON, "", 1)
		if n := strings.Count(strings.ToLower(markup), "<script"); n != 3 {
			t.Errorf("%d <script elements, want 3", n)
		}
		for _, bad := range []string{"<img", "<!--", "\x1b", "\u202e", "http://", "src=", "href=", "@import", "url("} {
			if strings.Contains(markup, bad) {
				t.Errorf("HTML markup contains %q", bad)
			}
		}
		// The hostile collect-error resource is in the header, as text.
		if !strings.Contains(markup, "&lt;script&gt;window.__pwned=1&lt;/script&gt;") {
			t.Error("collect error resource not rendered as escaped text")
		}
		if !strings.Contains(markup, `Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-`) {
			t.Error("no strict CSP meta element")
		}
		// The data decodes to the findings, with control and bidi
		// characters made visible (SanitizeLine) and nothing else changed.
		var rows [][]any
		if err := json.Unmarshal([]byte(data), &rows); err != nil {
			t.Fatalf("embedded data is not JSON: %v", err)
		}
		fs := testFindings()
		for i, r := range rows {
			if r[3] != SanitizeLine(fs[i].ResourceARN) || r[4] != SanitizeLine(fs[i].Message) {
				t.Errorf("row %d: %q %q, want %q %q", i, r[3], r[4], fs[i].ResourceARN, fs[i].Message)
			}
			for _, v := range r {
				if s, ok := v.(string); ok && strings.ContainsFunc(s, unsafeRune) {
					t.Errorf("row %d carries a raw control or bidi character: %q", i, s)
				}
			}
		}
	})
}

// The header strings go through html/template: a hostile account or
// collect error is escaped, not parsed.
func TestHTMLHeaderEscaped(t *testing.T) {
	meta := testMeta()
	meta.AccountID = hostileScript
	meta.Regions = []string{hostileImg}
	var b bytes.Buffer
	w, err := NewWriter(FormatHTML, &b, meta, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(engine.Summary{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "<img") || strings.Count(out, "<script") != 3 {
		t.Errorf("header not escaped:\n%s", out)
	}
	if !strings.Contains(out, "&lt;script&gt;window.__pwned=1&lt;/script&gt;") {
		t.Error("escaped account id missing")
	}
}

func TestHTMLCSPHashesMatch(t *testing.T) {
	out := string(render(t, FormatHTML))
	js := between(t, out, "<script>", "</script>")
	css := between(t, out, "<style>", "</style>")
	if js != htmlJS || css != htmlCSS {
		t.Fatal("inline script or style differs from the hashed constant")
	}
}

func between(t testing.TB, s, start, end string) string {
	t.Helper()
	i := strings.Index(s, start)
	if i < 0 {
		t.Fatalf("no %q", start)
	}
	s = s[i+len(start):]
	j := strings.Index(s, end)
	if j < 0 {
		t.Fatalf("no %q after %q", end, start)
	}
	return s[:j]
}

func TestOCSFIsJSONLines(t *testing.T) {
	out := render(t, FormatOCSF)
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		n++
	}
	if n != len(testFindings()) {
		t.Errorf("%d lines, want %d", n, len(testFindings()))
	}
}

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		"":                    "",
		"plain":               "plain",
		"=1+1":                "'=1+1",
		"+1":                  "'+1",
		"-1":                  "'-1",
		"@SUM(A1)":            "'@SUM(A1)",
		"\tx":                 "'\tx",
		"\rx":                 `\u000dx`, // CR escaped first; no longer a formula lead
		"＝1":                  "'＝1",
		"a=b":                 "a=b",
		"x\ny":                "x\ny",
		"\x1b[31m":            `\u001b[31m`,
		"a\u202eb":            `a\u202eb`,
		"arn:aws:s3:::bucket": "arn:aws:s3:::bucket",
	} {
		if got := CSVCell(in); got != want {
			t.Errorf("CSVCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSARIFText(t *testing.T) {
	for in, want := range map[string]string{
		"plain":          "plain",
		"[a](https://x)": `\[a\](https://x)`,
		`\[a]`:           `\\\[a\]`,
		"line\nbreak":    `line\nbreak`,
		"\x1b[1m":        `\u001b\[1m`,
		`back\slash`:     `back\slash`,
	} {
		if got := SARIFText(in); got != want {
			t.Errorf("SARIFText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestASFFResourceType(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:iam::123456789012:root":                                                       "AwsAccount",
		"arn:aws:iam::123456789012:user/path/alice":                                            "AwsIamUser",
		"arn:aws:iam::123456789012:role/admin":                                                 "AwsIamRole",
		"arn:aws:iam::123456789012:policy/p":                                                   "AwsIamPolicy",
		"arn:aws:iam::123456789012:group/g":                                                    "AwsIamGroup",
		"arn:aws:s3:::bucket":                                                                  "AwsS3Bucket",
		"arn:aws:s3:::bucket/key":                                                              "AwsS3Object",
		"arn:aws:ec2:us-east-1:123456789012:instance/i-1":                                      "AwsEc2Instance",
		"arn:aws:ec2:us-east-1:123456789012:security-group/sg-1":                               "AwsEc2SecurityGroup",
		"arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1":                                         "AwsEc2Vpc",
		"arn:aws:cloudtrail:us-east-1:123456789012:trail/t":                                    "AwsCloudTrailTrail",
		"arn:aws:kms:us-east-1:123456789012:key/k":                                             "AwsKmsKey",
		"arn:aws:lambda:us-east-1:123456789012:function:f":                                     "AwsLambdaFunction",
		"arn:aws:rds:us-east-1:123456789012:db:d":                                              "AwsRdsDbInstance",
		"arn:aws:rds:us-east-1:123456789012:cluster:c":                                         "AwsRdsDbCluster",
		"arn:aws:sns:us-east-1:123456789012:topic":                                             "AwsSnsTopic",
		"arn:aws:sqs:us-east-1:123456789012:queue":                                             "AwsSqsQueue",
		"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/a/1":             "AwsElbv2LoadBalancer",
		"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/classic":             "AwsElbLoadBalancer",
		"arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:u:autoScalingGroupName/n": "AwsAutoScalingAutoScalingGroup",
		"arn:aws:wafv2:us-east-1:123456789012:regional/webacl/n/id":                            "AwsWafv2WebAcl",
		"arn:aws:guardduty:us-east-1:123456789012:detector/d":                                  "AwsGuardDutyDetector",
		"arn:aws:logs:us-east-1:123456789012:log-group:g":                                      "Other",
		"arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-1":                 "AwsEfsAccessPoint",
		"arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-1":                    "Other",
		"arn:aws:cloudfront::123456789012:distribution/E1":                                     "AwsCloudFrontDistribution",
		"arn:aws:apigateway:us-east-1::/restapis/a1":                                           "AwsApiGatewayRestApi",
		"arn:aws:apigateway:us-east-1::/restapis/a1/stages/prod":                               "AwsApiGatewayStage",
		"arn:aws:apigateway:us-east-1::/apis/a2":                                               "AwsApiGatewayV2Api",
		"arn:aws:apigateway:us-east-1::/apis/a2/stages/$default":                               "AwsApiGatewayV2Stage",
		"arn:aws:waf::123456789012:webacl/w1":                                                  "AwsWafWebAcl",
		"arn:aws:waf-regional:us-east-1:123456789012:rulegroup/g1":                             "AwsWafRegionalRuleGroup",
		"not an arn": "Other",
		"":           "Other",
	} {
		if got := ASFFResourceType(arn); got != want {
			t.Errorf("ASFFResourceType(%q) = %q, want %q", arn, got, want)
		}
	}
}

func TestParseOutputs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []string
		file   string
		want   []OutputSpec
		err    string
	}{
		{name: "default", want: []OutputSpec{{Format: "table"}}},
		{name: "default to file", file: "r.txt", want: []OutputSpec{{Format: "table", Path: "r.txt"}}},
		{name: "one format", values: []string{"json"}, file: "scan.json", want: []OutputSpec{{Format: "json", Path: "scan.json"}}},
		{name: "comma list to base", values: []string{"json,sarif"}, file: "out/report",
			want: []OutputSpec{{Format: "json", Path: "out/report.json"}, {Format: "sarif", Path: "out/report.sarif"}}},
		{name: "base with extension", values: []string{"ocsf", "asff"}, file: "r.asff.json",
			want: []OutputSpec{{Format: "ocsf", Path: "r.ocsf.jsonl"}, {Format: "asff", Path: "r.asff.json"}}},
		{name: "explicit files plus stdout", values: []string{"table", "sarif=a.sarif,html=a.html"},
			want: []OutputSpec{{Format: "table"}, {Format: "sarif", Path: "a.sarif"}, {Format: "html", Path: "a.html"}}},
		{name: "case and spaces", values: []string{" JSON , csv=x.csv "}, want: []OutputSpec{{Format: "json"}, {Format: "csv", Path: "x.csv"}}},
		{name: "two to stdout", values: []string{"json,sarif"}, err: "several formats would go to stdout"},
		{name: "unknown", values: []string{"xml"}, err: `unknown output format "xml"`},
		{name: "empty file", values: []string{"json="}, err: "missing file name"},
		{name: "same file twice", values: []string{"json=a", "csv=./a"}, err: "two outputs write to"},
		{name: "output-file unused", values: []string{"json=a.json"}, file: "b", err: "every --output names its own file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseOutputs(tc.values, tc.file)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestOpenOutputs(t *testing.T) {
	dir := t.TempDir()
	specs, err := ParseOutputs([]string{"table", "json=" + filepath.Join(dir, "r.json"), "sarif=" + filepath.Join(dir, "r.sarif")}, "")
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	o, err := OpenOutputs(specs, &stdout, testMeta(), Options{Color: true})
	if err != nil {
		t.Fatal(err)
	}
	fs := testFindings()
	for _, f := range fs {
		if err := o.Write(f); err != nil {
			t.Fatal(err)
		}
	}
	// Nothing is in place before Close.
	if _, err := os.Stat(filepath.Join(dir, "r.json")); !os.IsNotExist(err) {
		t.Errorf("report visible before Close: %v", err)
	}
	if err := o.Close(engine.Summarize(fs, 8)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "\x1b[") {
		t.Error("stdout table lost its colour")
	}
	for _, name := range []string{"r.json", "r.sarif"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(b) {
			t.Errorf("%s is not JSON", name)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("leftover files: %v", entries)
	}

	// Abort leaves nothing behind.
	dir2 := t.TempDir()
	o, err = OpenOutputs([]OutputSpec{{Format: "csv", Path: filepath.Join(dir2, "x.csv")}}, &stdout, testMeta(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	o.Write(fs[0])
	o.Abort()
	if entries, _ := os.ReadDir(dir2); len(entries) != 0 {
		t.Errorf("Abort left %v", entries)
	}
	// A missing directory is an error at open, not after the scan.
	if _, err := OpenOutputs([]OutputSpec{{Format: "csv", Path: filepath.Join(dir2, "no", "x.csv")}}, &stdout, testMeta(), Options{}); err == nil {
		t.Error("no error for a missing directory")
	}
}

// Streaming writers hold no findings: after writing many, the live heap
// (with the writer still open) has not grown with their number. The table,
// which must sort, is the control that shows the measurement works.
func TestStreamingWritersRetainNothing(t *testing.T) {
	const n = 8_000
	src := syntheticFindings(1)[0]
	live := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			w, err := NewWriter(format, io.Discard, testMeta(), Options{})
			if err != nil {
				t.Fatal(err)
			}
			base := live()
			for i := 0; i < n; i++ {
				f := src
				// Fresh strings per finding, as a real scan has.
				f.ResourceARN = fmt.Sprintf("arn:aws:s3:::bucket-%07d", i)
				f.Message = fmt.Sprintf("bucket-%07d is public", i)
				if err := w.Write(f); err != nil {
					t.Fatal(err)
				}
			}
			grown := int64(live()) - int64(base)
			runtime.KeepAlive(w)
			if err := w.Close(engine.Summary{}); err != nil {
				t.Fatal(err)
			}
			if format == FormatTable {
				if grown < n*100 {
					t.Errorf("table retained only %d bytes for %d findings: the measurement is broken", grown, n)
				}
				return
			}
			if grown > 512<<10 {
				t.Errorf("%s retained %d bytes after %d findings", format, grown, n)
			}
		})
	}
}
