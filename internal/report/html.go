package report

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/demarc-sec/demarc/internal/engine"
	"github.com/demarc-sec/demarc/internal/model/core"
)

// The HTML report is one self-contained file: no external assets, a strict
// Content-Security-Policy that allows only this file's own script and style
// (by hash), every header string escaped by html/template, and the findings
// embedded as JSON in <script type="application/json"> elements. encoding/json
// escapes <, > and & (and U+2028/2029), so no data can close the element; the
// script reads the JSON with JSON.parse and renders with textContent only,
// one page of rows at a time, so 100k findings stay responsive.

const htmlCSS = `
:root{--fail:#b3261e;--unknown:#8a5a00;--pass:#1e6b35;--muted:#5f6368;--line:#dadce0}
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#202124}
header,main{padding:12px 20px}
header{border-bottom:1px solid var(--line);background:#f8f9fa}
h1{font-size:20px;margin:0 0 8px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
dt{color:var(--muted)}dd{margin:0;word-break:break-all}
.partial{color:var(--fail);font-weight:600}
#summary{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}
.card{border:1px solid var(--line);border-radius:6px;padding:6px 12px;min-width:90px}
.card b{display:block;font-size:18px}
#filters{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:8px 0}
#filters input[type=search]{min-width:260px}
table{border-collapse:collapse;width:100%;table-layout:fixed}
th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f1f3f4;position:sticky;top:0}
col.c-status{width:9em}col.c-sev{width:6em}col.c-rule{width:16em}col.c-region{width:8em}col.c-res{width:28%}
.st-FAIL td.status{color:var(--fail);font-weight:600}
.st-UNKNOWN td.status{color:var(--unknown);font-weight:600}
.st-PASS td.status{color:var(--pass)}
.supp{color:var(--muted);font-style:italic}
.sev-critical,.sev-high{font-weight:600}
#pager{display:flex;gap:8px;align-items:center;margin:8px 0}
details{margin:8px 0}
code{font-size:12px}
`

const htmlJS = `
(function () {
  "use strict";
  var t0 = performance.now();
  var byId = function (id) { return document.getElementById(id); };
  var rows = JSON.parse(byId("demarc-findings").textContent);
  var meta = JSON.parse(byId("demarc-meta").textContent);
  var rules = meta.rules;
  var SEV = {critical: 4, high: 3, medium: 2, low: 1, info: 0};
  var ST = {FAIL: 0, UNKNOWN: 1, MANUAL: 2, PASS: 3};
  // A row is [rule index, status, region, resource ARN, message, account, suppression reason].
  var state = {page: 0, size: 100, view: []};

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = String(text); }
    return e;
  }

  function summary() {
    var s = meta.summary || {}, by = s.by_status || {}, box = byId("summary");
    var cards = [["results", s.total || 0], ["FAIL", by.FAIL || 0], ["UNKNOWN", by.UNKNOWN || 0],
      ["MANUAL", by.MANUAL || 0], ["PASS", by.PASS || 0], ["suppressed", s.suppressed || 0], ["rules run", s.rules_run || 0]];
    var fs = s.fail_by_severity || {};
    ["critical", "high", "medium", "low", "info"].forEach(function (k) {
      if (fs[k]) { cards.push(["FAIL " + k, fs[k]]); }
    });
    cards.forEach(function (c) {
      var d = el("div", "card");
      d.appendChild(el("b", null, c[1]));
      d.appendChild(el("span", null, c[0]));
      box.appendChild(d);
    });
  }

  function matches(r, st, sev, q, sup) {
    var rule = rules[r[0]];
    if (st && r[1] !== st) { return false; }
    if (sev && rule.severity !== sev) { return false; }
    if (!sup && r[6]) { return false; }
    if (q) {
      var hay = (rule.id + " " + rule.title + " " + r[2] + " " + r[3] + " " + r[4] + " " + r[6]).toLowerCase();
      if (hay.indexOf(q) < 0) { return false; }
    }
    return true;
  }

  function apply() {
    var st = byId("f-status").value, sev = byId("f-severity").value;
    var q = byId("f-text").value.trim().toLowerCase(), sup = byId("f-suppressed").checked;
    var out = [];
    for (var i = 0; i < rows.length; i++) {
      if (matches(rows[i], st, sev, q, sup)) { out.push(i); }
    }
    out.sort(function (a, b) {
      var ra = rows[a], rb = rows[b];
      var d = (ST[ra[1]] === undefined ? 9 : ST[ra[1]]) - (ST[rb[1]] === undefined ? 9 : ST[rb[1]]);
      if (d) { return d; }
      d = (SEV[rules[rb[0]].severity] || 0) - (SEV[rules[ra[0]].severity] || 0);
      return d || a - b;
    });
    state.view = out;
    state.page = 0;
    render();
  }

  function render() {
    var old = byId("rows"), body = el("tbody");
    body.id = "rows";
    var pages = Math.max(1, Math.ceil(state.view.length / state.size));
    state.page = Math.min(Math.max(0, state.page), pages - 1);
    var start = state.page * state.size, end = Math.min(start + state.size, state.view.length);
    for (var i = start; i < end; i++) {
      var r = rows[state.view[i]], rule = rules[r[0]];
      var tr = el("tr", "st-" + r[1]);
      tr.appendChild(el("td", "status", r[1]));
      tr.appendChild(el("td", "sev-" + rule.severity, rule.severity));
      var rc = el("td", null, rule.id);
      rc.title = rule.title;
      tr.appendChild(rc);
      tr.appendChild(el("td", null, r[2]));
      tr.appendChild(el("td", null, r[3]));
      var mc = el("td", null, r[4]);
      if (r[6]) { mc.appendChild(el("div", "supp", "suppressed: " + r[6])); }
      tr.appendChild(mc);
      body.appendChild(tr);
    }
    old.parentNode.replaceChild(body, old);
    byId("page-info").textContent = state.view.length ?
      (start + 1) + "\u2013" + end + " of " + state.view.length + " (page " + (state.page + 1) + " of " + pages + ")" :
      "no matching results";
    byId("prev").disabled = state.page === 0;
    byId("next").disabled = state.page >= pages - 1;
  }

  var timer = 0;
  function later() { clearTimeout(timer); timer = setTimeout(apply, 150); }
  byId("f-status").addEventListener("change", apply);
  byId("f-severity").addEventListener("change", apply);
  byId("f-suppressed").addEventListener("change", apply);
  byId("f-text").addEventListener("input", later);
  byId("f-size").addEventListener("change", function () { state.size = +this.value || 100; render(); });
  byId("prev").addEventListener("click", function () { state.page--; render(); });
  byId("next").addEventListener("click", function () { state.page++; render(); });
  summary();
  apply();
  document.body.setAttribute("data-render-ms", String(Math.round(performance.now() - t0)));
  document.body.setAttribute("data-ready", String(rows.length));
})();
`

