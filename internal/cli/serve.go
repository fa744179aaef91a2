package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/web"
)

// envServeToken names the environment variable that gives serve its token
// when --token is not set (a flag shows in the process list).
const envServeToken = "DEMARC_SERVE_TOKEN"

// serveToken decides the token: the flag, else $DEMARC_SERVE_TOKEN, else,
// when the address is not loopback, a generated one (generated true).
func serveToken(addr, flag string) (token string, generated bool, err error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", false, UsageErr(fmt.Errorf("--addr %q: %w", addr, err))
	}
	token = flag
	if token == "" {
		token = strings.TrimSpace(os.Getenv(envServeToken))
	}
	if token != "" && len(token) < minTokenLength {
		return "", false, UsageErr(fmt.Errorf("--token: use at least %d characters", minTokenLength))
	}
	// An empty host listens on every interface: not loopback.
	if token == "" && (host == "" || !web.IsLoopbackHost(host)) {
		if token, err = web.GenerateToken(); err != nil {
			return "", false, fmt.Errorf("generate a token: %w", err)
		}
		generated = true
	}
	return token, generated, nil
}

// minTokenLength keeps a chosen token from being guessable in a few tries.
const minTokenLength = 16

type serveOptions struct {
	db    string
	addr  string
	token string
}

func newServeCommand(g *globalOptions) *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve a local, read-only web dashboard over the recorded scans",
		Long: `Serve starts the dashboard: per account, the framework and responsibility-layer
scores, failing results by severity, coverage and the trend over the recorded
scans; the shared-responsibility matrix; the findings, with filters, search and
a page per finding (evidence, remediation); the resource inventory; and the
privilege-escalation and internet-exposure graphs.

It only reads the store. It listens on 127.0.0.1:8080 by default. On any other
address it requires a token: --token, else $` + envServeToken + `, else one is
generated and printed on stderr. Every request must then carry it, as the
header "Authorization: Bearer TOKEN" or the cookie set by the login page (open
the printed address once: ?token=… signs the browser in and is dropped from
the address). Without a token the dashboard answers only requests addressed to
localhost.

Examples:
  demarc serve
  demarc serve --db team.db --addr 127.0.0.1:9000
  demarc serve --addr 0.0.0.0:8080 --token "$(cat token.txt)"

See docs/dashboard.md.

` + storeHelp + `

` + exitHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), g, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.db, "db", "", "store: a SQLite file or a postgres:// URL (default: $DEMARC_DB, else the user data directory)")
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on (host:port); a non-loopback host requires a token")
	f.StringVar(&o.token, "token", "", "require this token on every request (default: $"+envServeToken+"; generated when the address is not loopback)")
	return cmd
}

func runServe(ctx context.Context, g *globalOptions, o *serveOptions) error {
	token, generated, err := serveToken(o.addr, o.token)
	if err != nil {
		return err
	}

	st, where, err := openStore(ctx, o.db, true)
	if err != nil {
		return err
	}
	if st == nil {
		return InputErr(fmt.Errorf("no store at %s yet: record a scan first, or name the store with --db or $DEMARC_DB", where))
	}
	defer st.Close()

	srv, err := web.New(web.Options{Store: st, Rules: checks.All(), Token: token, Version: Version, Logger: slog.Default()})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return UsageErr(fmt.Errorf("listen on %s: %w", o.addr, err))
	}
	url := "http://" + ln.Addr().String() + "/"
	fmt.Fprintf(g.stderr, "demarc: dashboard of %s at %s\n", redactDSN(where), url)
	switch {
	case generated:
		fmt.Fprintf(g.stderr, "demarc: token (required on every request): %s\n", token)
		fmt.Fprintf(g.stderr, "demarc: open %s?token=%s once to sign the browser in\n", url, token)
	case token != "":
		fmt.Fprintf(g.stderr, "demarc: a token is required on every request (open %s to sign in)\n", url+"login")
	}
	fmt.Fprintln(g.stderr, "demarc: press Ctrl-C to stop")

	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	warmed := make(chan struct{})
	go func() {
		defer close(warmed)
		if err := srv.Warm(ctx); err != nil && ctx.Err() == nil {
			slog.Warn("warm the dashboard's cache", "err", err)
		}
	}()
	// The store closes when this returns: let the warm-up stop first.
	defer func() { <-warmed }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := hs.Shutdown(shut); err != nil {
			return fmt.Errorf("stop the dashboard: %w", err)
		}
		return nil
	}
}
