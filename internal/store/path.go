package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/checks"
)

// EnvDB names the environment variable that selects the store when --db is
// not given (a path or a postgres:// URL).
const EnvDB = "DEMARC_DB"

// DefaultPath is the SQLite file used when neither --db nor DEMARC_DB is
// set: $XDG_DATA_HOME/demarc/demarc.db, else ~/.local/share/demarc/demarc.db
// on Linux and other Unix systems (the XDG default), else the OS's
// per-user application-data directory (os.UserConfigDir: Application
// Support on macOS, %AppData% on Windows).
func DefaultPath() (string, error) {
	if x := os.Getenv("XDG_DATA_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "demarc", "demarc.db"), nil
	}
	if runtime.GOOS != "darwin" && runtime.GOOS != "windows" && runtime.GOOS != "plan9" {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, ".local", "share", "demarc", "demarc.db"), nil
		}
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find a directory for the store (set --db or %s): %w", EnvDB, err)
	}
	return filepath.Join(dir, "demarc", "demarc.db"), nil
}

// ResolveDSN picks the store: the --db value if given, else $DEMARC_DB,
// else DefaultPath.
func ResolveDSN(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if env := strings.TrimSpace(os.Getenv(EnvDB)); env != "" {
		return env, nil
	}
	p, err := DefaultPath()
	if err != nil {
		return "", err
	}
	if p == "" {
		return "", errors.New("no store path")
	}
	return p, nil
}

// RuleSetVersion identifies the rule set a scan ran: a digest of every
// rule's ID, severity and framework mapping, so history shows when a
// change in the rules (not in the account) may explain a difference.
func RuleSetVersion(reg *checks.Registry) string {
	h := sha256.New()
	for _, r := range reg.Rules() { // sorted by ID
		fmt.Fprintf(h, "%s\x00%s\x00", r.ID, r.Severity)
		keys := make([]string, 0, len(r.Frameworks))
		for k := range r.Frameworks {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ids := append([]string(nil), r.Frameworks[k]...)
			sort.Strings(ids)
			fmt.Fprintf(h, "%s=%s\x00", k, strings.Join(ids, ","))
		}
		h.Write([]byte{1})
	}
	return fmt.Sprintf("r%d-%s", len(reg.Rules()), hex.EncodeToString(h.Sum(nil))[:12])
}
