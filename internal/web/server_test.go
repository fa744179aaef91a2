package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
	"github.com/demarc-sec/demarc/internal/store"
	"github.com/demarc-sec/demarc/internal/web"
	"github.com/demarc-sec/demarc/internal/web/webtest"
)

// One store for the package's tests: the example's two scans, and two
// synthetic scans of another account.
var shared struct {
	once   sync.Once
	dir    string
	st     store.Store
	fx     *webtest.Fixture
	synOld store.Scan
	synNew store.Scan
	err    error
}

const synAccount = "444455556666"

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.st != nil {
		shared.st.Close()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	if big.st != nil {
		big.st.Close()
	}
	if big.dir != "" {
		os.RemoveAll(big.dir)
	}
	os.Exit(code)
}

func fixture(t testing.TB) (*webtest.Fixture, store.Store) {
	t.Helper()
	shared.once.Do(func() {
		ctx := context.Background()
		if shared.dir, shared.err = os.MkdirTemp("", "demarc-web-"); shared.err != nil {
			return
		}
		if shared.st, shared.err = store.Open(ctx, filepath.Join(shared.dir, "demarc.db")); shared.err != nil {
			return
		}
		if shared.fx, shared.err = webtest.Fill(ctx, shared.st); shared.err != nil {
			return
		}
		t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
		if shared.synOld, shared.err = webtest.Synthetic(ctx, shared.st, synAccount, t0, 2000); shared.err != nil {
			return
		}
		shared.synNew, shared.err = webtest.Synthetic(ctx, shared.st, synAccount, t0.Add(24*time.Hour), 2400)
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.fx, shared.st
}

func handler(t testing.TB, o web.Options) http.Handler {
	t.Helper()
	srv, err := web.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return srv.Handler()
}

type resp struct {
	code int
	hdr  http.Header
	body string
}

func do(h http.Handler, method, target string, mod func(*http.Request)) resp {
	var body io.Reader
	r := httptest.NewRequest(method, target, body)
	r.Host = "127.0.0.1:8080"
	if mod != nil {
		mod(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return resp{w.Code, w.Result().Header, w.Body.String()}
}

func get(h http.Handler, target string) resp { return do(h, http.MethodGet, target, nil) }

var (
	tagRE      = regexp.MustCompile(`<[a-zA-Z][^>]*>`)
	handlerRE  = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	styleRE    = regexp.MustCompile(`(?i)\sstyle\s*=`)
	scriptRE   = regexp.MustCompile(`(?i)<script\b[^>]*>`)
	externalRE = regexp.MustCompile(`(?i)\s(?:src|href)\s*=\s*"(?:https?:)?//`)
	quotedRE   = regexp.MustCompile(`"[^"]*"`)
	seqRE      = regexp.MustCompile(`data-seq="(\d+)"`)
	totalRE    = regexp.MustCompile(`<span class="muted">([\d,]+) matching</span>`)
)

// inert checks a page for what the CSP forbids and what an injection
// would add: inline scripts and handlers, style attributes, a raw <img>,
// and anything loaded from elsewhere (external links to documentation are
// anchors, which load nothing).
func inert(t *testing.T, path, body string) {
	t.Helper()
	for _, tag := range tagRE.FindAllString(body, -1) {
		// Attribute values are quoted and escaped: only names count.
		bare := quotedRE.ReplaceAllString(tag, `""`)
		if handlerRE.MatchString(bare) || styleRE.MatchString(bare) {
			t.Errorf("%s: tag with an inline handler or style: %s", path, tag)
		}
		if strings.HasPrefix(strings.ToLower(tag), "<img") {
			t.Errorf("%s: an <img> in the page: %s", path, tag)
		}
		if externalRE.MatchString(tag) && !strings.HasPrefix(tag, "<a ") {
			t.Errorf("%s: loads from elsewhere: %s", path, tag)
		}
	}
	for _, s := range scriptRE.FindAllString(body, -1) {
		if !strings.Contains(s, ` src="/static/`) {
			t.Errorf("%s: inline or foreign script: %s", path, s)
		}
	}
	if strings.Contains(body, webtest.XSS) {
		t.Errorf("%s: the hostile markup appears unescaped", path)
	}
}

func TestPages(t *testing.T) {
	fx, st := fixture(t)
	h := handler(t, web.Options{Store: st, Version: "test"})
	id := fx.Newer.ID
	s := func(p string) string { return fmt.Sprintf("/s/%d%s", id, p) }
	escaped := "&lt;img src=x onerror=alert(1)&gt;"
	cases := []struct {
		path string
		want []string
	}{
		{"/", []string{"Account " + webtest.Account, "Account " + synAccount, "<svg", "Framework scores", "read(s) failed"}},
		{"/scans", []string{fmt.Sprintf(`href="/s/%d/"`, id), fmt.Sprintf(`href="/s/%d/"`, fx.Older.ID)}},
		{s("/"), []string{"new FAIL", "Coverage: what could not be read", fx.Newer.Coverage[0].Operation}},
		{s("/frameworks/cis-aws-5.0"), []string{"CIS Amazon Web Services Foundations Benchmark", "findings?control=cis-aws-5.0%3A"}},
		{s("/frameworks/aws-fsbp"), []string{"AWS Foundational Security Best Practices"}},
		{s("/matrix"), []string{`class="cell aws"`, "identity-and-access", "findings?rule="}},
		{s("/findings"), []string{`data-facet="status"`, "SUPPRESSED", escaped, "NEW"}},
		{s("/findings?status=FAIL&severity=critical"), []string{"Status: FAIL", "Severity: critical"}},
		{s("/findings?q=alice"), []string{"user/alice"}},
		{s("/inventory"), []string{`id="inv-counts"`}},
		{s("/inventory?service=ec2"), []string{escaped, "Name=" + escaped}},
		{s("/graph/privesc"), []string{`data-api="/s/`, `src="/static/graph.js"`}},
		{s("/graph/exposure"), []string{`data-kind="exposure"`}},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			r := get(h, c.path)
			if r.code != http.StatusOK {
				t.Fatalf("status %d: %.300s", r.code, r.body)
			}
			for _, w := range c.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			inert(t, c.path, r.body)
		})
	}
	// Every finding of the newer scan renders; the suppressed one says why.
	for seq := 1; seq <= len(fx.Findings); seq++ {
		p := s(fmt.Sprintf("/findings/%d", seq))
		r := get(h, p)
		if r.code != http.StatusOK {
			t.Fatalf("%s: %d", p, r.code)
		}
		inert(t, p, r.body)
		f := fx.Findings[seq-1]
		if f.Fingerprint == fx.Suppressed && !strings.Contains(r.body, "Suppressed: accepted until 2027-01-01: "+escaped) {
			t.Errorf("%s: the suppression reason is missing", p)
		}
		if f.ResourceARN == webtest.Alice && f.RuleID == "iam-privesc-path-to-admin" &&
			(!strings.Contains(r.body, "Privilege-escalation path") || !strings.Contains(r.body, "iam:CreateAccessKey")) {
			t.Errorf("%s: no privilege path as evidence", p)
		}
		if f.ResourceARN == fx.ExposedInstance && !strings.Contains(r.body, "Reachable from the internet") {
			t.Errorf("%s: no network path as evidence", p)
		}
	}
	// A matrix cell's several rules survive the filter form.
	r := get(h, s("/findings?rule=iam-user-mfa-enabled&rule=s3-bucket-public-read&status=FAIL"))
	for _, want := range []string{`<input type="hidden" name="rule" value="iam-user-mfa-enabled">`,
		`<input type="hidden" name="rule" value="s3-bucket-public-read">`, `<input type="hidden" name="status" value="FAIL">`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("multi-rule filter form lacks %s", want)
		}
	}
	for _, p := range []string{"/nope", s("/nope"), "/s/0/", "/s/abc/findings", "/s/99999/", s("/findings/0"), s("/findings/99999"),
		s("/frameworks/nope"), s("/graph/nope")} {
		if r := get(h, p); r.code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, r.code)
		}
	}
	for _, p := range []string{s("/findings?page=0"), s("/findings?size=5"), s("/findings?page=x"), s("/inventory?page=-1")} {
		if r := get(h, p); r.code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", p, r.code)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	fx, st := fixture(t)
	h := handler(t, web.Options{Store: st})
	for _, p := range []string{"/", fmt.Sprintf("/s/%d/findings", fx.Newer.ID), fmt.Sprintf("/s/%d/api/graph/privesc", fx.Newer.ID),
		"/static/app.js", "/nope"} {
		r := get(h, p)
		csp := r.hdr.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows inline code: %q", p, csp)
		}
		if r.hdr.Get("X-Content-Type-Options") != "nosniff" || r.hdr.Get("X-Frame-Options") != "DENY" || r.hdr.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", p, r.hdr)
		}
	}
	if ct := get(h, "/static/graph.js").hdr.Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("graph.js served as %q", ct)
	}
	if r := get(h, "/static/"); r.code != http.StatusNotFound {
		t.Errorf("static directory listing: %d", r.code)
	}
}

