package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"sort"
	"sync"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure a Server.
type Options struct {
	// Store is the findings store; it must be one returned by store.Open
	// (it also answers store.Querier and store.ArtifactStore).
	Store store.Store
	// Rules give the remediation, description and links of a finding's
	// rule; default checks.All().
	Rules []checks.Rule
	// Token, when set, is required on every request (bearer header, or
	// the cookie the login form sets). When empty the server only answers
	// requests addressed to a loopback host name, which keeps a web page
	// on another origin from reaching it through DNS rebinding.
	Token string
	// Logger receives request errors; default slog.Default().
	Logger *slog.Logger
	// MaxIndexedFindings bounds the findings kept in memory across the
	// scans indexed for fast filtering (about 30 bytes each, plus their
	// message and resource ARN once the scan has been searched); a scan
	// that does not fit is filtered by the store instead. Default 1,000,000.
	MaxIndexedFindings int
	// Version is shown in the footer.
	Version string
}

// Server is the dashboard. It is safe for concurrent use.
type Server struct {
	opts  Options
	q     store.Querier
	arts  store.ArtifactStore
	rules map[string]checks.Rule
	pages map[string]*template.Template
	log   *slog.Logger

	// storeMu serializes store calls: a Store is used by one goroutine at
	// a time. Lock order: scanEntry.mu, then storeMu.
	storeMu sync.Mutex

	cacheMu sync.Mutex
	cache   map[int64]*scanEntry
	clock   uint64
	indexed int // findings held by cached indexes
}

// maxCachedScans bounds the cache entries (an entry without index is small).
const maxCachedScans = 64

// New returns a dashboard over a store.
func New(o Options) (*Server, error) {
	if o.Store == nil {
		return nil, errors.New("web: no store")
	}
	q, ok := store.AsQuerier(o.Store)
	if !ok {
		return nil, fmt.Errorf("web: store %T cannot be queried", o.Store)
	}
	arts, ok := store.Artifacts(o.Store)
	if !ok {
		return nil, fmt.Errorf("web: store %T has no artifacts", o.Store)
	}
	if o.Rules == nil {
		o.Rules = checks.All()
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxIndexedFindings <= 0 {
		o.MaxIndexedFindings = 1_000_000
	}
	s := &Server{opts: o, q: q, arts: arts, rules: map[string]checks.Rule{}, log: o.Logger, cache: map[int64]*scanEntry{}}
	for _, r := range o.Rules {
		s.rules[r.ID] = r
	}
	var err error
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	return s, nil
}

// Handler returns the dashboard's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticHandler(static)))
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.loginPost)
	mux.HandleFunc("GET /{$}", s.page(s.overview))
	mux.HandleFunc("GET /scans", s.page(s.scansPage))
	mux.HandleFunc("GET /s/{scan}/{$}", s.page(s.scanOverview))
	mux.HandleFunc("GET /s/{scan}/frameworks/{key}", s.page(s.frameworkPage))
	mux.HandleFunc("GET /s/{scan}/matrix", s.page(s.matrixPage))
	mux.HandleFunc("GET /s/{scan}/findings", s.page(s.findingsPage))
	mux.HandleFunc("GET /s/{scan}/findings/{seq}", s.page(s.findingPage))
	mux.HandleFunc("GET /s/{scan}/inventory", s.page(s.inventoryPage))
	mux.HandleFunc("GET /s/{scan}/graph/{kind}", s.page(s.graphPage))
	mux.HandleFunc("GET /s/{scan}/api/graph/{kind}", s.graphJSON)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, http.StatusNotFound, "No such page.")
	})
	return s.secure(mux)
}

