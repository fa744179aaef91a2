package web

import "github.com/demarc-sec/demarc/internal/store"

// CacheState tells the external tests what the server holds for a scan.
func (s *Server) CacheState(id int64) (cached, scored, indexed bool, indexedTotal int) {
	s.cacheMu.Lock()
	e := s.cache[id]
	total := s.indexed
	s.cacheMu.Unlock()
	if e == nil {
		return false, false, false, total
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	_, scored = e.docs[store.ArtifactScores]
	return true, scored, e.index != nil, total
}