func TestReadOnly(t *testing.T) {
	fx, st := fixture(t)
	h := handler(t, web.Options{Store: st})
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, "PROPFIND"} {
		for _, p := range []string{"/", "/scans", fmt.Sprintf("/s/%d/findings", fx.Newer.ID), fmt.Sprintf("/s/%d/api/graph/privesc", fx.Newer.ID), "/static/app.css"} {
			r := do(h, m, p, nil)
			if r.code != http.StatusMethodNotAllowed || !strings.Contains(r.hdr.Get("Allow"), "GET") {
				t.Errorf("%s %s: %d (Allow %q)", m, p, r.code, r.hdr.Get("Allow"))
			}
		}
	}
	if r := do(h, http.MethodHead, "/", nil); r.code != http.StatusOK {
		t.Errorf("HEAD /: %d", r.code)
	}
}

// Without a token, only requests for a loopback name are answered.
func TestLoopbackHostOnly(t *testing.T) {
	_, st := fixture(t)
	h := handler(t, web.Options{Store: st})
	for host, want := range map[string]int{
		"127.0.0.1:8080": 200, "localhost:8080": 200, "[::1]:8080": 200, "127.0.0.1": 200, "app.localhost:1": 200,
		"evil.example": 403, "evil.example:8080": 403, "10.0.0.1:8080": 403, "localhost.evil.example": 403, "": 403,
	} {
		r := do(h, http.MethodGet, "/", func(r *http.Request) { r.Host = host })
		if r.code != want {
			t.Errorf("Host %q: %d, want %d", host, r.code, want)
		}
	}
}

