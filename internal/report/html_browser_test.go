package report

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
)

// These tests open the HTML report in a real headless Chromium: the hostile
// strings must not execute, the CSP hashes must admit our own script and
// style (and nothing else), and 100k findings must render without freezing.
// Without Chromium they skip, unless DEMARC_REQUIRE_CHROMIUM=1 (CI).

func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("DEMARC_REQUIRE_CHROMIUM") == "1" {
		t.Fatal("DEMARC_REQUIRE_CHROMIUM=1 but no chromium on PATH")
	}
	t.Skip("no chromium on PATH (set DEMARC_REQUIRE_CHROMIUM=1 to require it)")
	return ""
}

// browse opens file in a fresh headless browser, recording CSP violations
// in window.__csp before any of the page's own code runs, and waits until
// the report's script has rendered. It returns the tab's context, bounded
// by timeout, for further actions, and how long the page took from
// navigation until the first page of rows was rendered.
func browse(t *testing.T, file string, timeout time.Duration) (context.Context, time.Duration) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, // CI runs as root
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelA)
	bctx, cancelC := chromedp.NewContext(actx)
	t.Cleanup(cancelC)
	// The first run starts the browser and must not carry a timeout.
	if err := chromedp.Do(bctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) { window.__csp.push(e.violatedDirective + " " + e.blockedURI); });`,
		})
		return err
	})); err != nil {
		t.Fatalf("start browser: %v", err)
	}
	ctx, cancelT := context.WithTimeout(bctx, timeout)
	t.Cleanup(cancelT)
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+file), chromedp.WaitVisible(chromedp.CSS(`body[data-ready]`))); err != nil {
		t.Fatalf("load report: %v", err)
	}
	return ctx, time.Since(start)
}

type inertResult struct {
	Pwned      bool     `json:"pwned"`
	CSP        []string `json:"csp"`
	Rows       int      `json:"rows"`
	Scripts    int      `json:"scripts"`
	Elements   int      `json:"elements"`
	Cells      []string `json:"cells"`
	Suppressed string   `json:"suppressed"`
}

func TestHTMLInBrowserInert(t *testing.T) {
	file := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(file, render(t, FormatHTML), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, _ := browse(t, file, 60*time.Second)
	res, err := chromedp.Run(ctx, chromedp.Evaluate[inertResult](`({
		pwned: window.__pwned !== undefined,
		csp: window.__csp,
		rows: document.querySelectorAll("#rows tr").length,
		scripts: document.scripts.length,
		elements: document.querySelectorAll("img, iframe, object, embed, link, base, form").length,
		cells: Array.from(document.querySelectorAll("#rows td:nth-child(5), #rows td:nth-child(6)")).map(function (c) { return c.textContent; }),
		suppressed: (document.querySelector("#rows .supp") || {}).textContent || ""
	})`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Pwned {
		t.Error("a hostile string executed script")
	}
	if len(res.CSP) > 0 {
		t.Errorf("CSP violations (a hash does not match, or something tried to load): %v", res.CSP)
	}
	if res.Rows != len(testFindings()) || res.Scripts != 3 || res.Elements != 0 {
		t.Errorf("rows %d scripts %d injected elements %d", res.Rows, res.Scripts, res.Elements)
	}
	want := map[string]bool{}
	for _, f := range testFindings() {
		want[SanitizeLine(f.ResourceARN)] = true
		want[SanitizeLine(f.Message)] = true
	}
	for _, c := range res.Cells {
		if !want[c] && !want[trimSupp(c)] {
			t.Errorf("cell text %q is not a finding's (sanitized) text", c)
		}
	}
	if res.Suppressed == "" {
		t.Error("suppressed finding not marked")
	}
}

func trimSupp(c string) string {
	for _, f := range testFindings() {
		if f.Suppressed {
			m := SanitizeLine(f.Message)
			if len(c) >= len(m) && c[:len(m)] == m {
				return m
			}
		}
	}
	return c
}

// 100k findings: the page must be usable within seconds, and paging and
// filtering must stay fast, because only one page of rows is in the DOM.
func TestHTMLInBrowser100k(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	chromium(t)
	const n = 100_000
	file := filepath.Join(t.TempDir(), "big.html")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	w, err := NewWriter(FormatHTML, bw, testMeta(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range syntheticFindings(n) {
		if err := w.Write(x); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(engine.Summary{Total: n}); err != nil {
		t.Fatal(err)
	}
	bw.Flush()
	f.Close()
	st, _ := os.Stat(file)

	ctx, loaded := browse(t, file, 120*time.Second)
	// Time spent in the report's own work (JSON.parse, sort, first page),
	// apart from reading and parsing the file, which depend on the machine.
	scriptMs, err := chromedp.Run(ctx, chromedp.Evaluate[int](`+document.body.getAttribute("data-render-ms")`))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#rows tr").length`))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("next"))); err != nil {
		t.Fatal(err)
	}
	pageInfo, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("page-info")))
	if err != nil {
		t.Fatal(err)
	}
	filtered, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(function () {
		var s = document.getElementById("f-status");
		s.value = "UNKNOWN";
		s.dispatchEvent(new Event("change"));
		return document.getElementById("page-info").textContent;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	interact := time.Since(start)
	t.Logf("%d findings, %.1f MB HTML: usable after %v (script %d ms); next page + filter %v",
		n, float64(st.Size())/1e6, loaded, scriptMs, interact)
	if rows != 100 {
		t.Errorf("%d rows in the DOM, want one page of 100", rows)
	}
	if pageInfo != fmt.Sprintf("101–200 of %d (page 2 of %d)", n, n/100) {
		t.Errorf("page info %q", pageInfo)
	}
	if want := fmt.Sprintf("of %d (page 1 of", n/4); !strings.Contains(filtered, want) {
		t.Errorf("filtered page info %q lacks %q", filtered, want)
	}
	// Generous bounds: the machine may be shared; a report that rendered
	// every row into the DOM would take minutes here, not seconds.
	if scriptMs > 5000 || interact > 5*time.Second || loaded > 90*time.Second {
		t.Errorf("too slow: load %v (script %d ms), interaction %v", loaded, scriptMs, interact)
	}
}

// syntheticFindings makes n varied findings (a quarter of each status) for
// size and speed tests.
func syntheticFindings(n int) []engine.Finding {
	statuses := []checks.Status{checks.Fail, checks.Pass, checks.Unknown, checks.Manual}
	sevs := []checks.Severity{checks.Critical, checks.High, checks.Medium, checks.Low, checks.Info}
	out := make([]engine.Finding, n)
	for i := range out {
		rule := fmt.Sprintf("rule-%03d", i%150)
		arn := fmt.Sprintf("arn:aws:s3:::bucket-%07d", i)
		out[i] = engine.Finding{
			RuleID: rule, Title: "Synthetic rule " + rule, Service: "s3", Status: statuses[i%4], Severity: sevs[(i/4)%5],
			Responsibility: checks.LayerData, ResourceARN: arn, Region: "us-east-1", AccountID: "123456789012",
			Frameworks:  map[string][]string{checks.FSBP: {"S3.1"}, checks.CIS50: {"2.1.4"}},
			Message:     fmt.Sprintf("bucket-%07d does not block public access (public ACL and policy)", i),
			Fingerprint: engine.Fingerprint(rule, "123456789012", arn, "us-east-1"),
		}
	}
	return out
}
