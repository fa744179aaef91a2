package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// contentSecurityPolicy admits only the server's own scripts, styles and
// images: no inline script or event handler, no inline style, nothing
// from another origin, no framing, no plugins, forms post only here.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// tokenCookie is the cookie the login form sets.
const tokenCookie = "demarc_token"

// GenerateToken returns a random token (256 bits, hex).
func GenerateToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// IsLoopbackHost reports whether a host (name or address, without port)
// is the local machine: "localhost", a name under .localhost, or a
// loopback address.
func IsLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// secure wraps every response with the security headers, refuses methods
// other than GET and HEAD (and POST to /login), checks the Host when no
// token is required, and the token when one is.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// same-origin, not no-referrer: with no-referrer browsers send
		// "Origin: null" even on same-origin posts, which the login check
		// must be able to tell from a cross-site form.
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		h.Set("Cache-Control", "no-store")

		login := r.URL.Path == "/login"
		switch {
		case r.Method == http.MethodGet || r.Method == http.MethodHead:
		case r.Method == http.MethodPost && login:
		default:
			if login {
				h.Set("Allow", "GET, HEAD, POST")
			} else {
				h.Set("Allow", "GET, HEAD")
			}
			http.Error(w, "405 method not allowed: the dashboard is read-only", http.StatusMethodNotAllowed)
			return
		}

		if s.opts.Token == "" {
			// Without a token, only a request for a loopback name may be
			// answered: a page elsewhere that rebinds its own name to
			// 127.0.0.1 sends its own Host.
			host := r.Host
			if hst, _, err := net.SplitHostPort(r.Host); err == nil {
				host = hst
			}
			if !IsLoopbackHost(host) {
				http.Error(w, "403 forbidden: this dashboard answers only requests for localhost (start it with --token to serve other names)", http.StatusForbidden)
				return
			}
			if login {
				http.Redirect(w, r, "/", http.StatusSeeOther)
				return
			}
			next.ServeHTTP(w, r)
			return
		}

		if login {
			next.ServeHTTP(w, r)
			return
		}
		if s.authorized(r) {
			next.ServeHTTP(w, r)
			return
		}
		// First visit with ?token=…: set the cookie and drop the token
		// from the address (history, logs, Referer).
		if q := r.URL.Query(); q.Has("token") && r.Method == http.MethodGet {
			if s.tokenOK(q.Get("token")) {
				s.setTokenCookie(w, r)
				q.Del("token")
				u := *r.URL
				u.RawQuery = q.Encode()
				http.Redirect(w, r, localURL(u.RequestURI()), http.StatusSeeOther)
				return
			}
		}
		h.Set("WWW-Authenticate", `Bearer realm="demarc"`)
		if strings.HasPrefix(r.URL.Path, "/s/") && strings.Contains(r.URL.Path, "/api/") {
			http.Error(w, "401 unauthorized: token required", http.StatusUnauthorized)
			return
		}
		s.renderLogin(w, r, http.StatusUnauthorized, r.URL.RequestURI(), "")
	})
}

// authorized checks the bearer header, then the cookie.
func (s *Server) authorized(r *http.Request) bool {
	if a := r.Header.Get("Authorization"); a != "" {
		scheme, tok, ok := strings.Cut(a, " ")
		return ok && strings.EqualFold(scheme, "Bearer") && s.tokenOK(strings.TrimSpace(tok))
	}
	if c, err := r.Cookie(tokenCookie); err == nil {
		return s.tokenOK(c.Value)
	}
	return false
}

// tokenOK compares in constant time (over digests, so the length of the
// token does not leak either).
func (s *Server) tokenOK(tok string) bool {
	if s.opts.Token == "" || tok == "" {
		return false
	}
	a, b := sha256.Sum256([]byte(tok)), sha256.Sum256([]byte(s.opts.Token))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

func (s *Server) setTokenCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: tokenCookie, Value: s.opts.Token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
}

// localURL keeps a redirect target on this server: a path, never
// "//host" or "scheme:".
func localURL(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

type loginBody struct {
	Next  string
	Error string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if s.authorized(r) {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, r.URL.Query().Get("next"), "")
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, code int, next, msg string) {
	s.render(w, r, code, "login", page{Title: "Sign in", Body: loginBody{Next: localURL(next), Error: msg}})
}

// loginPost checks the token of the login form. A cross-site form cannot
// use it: the Origin, when the browser sends one, must be this server.
func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) {
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			http.Error(w, "403 forbidden: cross-origin login", http.StatusForbidden)
			return
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "400 bad request", http.StatusBadRequest)
		return
	}
	next := localURL(r.PostForm.Get("next"))
	if !s.tokenOK(strings.TrimSpace(r.PostForm.Get("token"))) {
		s.renderLogin(w, r, http.StatusUnauthorized, next, "Wrong token.")
		return
	}
	s.setTokenCookie(w, r)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// staticHandler serves the embedded assets; they change only with the
// binary, so browsers may keep them for a while.
func staticHandler(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r) // no directory listings
			return
		}
		w.Header().Set("Cache-Control", "private, max-age=600")
		files.ServeHTTP(w, r)
	})
}