func TestTokenRequired(t *testing.T) {
	fx, st := fixture(t)
	const token = "s3cret-token-0123456789abcdef"
	h := handler(t, web.Options{Store: st, Token: token})
	pages := []string{"/", "/scans", fmt.Sprintf("/s/%d/", fx.Newer.ID), fmt.Sprintf("/s/%d/findings?status=FAIL", fx.Newer.ID),
		fmt.Sprintf("/s/%d/findings/1", fx.Newer.ID), fmt.Sprintf("/s/%d/api/graph/privesc", fx.Newer.ID), "/static/app.js", "/nope"}
	bearer := func(v string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", v) }
	}
	cookie := func(v string) func(*http.Request) {
		return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "demarc_token", Value: v}) }
	}
	remote := func(mod func(*http.Request)) func(*http.Request) {
		return func(r *http.Request) {
			r.Host = "dashboard.example:8080" // a token makes any host acceptable
			if mod != nil {
				mod(r)
			}
		}
	}
	for _, p := range pages {
		for name, c := range map[string]struct {
			mod  func(*http.Request)
			want int
		}{
			"none":          {nil, 401},
			"wrong bearer":  {bearer("Bearer nope-nope-nope-nope"), 401},
			"empty bearer":  {bearer("Bearer "), 401},
			"basic":         {bearer("Basic " + token), 401},
			"prefix":        {bearer("Bearer " + token[:10]), 401},
			"wrong cookie":  {cookie("nope"), 401},
			"bearer":        {bearer("Bearer " + token), 200},
			"bearer case":   {bearer("bearer " + token), 200},
			"cookie":        {cookie(token), 200},
			"remote bearer": {remote(bearer("Bearer " + token)), 200},
			"remote none":   {remote(nil), 401},
		} {
			r := do(h, http.MethodGet, p, c.mod)
			want := c.want
			if p == "/nope" && want == 200 {
				want = 404
			}
			if r.code != want {
				t.Errorf("%s %s: %d, want %d", name, p, r.code, want)
			}
			if want == 401 && (strings.Contains(r.body, webtest.Account) || strings.Contains(r.body, "arn:aws")) {
				t.Errorf("%s %s: data in a refused response", name, p)
			}
		}
	}

	// First visit with ?token=: a cookie, and a redirect that drops it.
	p := fmt.Sprintf("/s/%d/findings?status=FAIL&token=%s", fx.Newer.ID, token)
	r := do(h, http.MethodGet, p, nil)
	if r.code != http.StatusSeeOther {
		t.Fatalf("?token=: %d", r.code)
	}
	if loc := r.hdr.Get("Location"); strings.Contains(loc, "token") || !strings.Contains(loc, "status=FAIL") {
		t.Errorf("?token= redirects to %q", loc)
	}
	sc := r.hdr.Get("Set-Cookie")
	for _, want := range []string{"demarc_token=" + token, "HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(sc, want) {
			t.Errorf("cookie %q lacks %q", sc, want)
		}
	}
	if r := do(h, http.MethodGet, "/?token=wrong-wrong-wrong", nil); r.code != 401 || r.hdr.Get("Set-Cookie") != "" {
		t.Errorf("wrong ?token=: %d, cookie %q", r.code, r.hdr.Get("Set-Cookie"))
	}

	// The login form.
	login := func(form url.Values, origin string) resp {
		return do(h, http.MethodPost, "/login", func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if origin != "" {
				r.Header.Set("Origin", origin)
			}
		})
	}
	if r := get(h, "/login"); r.code != 200 || !strings.Contains(r.body, `name="token"`) {
		t.Errorf("login page: %d", r.code)
	}
	if r := login(url.Values{"token": {"wrong-wrong-wrong"}, "next": {"/scans"}}, ""); r.code != 401 || r.hdr.Get("Set-Cookie") != "" {
		t.Errorf("wrong login: %d", r.code)
	}
	r = login(url.Values{"token": {token}, "next": {"/scans"}}, "http://127.0.0.1:8080")
	if r.code != http.StatusSeeOther || r.hdr.Get("Location") != "/scans" || !strings.Contains(r.hdr.Get("Set-Cookie"), "HttpOnly") {
		t.Errorf("login: %d → %q, cookie %q", r.code, r.hdr.Get("Location"), r.hdr.Get("Set-Cookie"))
	}
	if r := login(url.Values{"token": {token}}, "http://evil.example"); r.code != http.StatusForbidden || r.hdr.Get("Set-Cookie") != "" {
		t.Errorf("cross-origin login: %d", r.code)
	}
	if r := login(url.Values{"token": {token}}, "null"); r.code != http.StatusForbidden {
		t.Errorf("opaque-origin login: %d", r.code)
	}
	for _, next := range []string{"//evil.example/", "https://evil.example/", `/\evil.example`, "javascript:alert(1)"} {
		r := login(url.Values{"token": {token}, "next": {next}}, "")
		if loc := r.hdr.Get("Location"); loc != "/" {
			t.Errorf("next=%q redirects to %q", next, loc)
		}
	}
}

