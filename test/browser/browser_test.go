package browser

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/demarc-sec/demarc/internal/store"
	"github.com/demarc-sec/demarc/internal/web"
	"github.com/demarc-sec/demarc/internal/web/webtest"
)

// chromiumPath finds the browser, or skips (fails under
// DEMARC_REQUIRE_CHROMIUM=1).
func chromiumPath(t *testing.T) string {
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

// artifactsDir is where screenshots go.
func artifactsDir(t *testing.T) string {
	if d := os.Getenv("DEMARC_ARTIFACTS_DIR"); d != "" {
		dir := filepath.Join(d, "browser")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// guard is injected before any page script: it records CSP violations,
// uncaught errors and any call of alert/confirm/prompt, so a test can tell
// that nothing ran that should not have.
const guard = `window.__csp = [];
window.__errors = [];
window.__alerts = 0;
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
});
window.addEventListener("error", function (e) { window.__errors.push(String(e.message || e.type)); }, true);
["alert", "confirm", "prompt"].forEach(function (n) {
  var orig = window[n];
  window[n] = function () { window.__alerts++; return orig.apply(window, arguments); };
});`

// browser is one headless Chromium tab with its dialog log.
type browser struct {
	t       *testing.T
	ctx     context.Context
	base    string
	shots   string
	mu      sync.Mutex
	dialogs []string
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelA)
	bctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(cancelB)
	b := &browser{t: t, base: base, shots: artifactsDir(t)}
	// Start the browser (no timeout on the first run), install the guard,
	// and record every JavaScript dialog, dismissing it so nothing hangs.
	if err := chromedp.Do(bctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: guard})
		return err
	})); err != nil {
		t.Fatalf("start browser: %v", err)
	}
	dialogs := chromedp.Events(bctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.dialogs = append(b.dialogs, ev.Type.String()+": "+ev.Message)
			b.mu.Unlock()
			chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	ctx, cancelT := context.WithTimeout(bctx, 90*time.Second)
	t.Cleanup(cancelT)
	b.ctx = ctx
	return b
}

// open navigates and waits until app.js has run.
func (b *browser) open(path string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Navigate(b.base+path), chromedp.WaitReady(chromedp.CSS(`body[data-ready]`))); err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
}

// click clicks and waits for the next page to load.
func (b *browser) click(sel string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))); err != nil {
		b.t.Fatalf("click %s: %v", sel, err)
	}
	if err := chromedp.Do(b.ctx, chromedp.WaitReady(chromedp.CSS(`body[data-ready]`))); err != nil {
		b.t.Fatalf("after click %s: %v", sel, err)
	}
}

func eval[T any](b *browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("evaluate %q: %v", js, err)
	}
	return v
}

func (b *browser) location() string {
	return eval[string](b, `window.location.pathname + window.location.search`)
}

// screenshot saves the whole page.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	buf, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(b.shots, name+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", p)
}

type inert struct {
	CSP    []string `json:"csp"`
	Errors []string `json:"errors"`
	Alerts int      `json:"alerts"`
	Images int      `json:"images"`
	Inline int      `json:"inline"`
}

// checkInert asserts that the page ran no injected code: no dialog, no
// alert call, no CSP violation, no error, no <img> (the dashboard has
// none, so one would be injected), no inline script or handler.
func (b *browser) checkInert(where string) {
	b.t.Helper()
	r := eval[inert](b, `({
		csp: window.__csp, errors: window.__errors, alerts: window.__alerts,
		images: document.querySelectorAll("img").length,
		inline: Array.from(document.querySelectorAll("script")).filter(function (s) { return !s.src; }).length +
			Array.from(document.querySelectorAll("*")).filter(function (e) {
				return Array.from(e.attributes).some(function (a) { return /^on/i.test(a.name); });
			}).length
	})`)
	b.mu.Lock()
	dialogs := append([]string(nil), b.dialogs...)
	b.mu.Unlock()
	if len(dialogs) > 0 || r.Alerts > 0 {
		b.t.Errorf("%s: a dialog opened (script ran): %v, alert calls %d", where, dialogs, r.Alerts)
	}
	if len(r.CSP) > 0 {
		b.t.Errorf("%s: CSP violations: %v", where, r.CSP)
	}
	if len(r.Errors) > 0 {
		b.t.Errorf("%s: page errors: %v", where, r.Errors)
	}
	if r.Images > 0 || r.Inline > 0 {
		b.t.Errorf("%s: %d <img> and %d inline script/handler elements in the DOM", where, r.Images, r.Inline)
	}
}

