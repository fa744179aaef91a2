package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

// pureLayers may never depend on the AWS SDK, directly or transitively:
// they must work offline on a snapshot (STYLE.md, "Layering is enforced").
var pureLayers = []string{
	"github.com/demarc-sec/demarc/internal/model/...",
	"github.com/demarc-sec/demarc/internal/analyze/...",
	"github.com/demarc-sec/demarc/internal/checks/...",
	"github.com/demarc-sec/demarc/internal/engine/...",
	"github.com/demarc-sec/demarc/internal/report/...",
}

func TestNoSDKInPureLayers(t *testing.T) {
	for _, pattern := range pureLayers {
		out, err := exec.Command("go", "list", "-e", "-deps", "-f", "{{.ImportPath}}", pattern).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pattern, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, "github.com/aws/") {
				t.Errorf("%s depends on %s: only internal/collect/aws may import the AWS SDK", pattern, dep)
			}
		}
	}
}

// TestSDKOnlyInCollectors: no package outside internal/collect imports the
// SDK directly (the CLI reaches it only through internal/collect).
func TestSDKOnlyInCollectors(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "github.com/demarc-sec/demarc/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "github.com/demarc-sec/demarc/internal/collect/aws") ||
			strings.HasPrefix(f[0], "github.com/demarc-sec/demarc/internal/testutil") ||
			strings.HasPrefix(f[0], "github.com/demarc-sec/demarc/test/") {
			continue
		}
		for _, imp := range f[1:] {
			if strings.HasPrefix(imp, "github.com/aws/") {
				t.Errorf("%s imports %s directly", f[0], imp)
			}
		}
	}
}