type graphJSON struct {
	Nodes []struct {
		ID, Label, Kind, Mark string
		Detail                []string
	} `json:"nodes"`
	Edges []struct {
		From, To, Label string
		Dashed          bool
	} `json:"edges"`
	TotalNodes int    `json:"total_nodes"`
	Truncated  bool   `json:"truncated"`
	Notice     string `json:"notice"`
	Error      string `json:"error"`
}

func graphOf(t *testing.T, h http.Handler, path string) (graphJSON, string) {
	t.Helper()
	r := get(h, path)
	if r.code != http.StatusOK || !strings.HasPrefix(r.hdr.Get("Content-Type"), "application/json") {
		t.Fatalf("%s: %d %s", path, r.code, r.hdr.Get("Content-Type"))
	}
	var g graphJSON
	if err := json.Unmarshal([]byte(r.body), &g); err != nil {
		t.Fatal(err)
	}
	return g, r.body
}

func (g graphJSON) ids() []string {
	var out []string
	for _, n := range g.Nodes {
		out = append(out, n.ID)
	}
	slices.Sort(out)
	return out
}

func TestGraphAPI(t *testing.T) {
	fx, st := fixture(t)
	h := handler(t, web.Options{Store: st})
	base := fmt.Sprintf("/s/%d/api/graph/", fx.Newer.ID)
	admin := "arn:aws:iam::" + webtest.Account + ":user/admin"

	g, _ := graphOf(t, h, base+"privesc")
	for _, id := range []string{webtest.Alice, webtest.Bob, webtest.Deployer, admin, "admin"} {
		if !slices.Contains(g.ids(), id) {
			t.Errorf("privesc graph lacks %s: %v", id, g.ids())
		}
	}
	has := func(g graphJSON, from, to, label string) bool {
		for _, e := range g.Edges {
			if e.From == from && e.To == to && e.Label == label {
				return true
			}
		}
		return false
	}
	if !has(g, webtest.Bob, webtest.Deployer, "sts:AssumeRole") || !has(g, webtest.Deployer, admin, "iam:CreateAccessKey") ||
		!has(g, webtest.Alice, admin, "iam:CreateAccessKey") || !has(g, admin, "admin", "admin-equivalent") {
		t.Errorf("privesc edges: %+v", g.Edges)
	}

	// Focus: the node and its neighbours.
	g, _ = graphOf(t, h, base+"privesc?focus="+url.QueryEscape(webtest.Alice))
	if want := []string{admin, webtest.Alice}; !slices.Equal(g.ids(), want) {
		t.Errorf("focus on alice: %v, want %v", g.ids(), want)
	}
	g, _ = graphOf(t, h, base+"privesc?depth=2&focus="+url.QueryEscape(webtest.Alice))
	if !slices.Contains(g.ids(), "admin") || !slices.Contains(g.ids(), webtest.Deployer) {
		t.Errorf("focus on alice, 2 hops: %v", g.ids())
	}
	// Filter: the matches and their neighbours.
	g, _ = graphOf(t, h, base+"privesc?q=BOB")
	if want := []string{webtest.Deployer, webtest.Bob}; !slices.Equal(g.ids(), want) {
		t.Errorf("filter bob: %v, want %v", g.ids(), want)
	}
	g, _ = graphOf(t, h, base+"privesc?focus=nobody")
	if g.Error == "" || len(g.Nodes) != 0 {
		t.Errorf("focus on a missing node: %+v", g)
	}

	// Exposure: internet → gateway → subnet → SG → the instance, whose
	// hostile Name reaches the browser as JSON-escaped text.
	g, raw := graphOf(t, h, base+"exposure")
	kinds := map[string]bool{}
	for _, n := range g.Nodes {
		kinds[n.Kind] = true
	}
	for _, k := range []string{"internet", "gateway", "subnet", "sg", "resource"} {
		if !kinds[k] {
			t.Errorf("exposure graph lacks a %s node: %+v", k, g.Nodes)
		}
	}
	if strings.Contains(raw, "<img") || !strings.Contains(raw, `\u003cimg src=x onerror=alert(1)\u003e`) {
		t.Errorf("exposure JSON does not escape the hostile name: %.400s", raw)
	}
	found := false
	for _, e := range g.Edges {
		if e.To == fx.ExposedInstance && strings.HasPrefix(e.Label, "tcp") {
			found = true
		}
	}
	if !found {
		t.Errorf("no tcp edge into the exposed instance: %+v", g.Edges)
	}
	if r := get(h, base+"nope"); r.code != http.StatusNotFound {
		t.Errorf("unknown graph kind: %d", r.code)
	}
	if r := get(h, "/s/99999/api/graph/privesc"); r.code != http.StatusNotFound {
		t.Errorf("graph of a missing scan: %d", r.code)
	}
}