// Warm loads, in the background of a starting server, what the first
// visitor of each account's latest scan would otherwise wait for: its
// scores and, within the memory budget, its findings index with the text
// for search and the FAILs new since the previous scan. It stops at
// the first error (the pages report errors themselves) or when ctx ends.
func (s *Server) Warm(ctx context.Context) error {
	var accts []store.AccountInfo
	if err := s.withStore(func() error {
		var err error
		accts, err = s.q.Accounts(ctx)
		return err
	}); err != nil {
		return err
	}
	for _, a := range accts {
		var latest store.Scan
		if err := s.withStore(func() error {
			var err error
			latest, err = store.Latest(ctx, s.opts.Store, a.AccountID)
			return err
		}); err != nil {
			return err
		}
		e := s.remember(latest)
		if _, _, err := s.scores(ctx, e); err != nil && !isAnalysisFailure(err) {
			return err
		}
		s.cacheMu.Lock()
		fits := s.indexed+latest.Summary.Total <= s.opts.MaxIndexedFindings
		s.cacheMu.Unlock()
		if !fits {
			continue
		}
		_, ix, err := s.data(ctx, e, indexParts{arns: true, msgs: true, fails: true})
		if err != nil {
			return err
		}
		if ix != nil {
			if _, _, err := s.text(ctx, e, ix, true, true); err != nil {
				return err
			}
		}
		if _, _, err := s.newFails(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// withStore runs fn holding the store lock.
func (s *Server) withStore(fn func() error) error {
	s.storeMu.Lock()
	defer s.storeMu.Unlock()
	return fn()
}

// entry returns the cache entry of a scan, loading the scan row.
func (s *Server) entry(ctx context.Context, id int64) (*scanEntry, error) {
	s.cacheMu.Lock()
	e, ok := s.cache[id]
	if !ok {
		e = &scanEntry{id: id, docs: map[string]*docResult{}}
		s.cache[id] = e
	}
	s.clock++
	e.used = s.clock
	s.evictLocked()
	s.cacheMu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.scan.ID != 0 {
		return e, nil
	}
	var sc store.Scan
	err := s.withStore(func() error {
		var err error
		sc, err = s.opts.Store.Scan(ctx, id)
		return err
	})
	if err != nil {
		s.cacheMu.Lock()
		if s.cache[id] == e {
			delete(s.cache, id)
		}
		s.cacheMu.Unlock()
		return nil, err
	}
	e.scan = sc
	return e, nil
}

// evictLocked drops the least recently used entries beyond the cap.
func (s *Server) evictLocked() {
	for len(s.cache) > maxCachedScans {
		var victim *scanEntry
		for _, e := range s.cache {
			if victim == nil || e.used < victim.used {
				victim = e
			}
		}
		delete(s.cache, victim.id)
		s.indexed -= victim.counted
		victim.counted = 0
	}
}

// previous returns the account's scan before e's, or nil.
func (s *Server) previous(ctx context.Context, e *scanEntry) (*store.Scan, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return s.previousLocked(ctx, e)
}

func (s *Server) previousLocked(ctx context.Context, e *scanEntry) (*store.Scan, error) {
	if e.prevKnown {
		return e.prev, nil
	}
	var prev store.Scan
	err := s.withStore(func() error {
		var err error
		prev, err = store.Previous(ctx, s.opts.Store, e.scan)
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		e.prev = nil
	case err != nil:
		return nil, err
	default:
		e.prev = &prev
	}
	e.prevKnown = true
	return e.prev, nil
}

// data returns a scan's stats and, when the scan fits the memory budget,
// its index (loading both on first use). The parts a request needs beyond
// the keys (text columns for search, the FAILs new since the previous
// scan) are read in the same pass when the index is built now; otherwise
// Server.text and Server.newFails read them when asked.
func (s *Server) data(ctx context.Context, e *scanEntry, parts indexParts) (*scanStats, *scanIndex, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stats != nil && (e.index != nil || e.indexTried) {
		return e.stats, e.index, nil
	}
	var metas map[int64]store.RuleMeta
	if err := s.withStore(func() error {
		var err error
		metas, err = s.q.RuleMetas(ctx)
		return err
	}); err != nil {
		return nil, nil, err
	}
	if !e.indexTried && e.scan.Summary.Total <= s.opts.MaxIndexedFindings {
		s.makeRoom(e.scan.Summary.Total, e)
		var prev *store.Scan
		if parts.fails && !e.newsKnown {
			var err error
			if prev, err = s.previousLocked(ctx, e); err != nil {
				return nil, nil, err
			}
		}
		parts.fails = prev != nil
		var (
			ix    *scanIndex
			st    *scanStats
			fails *scanFails
		)
		if err := s.withStore(func() error {
			var err error
			ix, st, fails, err = loadIndex(ctx, s.q, e.id, e.scan.Summary.Total, metas, parts)
			return err
		}); err != nil {
			return nil, nil, err
		}
		e.stats = st
		if fails != nil {
			if err := s.withStore(func() error {
				var err error
				e.news, err = newSince(ctx, s.q, fails, prev.ID, e.scan.Summary.Total)
				return err
			}); err != nil {
				return nil, nil, err
			}
			e.newsKnown = true
		}
		// Keep the index only if it fits now (other requests may have
		// loaded theirs meanwhile) and the entry is still cached. If not,
		// it serves this request and a later visit tries again.
		s.cacheMu.Lock()
		kept := false
		if s.cache[e.id] == e {
			s.makeRoomLocked(len(ix.rows), e)
			if s.indexed+len(ix.rows) <= s.opts.MaxIndexedFindings {
				e.counted = len(ix.rows)
				s.indexed += e.counted
				kept = true
			}
		}
		s.cacheMu.Unlock()
		if kept {
			e.index, e.indexTried = ix, true
		}
		return e.stats, ix, nil
	}
	e.indexTried = true
	if e.stats == nil {
		var st store.ScanStats
		if err := s.withStore(func() error {
			var err error
			st, err = s.q.ScanStats(ctx, e.id)
			return err
		}); err != nil {
			return nil, nil, err
		}
		e.stats = &scanStats{metas: st.Rules, counts: st.Counts}
	}
	return e.stats, e.index, nil
}

// text returns the text columns of a scan's index a page needs (the ARNs
// when arns, the messages when msgs), reading those not yet read in one
// pass. The entry's mu guards them, also when ix was not kept in the cache
// and serves one request only.
func (s *Server) text(ctx context.Context, e *scanEntry, ix *scanIndex, arns, msgs bool) (*textCol, *textCol, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	arns, msgs = arns && ix.arns == nil, msgs && ix.msgs == nil
	if arns || msgs {
		var a, m *textCol
		if err := s.withStore(func() error {
			var err error
			a, m, err = loadText(ctx, s.q, e.id, ix, arns, msgs)
			return err
		}); err != nil {
			return nil, nil, err
		}
		if a != nil {
			ix.arns = a
		}
		if m != nil {
			ix.msgs = m
		}
	}
	return ix.arns, ix.msgs, nil
}

// newFails returns the FAILs of a scan that are new since the account's
// previous scan, computing them on first use. known is false when there is
// no previous scan, or when the scan is too large to index (its findings
// page then asks the store).
func (s *Server) newFails(ctx context.Context, e *scanEntry) (nf *newFails, known bool, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.newsKnown {
		return e.news, e.news != nil, nil
	}
	prev, err := s.previousLocked(ctx, e)
	if err != nil {
		return nil, false, err
	}
	if prev == nil || e.scan.Summary.Total > s.opts.MaxIndexedFindings {
		e.newsKnown = true
		return nil, false, nil
	}
	if err := s.withStore(func() error {
		fails, err := loadFails(ctx, s.q, e.id)
		if err != nil {
			return err
		}
		nf, err = newSince(ctx, s.q, fails, prev.ID, e.scan.Summary.Total)
		return err
	}); err != nil {
		return nil, false, err
	}
	e.news, e.newsKnown = nf, true
	return nf, true, nil
}

// makeRoom drops the indexes of the least recently used scans until n more
// findings fit the budget. It never waits on an entry being loaded.
func (s *Server) makeRoom(n int, keep *scanEntry) {
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	s.makeRoomLocked(n, keep)
}

func (s *Server) makeRoomLocked(n int, keep *scanEntry) {
	if s.indexed+n <= s.opts.MaxIndexedFindings {
		return
	}
	entries := make([]*scanEntry, 0, len(s.cache))
	for _, e := range s.cache {
		if e != keep {
			entries = append(entries, e)
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].used < entries[j].used })
	for _, e := range entries {
		if s.indexed+n <= s.opts.MaxIndexedFindings {
			return
		}
		if e.counted == 0 || !e.mu.TryLock() {
			continue
		}
		s.indexed -= e.counted
		e.counted = 0
		e.index = nil
		e.indexTried = false // indexed again when next visited
		e.mu.Unlock()
	}
}

// doc returns a scan's artifact decoded by parse, cached.
func doc[T any](ctx context.Context, s *Server, e *scanEntry, kind string) (T, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var zero T
	if d, ok := e.docs[kind]; ok {
		if d.err != nil {
			return zero, d.err
		}
		return d.v.(T), nil
	}
	var raw []byte
	err := s.withStore(func() error {
		var err error
		raw, err = s.arts.Artifact(ctx, e.id, kind)
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNoArtifact) {
		return zero, err // not cached: may be transient
	}
	var v T
	if err == nil {
		v, err = parseDoc[T](raw)
	}
	e.docs[kind] = &docResult{v: v, err: err}
	return v, err
}

// derived caches a value computed from a scan (a graph, a fallback
// matrix) under a name, like doc.
func derived[T any](e *scanEntry, name string, build func() (T, error)) (T, error) {
	e.mu.Lock()
	d, ok := e.docs[name]
	e.mu.Unlock()
	if ok {
		if d.err != nil {
			var zero T
			return zero, d.err
		}
		return d.v.(T), nil
	}
	v, err := build()
	e.mu.Lock()
	e.docs[name] = &docResult{v: v, err: err}
	e.mu.Unlock()
	return v, err
}
