package cli

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/demarc-sec/demarc/internal/report"
)

var updateFormats = flag.Bool("update-formats", false, "rewrite the per-format golden files of the example snapshot")

// Every output format, on the shipped example snapshot, is pinned by a
// golden file (issue 7). Rules change the findings, so refresh with:
//
//	go test ./internal/cli -run TestFormatsGoldenOnExample -update-formats
//
// and review the diff.
func TestFormatsGoldenOnExample(t *testing.T) {
	snap := mustAbs(t, exampleSnap)
	dir := mustAbs(t, filepath.Join("testdata", "formats"))
	t.Chdir(t.TempDir()) // no demarc.yaml or .demarc-ignore.yaml from the tree
	for _, format := range report.Formats() {
		t.Run(format, func(t *testing.T) {
			code, out, errs := run(t, "scan", "--no-store", "--snapshot", snap, "--output", format, "--no-color")
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			path := filepath.Join(dir, "example."+format+".golden")
			if *updateFormats {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (refresh with -update-formats)", err)
			}
			if string(want) != out {
				t.Errorf("%s output of the example snapshot changed; review and refresh with -update-formats", format)
			}
		})
	}
}