func (b *browser) text(sel string) string {
	return eval[string](b, fmt.Sprintf(`(document.querySelector(%q) || {textContent: ""}).textContent`, sel))
}

func (b *browser) count(sel string) int {
	return eval[int](b, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}

// waitFor polls a JavaScript condition.
func (b *browser) waitFor(what, cond string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if eval[bool](b, cond) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatalf("timed out waiting for %s (%s)", what, cond)
}

func TestDashboard(t *testing.T) {
	chromiumPath(t)
	start := time.Now()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "demarc.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fx, err := webtest.Fill(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Options{Store: st, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	b := newBrowser(t, ts.URL)
	t.Logf("store filled and browser started in %v", time.Since(start))
	scan := fmt.Sprintf("/s/%d", fx.Newer.ID)

	t.Run("overview", func(t *testing.T) {
		b.t = t
		b.open("/")
		if h := b.text(".card h2"); !strings.Contains(h, webtest.Account) {
			t.Errorf("overview card title %q", h)
		}
		if n := b.count("figure.chart svg"); n != 2 {
			t.Errorf("%d trend charts, want 2", n)
		}
		if n := b.count("figure.chart svg polyline.line"); n == 0 {
			t.Error("no score line in the trend chart")
		}
		if n := b.count("table.scores tbody tr"); n < 2 {
			t.Errorf("%d score rows", n)
		}
		b.checkInert("overview")
		b.screenshot("01-overview")
		b.click(`.main-nav a[href="/scans"]`)
		if n := b.count("table.data tbody tr"); n != 2 {
			t.Errorf("%d scans listed, want 2", n)
		}
		b.checkInert("scans")
		b.open(scan + "/frameworks/cis-aws-5.0")
		if n := b.count("table.controls tbody tr"); n < 50 {
			t.Errorf("%d CIS controls", n)
		}
		b.checkInert("framework")
		b.screenshot("01b-framework")
		b.open("/")
	})

	t.Run("scan summary", func(t *testing.T) {
		b.t = t
		b.click(`a[href="` + scan + `/"]`)
		if loc := b.location(); loc != scan+"/" {
			t.Errorf("at %s", loc)
		}
		if n := b.count("#coverage table tbody tr"); n != len(fx.Newer.Coverage) {
			t.Errorf("%d coverage rows, want %d", n, len(fx.Newer.Coverage))
		}
		if !strings.Contains(b.text("#new-link"), "new FAIL") {
			t.Errorf("no new-since-last link: %q", b.text("#new-link"))
		}
		b.checkInert("scan summary")
		b.screenshot("02-scan")
	})

	t.Run("matrix", func(t *testing.T) {
		b.t = t
		b.click(`.scan-nav a[href="` + scan + `/matrix"]`)
		if n := b.count("#matrix tbody tr"); n < 3 {
			t.Fatalf("%d matrix rows", n)
		}
		if n := b.count("#matrix td.cell.aws"); n == 0 {
			t.Error("no AWS-owned cell")
		}
		b.screenshot("03-matrix")
		// A failing cell leads to the findings behind it.
		layer := eval[string](b, `document.querySelector("#matrix td.st-fail a").getAttribute("data-layer")`)
		b.click("#matrix td.st-fail a")
		if !strings.Contains(b.location(), "/findings?rule=") {
			t.Errorf("matrix cell went to %s", b.location())
		}
		if n := b.count("#findings tbody tr[data-seq]"); n == 0 {
			t.Errorf("no findings behind the %s cell", layer)
		}
		b.checkInert("matrix")
	})

	t.Run("findings filter", func(t *testing.T) {
		b.t = t
		b.open(scan + "/findings")
		all := b.count("#findings tbody tr[data-seq]")
		b.click(`.facet[data-facet="status"] a[data-value="FAIL"]`)
		if !strings.Contains(b.location(), "status=FAIL") {
			t.Errorf("after the filter click: %s", b.location())
		}
		rows := b.count("#findings tbody tr[data-seq]")
		fails := b.count("#findings tbody tr.st-fail")
		if rows == 0 || rows != fails || rows > all {
			t.Errorf("FAIL filter: %d rows, %d FAIL (unfiltered %d)", rows, fails, all)
		}
		if !strings.Contains(b.text("#chips"), "Status: FAIL") {
			t.Errorf("no chip for the filter: %q", b.text("#chips"))
		}
		if !strings.Contains(b.text(`.facet[data-facet="status"] a.active`), "FAIL") {
			t.Error("the FAIL facet is not marked active")
		}
		// Full-text search through the form.
		if err := chromedp.Do(b.ctx, chromedp.SetValue(chromedp.ID("q"), "alice")); err != nil {
			t.Fatal(err)
		}
		b.click(`#filters button[type=submit]`)
		if loc := b.location(); !strings.Contains(loc, "q=alice") || strings.Contains(loc, "resource=") {
			t.Errorf("search went to %s (empty fields must stay out of the address)", loc)
		}
		if n := b.count("#findings tbody tr[data-seq]"); n == 0 || n != b.count(`#findings tbody tr td.arn`) {
			t.Errorf("search rows %d", n)
		}
		if !strings.Contains(strings.ToLower(b.text("#findings tbody")), "alice") {
			t.Error("search results do not mention alice")
		}
		b.checkInert("findings")
		b.screenshot("04-findings-filtered")
		// New since the previous scan: every row marked.
		b.open(scan + "/findings?new=1")
		if n, marked := b.count("#findings tbody tr[data-seq]"), b.count("#findings tbody tr.is-new .badge.new"); n == 0 || n != marked {
			t.Errorf("new filter: %d rows, %d marked NEW", n, marked)
		}
	})

	t.Run("finding page", func(t *testing.T) {
		b.t = t
		b.open(scan + "/findings?status=FAIL&suppressed=hide")
		b.click("#findings tbody tr a.finding-link")
		if b.text("#finding-title") == "" || b.text("#message") == "" {
			t.Error("finding page without title or message")
		}
		if b.count("#remediation") != 1 {
			t.Error("no remediation section")
		}
		if b.count("#fix-cli")+b.count("#fix-terraform") == 0 {
			t.Error("no CLI or Terraform remediation")
		}
		b.checkInert("finding")
		b.screenshot("05-finding")
		// The suppressed finding: marked, with its (hostile) reason as text.
		b.open(scan + "/findings?suppressed=only")
		b.click("#findings tbody tr a.finding-link")
		if b.count("#supp-badge") != 1 {
			t.Error("suppressed finding not marked")
		}
		if r := b.text("#supp-reason"); !strings.Contains(r, webtest.XSS) {
			t.Errorf("suppression reason %q does not show the markup as text", r)
		}
		b.checkInert("suppressed finding")
		// A principal with an escalation path: the evidence links the graph.
		b.open(scan + "/findings?q=user/alice&status=FAIL")
		if b.count("#findings tbody tr[data-seq]") > 0 {
			b.click("#findings tbody tr a.finding-link")
			if b.count("#evidence") == 1 && b.count("#graph-link") != 1 {
				t.Error("evidence without a link to the privilege graph")
			}
		}
	})

	t.Run("privilege graph", func(t *testing.T) {
		b.t = t
		b.open(scan + "/")
		b.click(`#nav-privesc`)
		b.waitFor("the graph", `document.querySelector("#graph[data-rendered] svg g.node") !== null`)
		labels := eval[[]string](b, `Array.from(document.querySelectorAll("#graph g.node text")).map(function (t) { return t.textContent; })`)
		for _, want := range []string{"user/alice", "user/bob", "role/deployer", "user/admin", "administrator"} {
			if !containsStr(labels, want) {
				t.Errorf("graph lacks %q: %v", want, labels)
			}
		}
		if n := b.count("#graph g.edge"); n < 4 {
			t.Errorf("%d edges", n)
		}
		b.screenshot("06-privesc-graph")
		// Focus on bob: his neighbours, and his details.
		if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(`#graph g.node[data-id="`+webtest.Bob+`"]`))); err != nil {
			t.Fatal(err)
		}
		b.waitFor("focus", `document.querySelector("#graph g.node.focused") !== null && document.querySelector("#graph-details h2") !== null`)
		if h := b.text("#graph-details h2"); h != "user/bob" {
			t.Errorf("details of %q", h)
		}
		if !strings.Contains(b.text("#graph-details"), "sts:AssumeRole") {
			t.Error("details do not show bob's technique")
		}
		if !strings.Contains(b.location(), "focus=") {
			t.Errorf("focus not kept in the address: %s", b.location())
		}
		b.screenshot("07-privesc-focus")
		// The filter box.
		if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.ID("graph-reset")), chromedp.SendKeys(chromedp.ID("graph-filter"), "deployer")); err != nil {
			t.Fatal(err)
		}
		b.waitFor("the filtered graph", `document.querySelector("#graph").getAttribute("data-nodes") !== null &&
			Array.from(document.querySelectorAll("#graph g.node")).every(function (g) { return g.getAttribute("data-id") !== "`+webtest.Alice+`"; }) &&
			document.querySelector('#graph g.node[data-id="`+webtest.Deployer+`"]') !== null`)
		b.checkInert("privilege graph")
	})

	t.Run("exposure graph and hostile tag", func(t *testing.T) {
		b.t = t
		b.open(scan + "/graph/exposure")
		b.waitFor("the graph", `document.querySelector("#graph[data-rendered] svg g.node") !== null`)
		titles := eval[[]string](b, `Array.from(document.querySelectorAll("#graph g.node > title")).map(function (t) { return t.textContent; })`)
		found := false
		for _, s := range titles {
			if strings.Contains(s, webtest.XSS) {
				found = true
			}
		}
		if !found {
			t.Errorf("the exposed instance's Name does not show as text: %v", titles)
		}
		for _, kind := range []string{"internet", "gateway", "subnet", "sg", "resource"} {
			if b.count("#graph g.node.kind-"+kind) == 0 {
				t.Errorf("exposure graph lacks a %s node", kind)
			}
		}
		b.checkInert("exposure graph")
		b.screenshot("08-exposure-graph")
	})

	t.Run("inventory", func(t *testing.T) {
		b.t = t
		b.open(scan + "/inventory?service=ec2")
		names := eval[[]string](b, `Array.from(document.querySelectorAll("#inventory td.name")).map(function (t) { return t.textContent; })`)
		if !containsStr(names, webtest.XSS) {
			t.Errorf("the hostile Name tag is not shown as text: %v", names)
		}
		if !strings.Contains(b.text("#inventory"), "Name="+webtest.XSS) {
			t.Error("the hostile tag value is not shown as text")
		}
		if b.count("#inv-counts tbody tr") == 0 {
			t.Error("no counts by service and region")
		}
		b.checkInert("inventory")
		b.screenshot("09-inventory")
	})
	t.Logf("browser tests took %v", time.Since(start))
}