// The findings pages give the same answers from the in-memory index and
// from the store's SQL (used when a scan is too large to index).
// The pages of an indexed scan are those the store gives for a scan too
// large to index, whichever part of the index (keys, text, new FAILs) a
// first visit loads and whichever later visits add.
func TestIndexAndStoreAgree(t *testing.T) {
	fx, st := fixture(t)
	indexed := handler(t, web.Options{Store: st})
	sql := handler(t, web.Options{Store: st, MaxIndexedFindings: 1})
	newRE := regexp.MustCompile(`([\d,]+) new FAIL`)
	queries := []string{
		"", "status=FAIL", "status=UNKNOWN&status=MANUAL", "severity=high", "service=iam&region=global",
		"q=bucket", "q=arn:aws:", "q=DOES-NOT-EXIST", "resource=user/", "suppressed=only", "suppressed=hide", "new=1",
		"control=cis-aws-5.0:1.3", "layer=identity-and-access", "order=recorded", "page=2&size=25", "status=FAIL&order=recorded&page=3&size=10",
		"rule=iam-user-mfa-enabled&rule=s3-bucket-public-read",
	}
	for _, scan := range []int64{fx.Newer.ID, shared.synNew.ID} {
		// An index that has read the resource ARNs but not the messages.
		arnsOnly := handler(t, web.Options{Store: st})
		get(arnsOnly, fmt.Sprintf("/s/%d/findings?resource=zzz", scan))
		for _, q := range queries {
			p := fmt.Sprintf("/s/%d/findings?%s", scan, q)
			cold := handler(t, web.Options{Store: st})
			b := get(sql, p)
			for name, h := range map[string]http.Handler{"warm index": indexed, "cold index": cold, "index with ARNs": arnsOnly} {
				a := get(h, p)
				if a.code != 200 || b.code != 200 {
					t.Fatalf("%s: %d / %d", p, a.code, b.code)
				}
				sa, sb := seqRE.FindAllStringSubmatch(a.body, -1), seqRE.FindAllStringSubmatch(b.body, -1)
				ta, tb := totalRE.FindStringSubmatch(a.body), totalRE.FindStringSubmatch(b.body)
				if fmt.Sprint(sa) != fmt.Sprint(sb) || fmt.Sprint(ta) != fmt.Sprint(tb) {
					t.Errorf("%s: %s %v rows %d, store %v rows %d", p, name, ta, len(sa), tb, len(sb))
				}
			}
		}
		// The scan summary's count of new FAILs is the store's.
		nf := totalRE.FindStringSubmatch(get(sql, fmt.Sprintf("/s/%d/findings?new=1", scan)).body)
		for name, h := range map[string]http.Handler{"warm index": indexed, "cold index": handler(t, web.Options{Store: st})} {
			m := newRE.FindStringSubmatch(get(h, fmt.Sprintf("/s/%d/", scan)).body)
			if m == nil || nf == nil || m[1] != nf[1] {
				t.Errorf("scan %d: %s says %v new FAILs, store %v", scan, name, m, nf)
			}
		}
	}
}

