package privesc

import (
	"strings"

	"github.com/demarc-sec/demarc/internal/analyze/iam"
)

// cand is a region and a name for a resource the attacker creates (or an
// existing one the snapshot does not list).
type cand struct{ region, name string }

const maxCandidates = 24

// candidates proposes resource names for a technique's templated steps.
// The engine cannot answer "is there a name for which this is allowed",
// so the names come from the node's own Allow statements for those
// actions (a statement on arn:…:function:dev-* yields "dev-x"), followed
// by a neutral name in every collected region. Each candidate is then
// decided for real, explicit denies included.
func (a *Analysis) candidates(n *node, t *Technique) []cand {
	var tpls, acts []string
	for _, st := range t.Steps {
		if isTemplate(st.Resource) {
			tpls = append(tpls, st.Resource)
			acts = append(acts, st.Action)
		}
	}
	if len(tpls) == 0 {
		return []cand{{}}
	}
	seen := map[cand]bool{}
	var out []cand
	add := func(c cand) {
		if !seen[c] && len(out) < maxCandidates {
			seen[c] = true
			out = append(out, c)
		}
	}
	for _, pol := range n.identity {
		for _, st := range pol.Statements {
			if st.Effect != iam.Allow || st.NotResource || !namesAny(st, acts) {
				continue
			}
			for _, res := range st.Resources {
				for _, tpl := range tpls {
					if c, ok := derive(res, tpl, n.p.name); ok {
						add(c)
					}
				}
			}
		}
	}
	for _, r := range a.ix.regions {
		add(cand{region: r})
	}
	return out
}

func isTemplate(res string) bool {
	return res != OnTarget && res != OnInstance && res != OnFunction && res != OnAny
}

func namesAny(st *iam.Statement, acts []string) bool {
	for _, act := range acts {
		m := false
		for _, pat := range st.Actions {
			if globFold(pat, act) {
				m = true
				break
			}
		}
		if m != st.NotAction {
			return true
		}
	}
	return false
}

// derive reads a region and a resource name out of a policy's resource
// pattern for a template ("arn:{partition}:lambda:{region}:{account}:function:{name}").
func derive(pattern, tpl, username string) (cand, bool) {
	pattern = substituteVars(pattern, username)
	if pattern == "*" {
		return cand{}, false
	}
	pf := strings.SplitN(pattern, ":", 6)
	tf := strings.SplitN(tpl, ":", 6)
	if len(pf) != 6 || len(tf) != 6 || !globFold(pf[2], tf[2]) {
		return cand{}, false
	}
	var c cand
	if pf[3] != "" && !strings.ContainsAny(pf[3], "*?") {
		c.region = pf[3]
	}
	i := strings.Index(tf[5], "{name}")
	if i < 0 {
		return c, c.region != ""
	}
	prefix := tf[5][:i]
	if !strings.HasPrefix(pf[5], prefix) {
		return c, c.region != ""
	}
	rest := pf[5][len(prefix):]
	if j := strings.IndexAny(rest, "/:"); j >= 0 {
		rest = rest[:j]
	}
	name := strings.NewReplacer("*", "x", "?", "x").Replace(rest)
	if name == "" {
		name = "x"
	}
	c.name = name
	return c, true
}

// substituteVars fills ${aws:username} with the principal's name and any
// other policy variable with a placeholder, so that a derived name
// matches the pattern it came from.
func substituteVars(s, username string) string {
	s = strings.ReplaceAll(s, "${aws:username}", username)
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return s
		}
		s = s[:i] + "x" + s[i+j+1:]
	}
}