// TestLogin signs in through the form of a server that requires a token.
func TestLogin(t *testing.T) {
	chromiumPath(t)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "demarc.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := webtest.Synthetic(ctx, st, "444455556666", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), 500); err != nil {
		t.Fatal(err)
	}
	const token = "correct-horse-battery-staple-0123"
	srv, err := web.New(web.Options{Store: st, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	b := newBrowser(t, ts.URL)

	if err := chromedp.Do(b.ctx, chromedp.Navigate(ts.URL+"/scans"), chromedp.WaitVisible(chromedp.CSS(`input[name=token]`))); err != nil {
		t.Fatal(err)
	}
	if n := b.count("table.data"); n != 0 {
		t.Fatal("data shown without the token")
	}
	if err := chromedp.Do(b.ctx, chromedp.SendKeys(chromedp.CSS(`input[name=token]`), "wrong-token-wrong-token")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(b.ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Submit(chromedp.CSS(`input[name=token]`)))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.text("main"), "Wrong token") {
		t.Fatalf("wrong token accepted or not reported: %q at %s: %s", b.text("main"), b.location(), eval[string](b, `document.documentElement.outerHTML`))
	}
	if err := chromedp.Do(b.ctx, chromedp.SendKeys(chromedp.CSS(`input[name=token]`), token)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(b.ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Submit(chromedp.CSS(`input[name=token]`)))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(b.ctx, chromedp.WaitReady(chromedp.CSS(`body[data-ready]`))); err != nil {
		t.Fatal(err)
	}
	if loc := b.location(); loc != "/scans" {
		t.Errorf("after sign-in at %s, want /scans", loc)
	}
	if n := b.count("table.data tbody tr"); n != 1 {
		t.Errorf("%d scans listed after sign-in", n)
	}
	// The cookie is HttpOnly: page scripts cannot read the token.
	if c := eval[string](b, `document.cookie`); strings.Contains(c, token) {
		t.Error("the token cookie is readable by scripts")
	}
	b.checkInert("after sign-in")
	b.screenshot("10-signed-in")
}

func containsStr(xs []string, want string) bool {
	for _, x := range xs {
		if x == want {
			return true
		}
	}
	return false
}
