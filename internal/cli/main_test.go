package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMain keeps every test's findings store in a temporary directory, never
// in the user's data directory.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "demarc-cli-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("DEMARC_DB", filepath.Join(dir, "store.db"))
	os.Setenv("XDG_DATA_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