// A scan recorded without the artifacts still gets every page.
func TestScanWithoutArtifacts(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "bare.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var fs []engine.Finding
	for i, r := range checks.Default().Rules()[:30] {
		arn := fmt.Sprintf("arn:aws:ec2:us-east-1:123456789012:instance/i-%04d", i)
		status := []checks.Status{checks.Fail, checks.Pass, checks.Unknown}[i%3]
		fs = append(fs, engine.Finding{RuleID: r.ID, Title: r.Title, Service: r.Service, Status: status, Severity: r.Severity,
			Responsibility: r.Responsibility, ResourceARN: arn, Region: "us-east-1", AccountID: "123456789012",
			Frameworks: r.Frameworks, Message: "m", Fingerprint: engine.Fingerprint(r.ID, "123456789012", arn, "us-east-1")})
	}
	sc, err := st.SaveScan(ctx, store.Scan{AccountID: "123456789012", Partition: "aws", Regions: []string{"us-east-1"},
		CollectedAt: time.Now()}, fs)
	if err != nil {
		t.Fatal(err)
	}
	h := handler(t, web.Options{Store: st})
	for p, want := range map[string]string{
		"/":                                             "Scores rebuilt from the findings",
		fmt.Sprintf("/s/%d/", sc.ID):                    "recorded without the dashboard",
		fmt.Sprintf("/s/%d/matrix", sc.ID):              "rebuilt from the findings",
		fmt.Sprintf("/s/%d/inventory", sc.ID):           "the resources the findings name",
		fmt.Sprintf("/s/%d/findings", sc.ID):            "30 matching",
		fmt.Sprintf("/s/%d/frameworks/aws-fsbp", sc.ID): "Rebuilt from the findings",
	} {
		r := get(h, p)
		if r.code != 200 || !strings.Contains(r.body, want) {
			t.Errorf("%s: %d, lacks %q", p, r.code, want)
		}
	}
	// A failing rule must show as FAIL in the rebuilt matrix and scores.
	if r := get(h, fmt.Sprintf("/s/%d/matrix", sc.ID)); !strings.Contains(r.body, `class="cell st-fail"`) {
		t.Error("rebuilt matrix shows no FAIL")
	}
	g, _ := graphOf(t, h, fmt.Sprintf("/s/%d/api/graph/privesc", sc.ID))
	if !strings.Contains(g.Error, "without the privesc analysis") {
		t.Errorf("graph without artifact: %q", g.Error)
	}

	// An analysis that failed at record time is reported, not drawn empty.
	a, _ := store.Artifacts(st)
	if err := a.PutArtifact(ctx, sc.ID, store.ArtifactExposure, []byte(`{"error":"boom <b>"}`)); err != nil {
		t.Fatal(err)
	}
	h = handler(t, web.Options{Store: st})
	g, raw := graphOf(t, h, fmt.Sprintf("/s/%d/api/graph/exposure", sc.ID))
	if !strings.Contains(g.Error, "analysis failed") || !strings.Contains(g.Error, "boom <b>") || strings.Contains(raw, "<b>") {
		t.Errorf("failed analysis: %q", raw)
	}
}

