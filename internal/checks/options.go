package checks

// Options are the customer's own policy choices that some rules need
// (demarc.yaml). The zero Options is valid: rules that need a choice the
// customer has not made return no results.
type Options struct {
	// AllowedRegions for data sovereignty; empty: the region rules do not apply.
	AllowedRegions []string
	// TrustedAccounts are external accounts whose access is expected.
	TrustedAccounts []string
}

func (o Options) regionAllowed(r string) bool {
	for _, a := range o.AllowedRegions {
		if a == r {
			return true
		}
	}
	return false
}