var htmlHeadTmpl = template.Must(template.New("head").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>demarc scan {{.Meta.AccountID}}</title>
<style>` + htmlCSS + `</style>
</head>
<body>
<header>
<h1>demarc scan</h1>
<dl>
<dt>account</dt><dd>{{.Meta.AccountID}}</dd>
<dt>partition</dt><dd>{{.Meta.Partition}}</dd>
<dt>regions</dt><dd>{{range $i, $r := .Meta.Regions}}{{if $i}}, {{end}}{{$r}}{{end}}</dd>
<dt>collected</dt><dd>{{.Collected}}</dd>
<dt>demarc</dt><dd>{{.Meta.ToolVersion}}</dd>
</dl>
{{if .Meta.Partial}}<p class="partial">PARTIAL: collection was interrupted; results cover only what was read.</p>{{end}}
{{if .Errors}}<details><summary>{{len .Errors}} reads failed: the values they would have given are reported UNKNOWN</summary>
<table><thead><tr><th>service</th><th>region</th><th>operation</th><th>resource</th><th>reason</th></tr></thead><tbody>
{{range .Errors}}<tr><td>{{.Service}}</td><td>{{.Region}}</td><td>{{.Operation}}</td><td>{{.Resource}}</td><td>{{.Reason}}</td></tr>
{{end}}</tbody></table></details>{{end}}
</header>
<main>
<noscript><p>This report renders its results with JavaScript. Without it, use <code>demarc scan --output json</code> or <code>--output csv</code>.</p></noscript>
<div id="summary"></div>
<div id="filters">
<label>status <select id="f-status"><option value="">any</option><option>FAIL</option><option>UNKNOWN</option><option>MANUAL</option><option>PASS</option></select></label>
<label>severity <select id="f-severity"><option value="">any</option><option>critical</option><option>high</option><option>medium</option><option>low</option><option>info</option></select></label>
<label><input type="checkbox" id="f-suppressed" checked> show suppressed</label>
<input type="search" id="f-text" placeholder="filter: rule, resource, region, message" aria-label="filter">
<label>rows <select id="f-size"><option>50</option><option selected>100</option><option>500</option></select></label>
</div>
<table>
<colgroup><col class="c-status"><col class="c-sev"><col class="c-rule"><col class="c-region"><col class="c-res"><col></colgroup>
<thead><tr><th>status</th><th>severity</th><th>rule</th><th>region</th><th>resource</th><th>message</th></tr></thead>
<tbody id="rows"></tbody>
</table>
<div id="pager"><button id="prev" type="button">previous</button><span id="page-info"></span><button id="next" type="button">next</button></div>
</main>
`))

// htmlCSP allows nothing but this document's own inline script and style.
func htmlCSP() string {
	h := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	return "default-src 'none'; script-src " + h(htmlJS) + "; style-src " + h(htmlCSS) +
		"; img-src 'none'; base-uri 'none'; form-action 'none'"
}

type htmlRule struct {
	ID             string `json:"id"`
	Title          string `json:"title"`
	Service        string `json:"service"`
	Severity       string `json:"severity"`
	Responsibility string `json:"responsibility"`
	Frameworks     string `json:"frameworks"`
}

type htmlMeta struct {
	Summary engine.Summary `json:"summary"`
	Rules   []htmlRule     `json:"rules"`
}

// htmlWriter streams rows into the data element and writes the rules (known
// only at the end) and the script after it.
type htmlWriter struct {
	bw     *bufio.Writer
	buf    bytes.Buffer
	enc    *json.Encoder
	rules  []htmlRule
	ruleIx map[string]int
	row    []any
	n      int
}

func newHTMLWriter(w io.Writer, meta ScanMeta, _ Options) (*htmlWriter, error) {
	h := &htmlWriter{bw: bufio.NewWriterSize(w, 64<<10), ruleIx: map[string]int{}, row: make([]any, 7)}
	h.enc = json.NewEncoder(&h.buf)
	collected := ""
	if !meta.CollectedAt.IsZero() {
		collected = meta.CollectedAt.UTC().Format(time.RFC3339)
	}
	errs := meta.Errors
	if errs == nil {
		errs = []core.CollectError{}
	}
	err := htmlHeadTmpl.Execute(h.bw, struct {
		CSP       string
		Meta      ScanMeta
		Collected string
		Errors    []core.CollectError
	}{htmlCSP(), meta, collected, errs})
	if err != nil {
		return nil, fmt.Errorf("render HTML header: %w", err)
	}
	h.bw.WriteString(`<script type="application/json" id="demarc-findings">[`)
	return h, nil
}

func (h *htmlWriter) Write(f engine.Finding) error {
	ix, ok := h.ruleIx[f.RuleID]
	if !ok {
		ix = len(h.rules)
		h.ruleIx[f.RuleID] = ix
		h.rules = append(h.rules, htmlRule{
			ID: SanitizeLine(f.RuleID), Title: SanitizeLine(f.Title), Service: SanitizeLine(f.Service),
			Severity: string(f.Severity), Responsibility: SanitizeLine(f.Responsibility),
			Frameworks: SanitizeLine(strings.Join(controlRefs(f.Frameworks), " ")),
		})
	}
	reason := ""
	if f.Suppressed {
		reason = f.SuppressReason
		if reason == "" {
			reason = "suppressed"
		}
	}
	// Display strings go through SanitizeLine: the browser would otherwise
	// honour bidi overrides (a name that reads backwards) in textContent.
	h.row[0], h.row[1], h.row[2], h.row[3], h.row[4], h.row[5], h.row[6] =
		ix, string(f.Status), SanitizeLine(f.Region), SanitizeLine(f.ResourceARN), SanitizeLine(f.Message),
		SanitizeLine(f.AccountID), SanitizeLine(reason)
	h.buf.Reset()
	if err := h.enc.Encode(h.row); err != nil {
		return fmt.Errorf("encode HTML row %s: %w", f.RuleID, err)
	}
	if h.n > 0 {
		h.bw.WriteByte(',')
	}
	h.n++
	h.bw.WriteByte('\n')
	h.bw.Write(bytes.TrimSuffix(h.buf.Bytes(), []byte("\n")))
	return nil
}

func (h *htmlWriter) Close(sum engine.Summary) error {
	rules := h.rules
	if rules == nil {
		rules = []htmlRule{}
	}
	mb, err := json.Marshal(htmlMeta{Summary: sum, Rules: rules})
	if err != nil {
		return fmt.Errorf("encode HTML metadata: %w", err)
	}
	h.bw.WriteString("\n]</script>\n<script type=\"application/json\" id=\"demarc-meta\">")
	h.bw.Write(mb)
	h.bw.WriteString("</script>\n<script>" + htmlJS + "</script>\n</body>\n</html>\n")
	if err := h.bw.Flush(); err != nil {
		return fmt.Errorf("write HTML: %w", err)
	}
	return nil
}