// The inventory's FAIL and UNKNOWN counts per resource, read for the
// resources of one page, are those of the resource's findings.
func TestInventoryCounts(t *testing.T) {
	_, st := fixture(t)
	h := handler(t, web.Options{Store: st})
	rowRE := regexp.MustCompile(`<td class="arn">([^<]+)</td><td>([^<]+)</td>\s*<td class="tags">.*?</td>\s*<td><a href="[^"]*">(?:<span class="badge st-fail">(\d+) FAIL</span>)?(?: <span class="badge st-unknown">(\d+) UNKNOWN</span>)?`)
	for _, p := range []string{"", "?page=3", "?region=us-west-2"} {
		r := get(h, fmt.Sprintf("/s/%d/inventory%s", shared.synNew.ID, p))
		rows := rowRE.FindAllStringSubmatch(r.body, -1)
		if r.code != 200 || len(rows) != 100 {
			t.Fatalf("inventory%s: %d, %d rows", p, r.code, len(rows))
		}
		for _, row := range rows[:10] {
			for i, status := range []string{"FAIL", "UNKNOWN"} {
				want := totalRE.FindStringSubmatch(get(h, fmt.Sprintf("/s/%d/findings?resource=%s&region=%s&status=%s&suppressed=hide",
					shared.synNew.ID, url.QueryEscape(row[1]), row[2], status)).body)
				got := row[3+i]
				if got == "" {
					got = "0"
				}
				if want == nil || want[1] != got {
					t.Errorf("inventory%s: %s %s: %s %s, findings say %v", p, row[1], row[2], got, status, want)
				}
			}
		}
	}
}
