package responsibility

import (
	"testing"

	"github.com/demarc-sec/demarc/internal/checks"
)

// TestEveryRuleHasAMatrixCell keeps the matrix complete as rules are added:
// every rule's (service, responsibility layer) must be a customer layer of
// some service row, or its results would never reach the matrix.
func TestEveryRuleHasAMatrixCell(t *testing.T) {
	c, err := load()
	if err != nil {
		t.Fatal(err)
	}
	cells := map[[2]string]bool{}
	for _, s := range c.Services {
		for _, rs := range s.RuleServices {
			for _, l := range s.CustomerLayers {
				cells[[2]string{rs, l}] = true
			}
		}
	}
	for _, r := range checks.All() {
		if !cells[[2]string{r.Service, r.Responsibility}] {
			t.Errorf("rule %s (service %q, layer %q) has no cell in data/services.json", r.ID, r.Service, r.Responsibility)
		}
	}
}

// TestCatalogueIsConsistent checks the reference data: known categories,
// layers that are defined, no duplicate IDs.
func TestCatalogueIsConsistent(t *testing.T) {
	c, err := load()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range c.Services {
		if seen[s.ID] {
			t.Errorf("duplicate service %q", s.ID)
		}
		seen[s.ID] = true
		switch s.Category {
		case "infrastructure", "container", "abstracted":
		default:
			t.Errorf("%s: unknown category %q", s.ID, s.Category)
		}
		for _, l := range s.AWSLayers {
			if _, ok := c.AWSLayers[l]; !ok {
				t.Errorf("%s: undefined AWS layer %q", s.ID, l)
			}
		}
		for _, l := range s.CustomerLayers {
			if _, ok := c.CustomerLayers[l]; !ok {
				t.Errorf("%s: undefined customer layer %q", s.ID, l)
			}
		}
	}
}
