// demarc dashboard: draws a graph the server cut out (filtered, focused,
// capped) as SVG. Every string from the server is set with textContent or
// setAttribute, never parsed as markup.
"use strict";
(function () {
  var SVG = "http://www.w3.org/2000/svg";
  var root = document.getElementById("graph");
  if (!root) {
    return;
  }
  var api = root.getAttribute("data-api");
  var filter = document.getElementById("graph-filter");
  var maxSel = document.getElementById("graph-max");
  var depthSel = document.getElementById("graph-depth");
  var details = document.getElementById("graph-details");
  var notice = document.getElementById("graph-notice");
  var noteEl = document.getElementById("graph-note");
  var errorEl = document.getElementById("graph-error");
  var state = { q: filter.value, focus: root.getAttribute("data-focus") || "" };
  var seq = 0;
  var current = null;

  var NODE_W = 230, NODE_H = 26, ROW = 36, GAP = 90, PAD = 12, MAX_LABEL = 34;

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) {
      parent.appendChild(e);
    }
    return e;
  }

  function html(name, text, parent, cls) {
    var e = document.createElement(name);
    if (text !== undefined && text !== null) {
      e.textContent = text;
    }
    if (cls) {
      e.className = cls;
    }
    if (parent) {
      parent.appendChild(e);
    }
    return e;
  }

  function show(p, text) {
    p.textContent = text || "";
    p.classList.toggle("hidden", !text);
  }

  function load() {
    var my = ++seq;
    var params = new URLSearchParams();
    if (state.focus) {
      params.set("focus", state.focus);
      params.set("depth", depthSel.value);
    } else if (state.q) {
      params.set("q", state.q);
    }
    params.set("max", maxSel.value);
    root.setAttribute("aria-busy", "true");
    fetch(api + "?" + params.toString(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (v) {
        if (my !== seq) {
          return;
        }
        current = v;
        draw(v);
        remember();
      })
      .catch(function (e) {
        if (my === seq) {
          show(errorEl, "The graph could not be loaded: " + e);
        }
      })
      .finally(function () { root.removeAttribute("aria-busy"); });
  }

  // remember keeps the view in the address, so it can be shared or reloaded.
  function remember() {
    var u = new URL(window.location.href);
    u.searchParams.delete("focus");
    u.searchParams.delete("q");
    if (state.focus) {
      u.searchParams.set("focus", state.focus);
    } else if (state.q) {
      u.searchParams.set("q", state.q);
    }
    window.history.replaceState(null, "", u.pathname + u.search);
  }

  function shorten(s) {
    return s.length > MAX_LABEL ? s.slice(0, MAX_LABEL - 1) + "…" : s;
  }

  // fit sizes the columns to the canvas, within limits; wider graphs scroll.
  function fit(ncols) {
    var avail = Math.max(root.clientWidth - 2 * PAD - 60, 300);
    GAP = ncols > 4 ? 80 : 130;
    NODE_W = Math.floor((avail - (ncols - 1) * GAP) / ncols);
    NODE_W = Math.max(150, Math.min(260, NODE_W));
    MAX_LABEL = Math.floor((NODE_W - 14) / 7);
  }

  function draw(v) {
    show(errorEl, v.error || "");
    show(notice, v.notice || "");
    show(noteEl, v.note || "");
    while (root.firstChild) {
      root.removeChild(root.firstChild);
    }
    var nodes = v.nodes || [], edges = v.edges || [];
    root.setAttribute("data-nodes", String(nodes.length));
    root.setAttribute("data-edges", String(edges.length));
    if (nodes.length === 0) {
      html("p", v.error ? "" : (state.q ? "No node matches the filter." : "Nothing to draw: no path or exposure was found."), root, "muted empty-graph");
      root.setAttribute("data-rendered", "1");
      renderDetails(null);
      return;
    }
    // Columns come from the server; empty ones are closed up.
    var cols = {};
    nodes.forEach(function (n) { (cols[n.col] = cols[n.col] || []).push(n); });
    var colKeys = Object.keys(cols).map(Number).sort(function (a, b) { return a - b; });
    fit(colKeys.length);
    var pos = {}, tallest = 0;
    colKeys.forEach(function (c, ci) {
      var list = cols[c].sort(function (a, b) { return a.label < b.label ? -1 : a.label > b.label ? 1 : 0; });
      tallest = Math.max(tallest, list.length);
      list.forEach(function (n, i) {
        pos[n.id] = { x: PAD + ci * (NODE_W + GAP), y: PAD + i * ROW, n: n };
      });
    });
    var width = PAD * 2 + colKeys.length * NODE_W + (colKeys.length - 1) * GAP + 60;
    var height = PAD * 2 + tallest * ROW + 40;
    var svg = el("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, "class": "graph-svg", role: "img" });
    var title = el("title", {}, svg);
    title.textContent = (v.kind === "privesc" ? "Privilege-escalation graph" : "Exposure graph") + ": " + nodes.length + " nodes";
    var defs = el("defs", {}, svg);
    var marker = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" }, defs);
    el("path", { d: "M 0 0 L 10 5 L 0 10 z", "class": "arrow" }, marker);

    var edgeLayer = el("g", { "class": "edges" }, svg);
    var nodeLayer = el("g", { "class": "nodes" }, svg);
    var labelEdges = edges.length <= 120;
    edges.forEach(function (e) {
      var a = pos[e.from], b = pos[e.to];
      if (!a || !b) {
        return;
      }
      var x1 = a.x + NODE_W, y1 = a.y + NODE_H / 2, x2 = b.x, y2 = b.y + NODE_H / 2, d;
      if (x2 > x1) {
        var mx = (x1 + x2) / 2;
        d = "M" + x1 + "," + y1 + " C" + mx + "," + y1 + " " + mx + "," + y2 + " " + x2 + "," + y2;
      } else {
        // Same column or backwards (a cycle): loop round the right side.
        x2 = b.x + NODE_W;
        var out = Math.max(x1, x2) + 50;
        d = "M" + x1 + "," + y1 + " C" + out + "," + y1 + " " + out + "," + y2 + " " + x2 + "," + y2;
      }
      var g = el("g", { "class": "edge" + (e.dashed ? " dashed" : "") }, edgeLayer);
      var p = el("path", { d: d, "marker-end": "url(#arrow)" }, g);
      var t = el("title", {}, p);
      t.textContent = e.label + (e.detail && e.detail.length ? "\n" + e.detail.join("\n") : "");
      if (labelEdges && e.label) {
        var lx = (x1 + x2) / 2, ly = (y1 + y2) / 2 - 4;
        var txt = el("text", { x: lx, y: ly, "text-anchor": "middle", "class": "edge-label" }, g);
        txt.textContent = e.label;
      }
    });
    Object.keys(pos).forEach(function (id) {
      var p = pos[id], n = p.n;
      var cls = "node kind-" + n.kind + (n.mark ? " mark-" + n.mark : "") + (id === state.focus ? " focused" : "");
      var g = el("g", { "class": cls, transform: "translate(" + p.x + "," + p.y + ")", tabindex: "0", role: "button" }, nodeLayer);
      g.setAttribute("data-id", id);
      el("rect", { width: NODE_W, height: NODE_H, rx: "5" }, g);
      var label = el("text", { x: "8", y: "17" }, g);
      label.textContent = shorten(n.label);
      var t = el("title", {}, g);
      t.textContent = n.label + "\n" + n.id;
      g.addEventListener("click", function () { focusOn(id); });
      g.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") {
          ev.preventDefault();
          focusOn(id);
        }
      });
    });
    root.appendChild(svg);
    root.setAttribute("data-rendered", "1");
    renderDetails(state.focus && pos[state.focus] ? pos[state.focus].n : null);
  }

  function focusOn(id) {
    state.focus = id;
    load();
  }

  function renderDetails(n) {
    while (details.firstChild) {
      details.removeChild(details.firstChild);
    }
    if (!n) {
      html("p", "Click a node to focus on it and its neighbours and to see its details.", details, "muted");
      return;
    }
    html("h2", n.label, details, "node-title");
    html("p", n.id, details, "arn");
    html("p", "Kind: " + n.kind + (n.mark ? " · " + n.mark : ""), details, "muted");
    if (n.detail && n.detail.length) {
      var ul = html("ul", null, details);
      n.detail.forEach(function (d) { html("li", d, ul); });
    }
    if (n.url) {
      var a = html("a", "Findings on this resource", details);
      a.setAttribute("href", n.url);
    }
    var edges = (current && current.edges) || [];
    [["Outgoing", function (e) { return e.from === n.id; }, "to"],
     ["Incoming", function (e) { return e.to === n.id; }, "from"]].forEach(function (spec) {
      var list = edges.filter(spec[1]);
      if (!list.length) {
        return;
      }
      html("h3", spec[0], details);
      var ol = html("ul", null, details, "edge-list");
      list.forEach(function (e) {
        var li = html("li", null, ol);
        html("b", e.label || "→", li);
        li.appendChild(document.createTextNode(" " + (spec[2] === "to" ? "→ " + e.to : "← " + e.from)));
        if (e.detail && e.detail.length) {
          var sub = html("ul", null, li);
          e.detail.forEach(function (d) { html("li", d, sub); });
        }
      });
    });
  }

  var timer = null;
  filter.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      state.q = filter.value.trim();
      state.focus = "";
      load();
    }, 250);
  });
  maxSel.addEventListener("change", load);
  depthSel.addEventListener("change", function () {
    if (state.focus) {
      load();
    }
  });
  document.getElementById("graph-reset").addEventListener("click", function () {
    state.q = "";
    state.focus = "";
    filter.value = "";
    load();
  });
  load();
})();
