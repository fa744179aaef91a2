// Package config reads demarc.yaml: the customer's own policy choices that
// rules need but AWS cannot tell us (which regions are allowed for data
// sovereignty, which external accounts are trusted).
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"

	"gopkg.in/yaml.v3"
)

// DefaultFile is read from the working directory when --config is not given.
const DefaultFile = "demarc.yaml"

// Config is demarc.yaml.
type Config struct {
	// AllowedRegions: resources outside these regions FAIL the region rules,
	// and an organization without an SCP denying other regions FAILs.
	// Empty: the region rules do not apply.
	AllowedRegions []string `yaml:"allowed_regions"`
	// TrustedAccounts are external account IDs whose access is expected
	// (exposure rules do not flag them).
	TrustedAccounts []string `yaml:"trusted_accounts"`
}

var (
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d{1,2}$`)
	accountRE = regexp.MustCompile(`^\d{12}$`)
)

// Parse reads and validates a configuration document. Unknown keys are
// errors: a typo must not silently disable a policy.
func Parse(r io.Reader) (*Config, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	c := &Config{}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parse config: %w", err)
	}
	for _, r := range c.AllowedRegions {
		if !regionRE.MatchString(r) {
			return nil, fmt.Errorf("config: allowed_regions: %q is not a region name", r)
		}
	}
	for _, a := range c.TrustedAccounts {
		if !accountRE.MatchString(a) {
			return nil, fmt.Errorf("config: trusted_accounts: %q is not a 12-digit account ID", a)
		}
	}
	sort.Strings(c.AllowedRegions)
	sort.Strings(c.TrustedAccounts)
	return c, nil
}

// Load reads path; when path is "" it reads DefaultFile if it exists and
// otherwise returns the empty configuration.
func Load(path string) (*Config, error) {
	explicit := path != ""
	if !explicit {
		path = DefaultFile
	}
	f, err := os.Open(path)
	if err != nil {
		if !explicit && errors.Is(err, os.ErrNotExist) {
			return &Config{}, nil
		}
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	c, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}
