package cli

import (
	"github.com/spf13/pflag"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/config"
)

// configOptions select demarc.yaml.
type configOptions struct{ path string }

func (o *configOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.path, "config", "", "demarc.yaml with your policy choices (allowed_regions, trusted_accounts); default: ./demarc.yaml if present")
}

// registry loads the configuration and returns the configured rules. A
// malformed configuration is a usage error: a typo must not silently
// disable a policy.
func (o *configOptions) registry() (*checks.Registry, *config.Config, error) {
	c, err := config.Load(o.path)
	if err != nil {
		return nil, nil, UsageErr(err)
	}
	return checks.DefaultWith(checks.Options{AllowedRegions: c.AllowedRegions, TrustedAccounts: c.TrustedAccounts}), c, nil
}
