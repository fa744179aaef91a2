package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/demarc-sec/demarc/internal/store"
)

// page is what every template renders: the layout's data and the page's.
type page struct {
	Title   string
	Scan    *scanNav // set on the pages of one scan
	Active  string   // the navigation entry to highlight
	Body    any
	Scripts []string // extra scripts, names under /static/
	Version string
}

// scanNav is the navigation of a scan's pages.
type scanNav struct {
	ID      int64
	Base    string // "/s/ID"
	Account string
	When    time.Time
	Regions []string
	Partial bool
	Others  []scanLink // the account's other scans, newest first
}

type scanLink struct {
	URL     string
	When    time.Time
	Current bool
}

// errBadRequest marks a malformed parameter (400).
type errBadRequest struct{ msg string }

func (e errBadRequest) Error() string { return e.msg }

func badRequest(format string, a ...any) error { return errBadRequest{fmt.Sprintf(format, a...)} }

// errNotFound marks a missing page element (404).
var errNotFound = errors.New("not found")

var funcs = template.FuncMap{
	"statusClass": statusClass,
	"sevClass":    func(s string) string { return "sev-" + cssToken(s) },
	"pct":         func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) + "%" },
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"short": shortARN,
	"join":  strings.Join,
	"num":   thousands,
	"add":   func(a, b int) int { return a + b },
	"lower": strings.ToLower,
}

func cssToken(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

func statusClass(s string) string { return "st-" + cssToken(s) }

// shortARN is the resource part of an ARN ("user/alice", "i-0abc").
func shortARN(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) == 6 && f[5] != "" {
		return f[5]
	}
	return arn
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// parsePages builds one template set per page: the layout plus the page.
func parsePages() (map[string]*template.Template, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(templateFS, n); err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		out[name] = t
	}
	return out, nil
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name string, p page) {
	t, ok := s.pages[name]
	if !ok {
		s.log.Error("web: no template", "name", name)
		http.Error(w, "500 internal error", http.StatusInternalServerError)
		return
	}
	p.Version = s.opts.Version
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout.html", p); err != nil {
		s.log.Error("web: render", "page", name, "path", r.URL.Path, "err", err)
		http.Error(w, "500 internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(code)
	w.Write(b.Bytes())
}

type errorBody struct {
	Code    int
	Message string
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, code int, msg string) {
	s.render(w, r, code, "error", page{Title: http.StatusText(code), Body: errorBody{Code: code, Message: msg}})
}

// pageFunc builds a page; it returns the template name.
type pageFunc func(r *http.Request) (string, page, error)

// page adapts a pageFunc, mapping errors to status codes.
func (s *Server) page(fn pageFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name, p, err := fn(r)
		var bad errBadRequest
		switch {
		case err == nil:
			s.render(w, r, http.StatusOK, name, p)
		case errors.As(err, &bad):
			s.renderError(w, r, http.StatusBadRequest, bad.msg)
		case errors.Is(err, errNotFound), errors.Is(err, store.ErrNotFound):
			s.renderError(w, r, http.StatusNotFound, "Not found: "+err.Error())
		case errors.Is(err, context.Canceled):
			// The client went away.
		default:
			s.log.Error("web: page", "path", r.URL.Path, "err", err)
			s.renderError(w, r, http.StatusInternalServerError, "The page could not be built; the server log has the details.")
		}
	}
}

// scanID reads the {scan} path element.
func scanID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("scan"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("scan %q: %w", r.PathValue("scan"), errNotFound)
	}
	return id, nil
}

// scanPage loads the entry of the {scan} of a request and its navigation.
func (s *Server) scanPage(r *http.Request, active, title string) (*scanEntry, page, error) {
	id, err := scanID(r)
	if err != nil {
		return nil, page{}, err
	}
	e, err := s.entry(r.Context(), id)
	if err != nil {
		return nil, page{}, err
	}
	nav := &scanNav{ID: e.scan.ID, Base: fmt.Sprintf("/s/%d", e.scan.ID), Account: e.scan.AccountID,
		When: e.scan.CollectedAt, Regions: e.scan.Regions, Partial: e.scan.Partial}
	var others []store.Scan
	if err := s.withStore(func() error {
		var err error
		others, err = s.opts.Store.Scans(r.Context(), store.Filter{AccountID: e.scan.AccountID, Limit: 30})
		return err
	}); err != nil {
		return nil, page{}, err
	}
	for _, o := range others {
		s.remember(o)
		nav.Others = append(nav.Others, scanLink{URL: fmt.Sprintf("/s/%d/", o.ID), When: o.CollectedAt, Current: o.ID == e.scan.ID})
	}
	return e, page{Title: title, Scan: nav, Active: active}, nil
}

// remember puts a scan row read elsewhere into the cache, saving the read.
func (s *Server) remember(sc store.Scan) *scanEntry {
	s.cacheMu.Lock()
	e, ok := s.cache[sc.ID]
	if !ok {
		e = &scanEntry{id: sc.ID, docs: map[string]*docResult{}}
		s.cache[sc.ID] = e
		// A scan only listed is less recent than any visited one.
		e.used = 0
	}
	s.evictLocked()
	s.cacheMu.Unlock()
	e.mu.Lock()
	if e.scan.ID == 0 {
		e.scan = sc
	}
	e.mu.Unlock()
	return e
}
