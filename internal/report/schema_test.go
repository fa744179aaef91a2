package report

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/demarc-sec/demarc/internal/engine"
)

// The validators in this file are deliberately small: each implements what
// its vendored schema uses (testdata/schemas/README.md) and fails loudly on
// anything it does not implement, so a schema update cannot silently weaken
// the test. No JSON-schema library was available in the module cache.

// loadSchema decodes a vendored schema file (gzip-compressed when it ends
// in .gz) into v, keeping numbers as json.Number.
func loadSchema(t testing.TB, name string, v any) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "schemas", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func decodeNumbers(t testing.TB, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	return v
}

// ---- JSON Schema draft-04 (the subset the SARIF schema uses) ----

type draft4 struct {
	root map[string]any
	errs []string
}

var draft4Keywords = map[string]bool{
	"$ref": true, "$schema": true, "id": true, "title": true, "description": true, "default": true,
	"definitions": true, "type": true, "enum": true, "required": true, "properties": true,
	"additionalProperties": true, "items": true, "minItems": true, "uniqueItems": true,
	"minimum": true, "maximum": true, "pattern": true, "format": true, "anyOf": true, "oneOf": true,
}

func (v *draft4) fail(path, format string, a ...any) {
	v.errs = append(v.errs, path+": "+fmt.Sprintf(format, a...))
}

func (v *draft4) validate(schema map[string]any, inst any, path string) {
	for k := range schema {
		if !draft4Keywords[k] {
			v.fail(path, "validator does not implement keyword %q", k)
		}
	}
	if ref, ok := schema["$ref"].(string); ok {
		name, ok := strings.CutPrefix(ref, "#/definitions/")
		if !ok {
			v.fail(path, "unsupported $ref %q", ref)
			return
		}
		def, ok := v.root["definitions"].(map[string]any)[name].(map[string]any)
		if !ok {
			v.fail(path, "no definition %q", name)
			return
		}
		v.validate(def, inst, path)
	}
	if t, ok := schema["type"]; ok {
		var types []string
		switch t := t.(type) {
		case string:
			types = []string{t}
		case []any:
			for _, x := range t {
				types = append(types, x.(string))
			}
		}
		okType := false
		for _, ty := range types {
			if jsonType(inst, ty) {
				okType = true
			}
		}
		if !okType {
			v.fail(path, "type %T, want %v", inst, types)
			return
		}
	}
	if enum, ok := schema["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if reflect.DeepEqual(e, inst) {
				found = true
			}
		}
		if !found {
			v.fail(path, "%v not in enum %v", inst, enum)
		}
	}
	if anyOf, ok := schema["anyOf"].([]any); ok {
		matched := 0
		for _, s := range anyOf {
			sub := &draft4{root: v.root}
			sub.validate(s.(map[string]any), inst, path)
			if len(sub.errs) == 0 {
				matched++
			}
		}
		if matched == 0 {
			v.fail(path, "matches none of anyOf")
		}
	}
	if oneOf, ok := schema["oneOf"].([]any); ok {
		matched := 0
		for _, s := range oneOf {
			sub := &draft4{root: v.root}
			sub.validate(s.(map[string]any), inst, path)
			if len(sub.errs) == 0 {
				matched++
			}
		}
		if matched != 1 {
			v.fail(path, "matches %d of oneOf, want exactly 1", matched)
		}
	}
	switch x := inst.(type) {
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		for _, r := range asSlice(schema["required"]) {
			if _, ok := x[r.(string)]; !ok {
				v.fail(path, "missing required %q", r)
			}
		}
		for _, k := range sortedKeys(x) {
			if ps, ok := props[k].(map[string]any); ok {
				v.validate(ps, x[k], path+"."+k)
				continue
			}
			switch ap := schema["additionalProperties"].(type) {
			case bool:
				if !ap {
					v.fail(path, "additional property %q not allowed", k)
				}
			case map[string]any:
				v.validate(ap, x[k], path+"."+k)
			}
		}
	case []any:
		if n, ok := schema["minItems"].(json.Number); ok {
			if m, _ := n.Int64(); int64(len(x)) < m {
				v.fail(path, "%d items, want at least %d", len(x), m)
			}
		}
		if u, _ := schema["uniqueItems"].(bool); u {
			for i := range x {
				for j := i + 1; j < len(x); j++ {
					if reflect.DeepEqual(x[i], x[j]) {
						v.fail(path, "items %d and %d are equal but uniqueItems", i, j)
					}
				}
			}
		}
		if items, ok := schema["items"].(map[string]any); ok {
			for i, e := range x {
				v.validate(items, e, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	case json.Number:
		f, _ := x.Float64()
		if m, ok := schema["minimum"].(json.Number); ok {
			if mf, _ := m.Float64(); f < mf {
				v.fail(path, "%v < minimum %v", f, mf)
			}
		}
		if m, ok := schema["maximum"].(json.Number); ok {
			if mf, _ := m.Float64(); f > mf {
				v.fail(path, "%v > maximum %v", f, mf)
			}
		}
	case string:
		if p, ok := schema["pattern"].(string); ok {
			if !regexp.MustCompile(p).MatchString(x) {
				v.fail(path, "%q does not match %q", x, p)
			}
		}
		switch schema["format"] {
		case "date-time":
			if _, err := time.Parse(time.RFC3339Nano, x); err != nil {
				v.fail(path, "not a date-time: %q", x)
			}
		case "uri":
			if u, err := url.Parse(x); err != nil || u.Scheme == "" {
				v.fail(path, "not an absolute URI: %q", x)
			}
		case "uri-reference":
			if _, err := url.Parse(x); err != nil {
				v.fail(path, "not a URI reference: %q", x)
			}
		}
	}
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func jsonType(v any, t string) bool {
	switch t {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "null":
		return v == nil
	case "number":
		_, ok := v.(json.Number)
		return ok
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		_, err := n.Int64()
		return err == nil
	}
	return false
}

func TestSARIFSchema(t *testing.T) {
	var schema map[string]any
	loadSchema(t, "sarif-schema-2.1.0.json", &schema)
	for name, out := range map[string][]byte{"fixture": render(t, FormatSARIF), "empty": renderEmpty(t, FormatSARIF)} {
		v := &draft4{root: schema}
		v.validate(schema, decodeNumbers(t, out), "$")
		for _, e := range v.errs {
			t.Errorf("%s: %s", name, e)
		}
	}
	// The validator does reject: a wrong level and a missing message.
	bad := decodeNumbers(t, render(t, FormatSARIF)).(map[string]any)
	res := bad["runs"].([]any)[0].(map[string]any)["results"].([]any)[0].(map[string]any)
	res["level"] = "fatal"
	delete(res, "message")
	v := &draft4{root: schema}
	v.validate(schema, bad, "$")
	if len(v.errs) < 2 {
		t.Errorf("validator accepted a broken log: %v", v.errs)
	}
}

func renderEmpty(t testing.TB, format string) []byte {
	var b bytes.Buffer
	w, err := NewWriter(format, &b, ScanMeta{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(engine.Summary{}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// ---- OCSF (the compiled schema export) ----

type ocsfSchema struct {
	Version string                     `json:"version"`
	Classes map[string]ocsfSchemaClass `json:"classes"`
	Objects map[string]ocsfSchemaClass `json:"objects"`
	Types   map[string]ocsfSchemaType  `json:"types"`
}

type ocsfSchemaClass struct {
	Name        string                         `json:"name"`
	UID         json.Number                    `json:"uid"`
	Category    string                         `json:"category"`
	Attributes  map[string]ocsfSchemaAttribute `json:"attributes"`
	Constraints map[string][]string            `json:"constraints"`
}

type ocsfSchemaAttribute struct {
	Type        string                     `json:"type"`
	Requirement string                     `json:"requirement"`
	IsArray     bool                       `json:"is_array"`
	Enum        map[string]json.RawMessage `json:"enum"`
	Profile     *string                    `json:"profile"`
	ObjectType  *string                    `json:"object_type"`
	Sibling     *string                    `json:"sibling"`
}

type ocsfSchemaType struct {
	Type   *string       `json:"type"`
	MaxLen *json.Number  `json:"max_len"`
	Regex  *string       `json:"regex"`
	Range  []json.Number `json:"range"`
	Values []any         `json:"values"`
}

type ocsfValidator struct {
	s        ocsfSchema
	profiles map[string]bool
	errs     []string
}

func (v *ocsfValidator) fail(path, format string, a ...any) {
	v.errs = append(v.errs, path+": "+fmt.Sprintf(format, a...))
}

// object validates an event or object against a class/object definition:
// no unknown attributes, required ones present (those of a profile only
// when the event applies the profile), constraints, and each value's type.
func (v *ocsfValidator) object(def ocsfSchemaClass, m map[string]any, path string) {
	for _, k := range sortedKeys(m) {
		a, ok := def.Attributes[k]
		if !ok {
			v.fail(path, "attribute %q is not in %s", k, def.Name)
			continue
		}
		if a.Profile != nil && !v.profiles[*a.Profile] {
			v.fail(path, "attribute %q belongs to profile %q, not applied in metadata.profiles", k, *a.Profile)
		}
		v.attribute(a, m[k], path+"."+k)
		if a.Sibling != nil && len(a.Enum) > 0 {
			v.sibling(a, m, k, *a.Sibling, path)
		}
	}
	for _, k := range sortedKeys(def.Attributes) {
		a := def.Attributes[k]
		if a.Requirement != "required" || (a.Profile != nil && !v.profiles[*a.Profile]) {
			continue
		}
		if _, ok := m[k]; !ok {
			v.fail(path, "required attribute %q missing", k)
		}
	}
	if names, ok := def.Constraints["at_least_one"]; ok {
		found := false
		for _, n := range names {
			if _, ok := m[n]; ok {
				found = true
			}
		}
		if !found {
			v.fail(path, "needs at least one of %v", names)
		}
	}
	if names, ok := def.Constraints["just_one"]; ok {
		n := 0
		for _, name := range names {
			if _, ok := m[name]; ok {
				n++
			}
		}
		if n != 1 {
			v.fail(path, "needs exactly one of %v", names)
		}
	}
	for c := range def.Constraints {
		if c != "at_least_one" && c != "just_one" {
			v.fail(path, "validator does not implement constraint %q", c)
		}
	}
}

// sibling checks that a *_id enum's label attribute carries the caption of
// the id (OCSF: the label is the caption unless the id is 99, Other).
func (v *ocsfValidator) sibling(a ocsfSchemaAttribute, m map[string]any, idKey, labelKey, path string) {
	label, ok := m[labelKey].(string)
	if !ok {
		return
	}
	id := fmt.Sprint(m[idKey])
	if id == "99" {
		return
	}
	var e struct {
		Caption string `json:"caption"`
	}
	if raw, ok := a.Enum[id]; ok && json.Unmarshal(raw, &e) == nil && e.Caption != label {
		v.fail(path, "%s=%q but %s=%s means %q", labelKey, label, idKey, id, e.Caption)
	}
}

func (v *ocsfValidator) attribute(a ocsfSchemaAttribute, val any, path string) {
	if a.IsArray {
		arr, ok := val.([]any)
		if !ok {
			v.fail(path, "want an array, got %T", val)
			return
		}
		for i, e := range arr {
			v.value(a, e, fmt.Sprintf("%s[%d]", path, i))
		}
		return
	}
	v.value(a, val, path)
}

func (v *ocsfValidator) value(a ocsfSchemaAttribute, val any, path string) {
	if a.ObjectType != nil && a.Type != "object" {
		def, ok := v.s.Objects[*a.ObjectType]
		if !ok {
			v.fail(path, "unknown object type %q", *a.ObjectType)
			return
		}
		m, ok := val.(map[string]any)
		if !ok {
			v.fail(path, "want object %s, got %T", *a.ObjectType, val)
			return
		}
		v.object(def, m, path)
		return
	}
	if len(a.Enum) > 0 {
		if _, ok := a.Enum[fmt.Sprint(val)]; !ok {
			v.fail(path, "%v is not one of the enum values %v", val, sortedKeys(a.Enum))
		}
	}
	v.typed(a.Type, val, path, 0)
}

// typed checks a scalar against a type, following derived types to their
// base (timestamp_t → long_t) and applying max_len, regex, range, values.
func (v *ocsfValidator) typed(typ string, val any, path string, depth int) {
	if depth > 8 {
		v.fail(path, "type chain too deep at %s", typ)
		return
	}
	switch typ {
	case "string_t":
		s, ok := val.(string)
		if !ok {
			v.fail(path, "want string, got %T", val)
			return
		}
		if !utf8.ValidString(s) {
			v.fail(path, "invalid UTF-8")
		}
	case "integer_t":
		n, ok := val.(json.Number)
		i, err := n.Int64()
		if !ok || err != nil || i > math.MaxInt32 || i < math.MinInt32 {
			v.fail(path, "want a 32-bit integer, got %v", val)
		}
	case "long_t":
		n, ok := val.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			v.fail(path, "want a 64-bit integer, got %v", val)
		}
	case "float_t":
		n, ok := val.(json.Number)
		if _, err := n.Float64(); !ok || err != nil {
			v.fail(path, "want a number, got %v", val)
		}
	case "boolean_t":
		if _, ok := val.(bool); !ok {
			v.fail(path, "want boolean, got %T", val)
		}
	case "json_t", "object":
	default:
		t, ok := v.s.Types[typ]
		if !ok || t.Type == nil {
			v.fail(path, "unknown type %q", typ)
			return
		}
		v.typed(*t.Type, val, path, depth+1)
	}
	if t, ok := v.s.Types[typ]; ok {
		if s, isStr := val.(string); isStr {
			if t.MaxLen != nil {
				if n, _ := t.MaxLen.Int64(); int64(len(s)) > n {
					v.fail(path, "longer than %d bytes", n)
				}
			}
			if t.Regex != nil && !regexp.MustCompile(*t.Regex).MatchString(s) {
				v.fail(path, "%q does not match %s", s, *t.Regex)
			}
		}
		if len(t.Range) == 2 {
			n, _ := val.(json.Number)
			f, _ := n.Float64()
			lo, _ := t.Range[0].Float64()
			hi, _ := t.Range[1].Float64()
			if f < lo || f > hi {
				v.fail(path, "%v outside %v", val, t.Range)
			}
		}
	}
}

func (v *ocsfValidator) event(ev map[string]any, path string) {
	v.profiles = map[string]bool{}
	if md, ok := ev["metadata"].(map[string]any); ok {
		for _, p := range asSlice(md["profiles"]) {
			v.profiles[fmt.Sprint(p)] = true
		}
		if md["version"] != v.s.Version {
			v.fail(path, "metadata.version %v, schema is %s", md["version"], v.s.Version)
		}
	}
	var class ocsfSchemaClass
	found := false
	for _, c := range v.s.Classes {
		if c.UID.String() == fmt.Sprint(ev["class_uid"]) {
			class, found = c, true
		}
	}
	if !found {
		v.fail(path, "unknown class_uid %v", ev["class_uid"])
		return
	}
	v.object(class, ev, path)
	// type_uid = class_uid * 100 + activity_id.
	cls, _ := strconv.Atoi(fmt.Sprint(ev["class_uid"]))
	act, _ := strconv.Atoi(fmt.Sprint(ev["activity_id"]))
	if fmt.Sprint(ev["type_uid"]) != strconv.Itoa(cls*100+act) {
		v.fail(path, "type_uid %v != class_uid*100+activity_id", ev["type_uid"])
	}
}

func loadOCSF(t testing.TB) ocsfSchema {
	t.Helper()
	var s ocsfSchema
	loadSchema(t, "ocsf-schema-1.3.0.json.gz", &s)
	if s.Version != OCSFVersion {
		t.Fatalf("vendored OCSF schema is %s, writer claims %s", s.Version, OCSFVersion)
	}
	return s
}

func TestOCSFSchema(t *testing.T) {
	s := loadOCSF(t)
	out := render(t, FormatOCSF)
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 4<<20)
	line := 0
	for sc.Scan() {
		line++
		v := &ocsfValidator{s: s}
		v.event(decodeNumbers(t, sc.Bytes()).(map[string]any), fmt.Sprintf("line %d", line))
		for _, e := range v.errs {
			t.Error(e)
		}
	}
	if line == 0 {
		t.Fatal("no events")
	}
	// The validator does reject.
	ev := decodeNumbers(t, bytes.SplitN(out, []byte("\n"), 2)[0]).(map[string]any)
	ev["severity_id"] = json.Number("7")
	delete(ev["compliance"].(map[string]any), "standards")
	ev["bogus"] = true
	ev["type_uid"] = json.Number("200302")
	v := &ocsfValidator{s: s}
	v.event(ev, "bad")
	if len(v.errs) < 4 {
		t.Errorf("validator accepted a broken event: %v", v.errs)
	}
}

// ---- ASFF (the Security Hub Smithy model) ----

type smithyModel struct {
	Shapes map[string]smithyShape `json:"shapes"`
}

type smithyRef struct {
	Target string         `json:"target"`
	Traits map[string]any `json:"traits"`
}

type smithyShape struct {
	Type    string               `json:"type"`
	Members map[string]smithyRef `json:"members"`
	Member  *smithyRef           `json:"member"`
	Key     *smithyRef           `json:"key"`
	Value   *smithyRef           `json:"value"`
	Traits  map[string]any       `json:"traits"`
}

type smithyValidator struct {
	m    smithyModel
	errs []string
}

func (v *smithyValidator) fail(path, format string, a ...any) {
	v.errs = append(v.errs, path+": "+fmt.Sprintf(format, a...))
}

func (v *smithyValidator) shape(target string, traits map[string]any, val any, path string) {
	switch target {
	case "smithy.api#String":
		if _, ok := val.(string); !ok {
			v.fail(path, "want string, got %T", val)
		}
		return
	case "smithy.api#Boolean", "smithy.api#PrimitiveBoolean":
		if _, ok := val.(bool); !ok {
			v.fail(path, "want boolean")
		}
		return
	}
	s, ok := v.m.Shapes[target]
	if !ok {
		v.fail(path, "validator does not know shape %q", target)
		return
	}
	all := map[string]any{}
	for k, x := range s.Traits {
		all[k] = x
	}
	for k, x := range traits {
		all[k] = x
	}
	switch s.Type {
	case "structure":
		m, ok := val.(map[string]any)
		if !ok {
			v.fail(path, "want structure %s, got %T", target, val)
			return
		}
		for _, k := range sortedKeys(m) {
			mem, ok := s.Members[k]
			if !ok {
				v.fail(path, "member %q is not in %s", k, target)
				continue
			}
			v.shape(mem.Target, mem.Traits, m[k], path+"."+k)
		}
		for _, k := range sortedKeys(s.Members) {
			if _, req := s.Members[k].Traits["smithy.api#required"]; req {
				if _, ok := m[k]; !ok {
					v.fail(path, "required member %q missing", k)
				}
			}
		}
	case "list":
		arr, ok := val.([]any)
		if !ok {
			v.fail(path, "want list, got %T", val)
			return
		}
		v.length(all, len(arr), path)
		for i, e := range arr {
			v.shape(s.Member.Target, s.Member.Traits, e, fmt.Sprintf("%s[%d]", path, i))
		}
	case "map":
		m, ok := val.(map[string]any)
		if !ok {
			v.fail(path, "want map, got %T", val)
			return
		}
		v.length(all, len(m), path)
		for _, k := range sortedKeys(m) {
			v.shape(s.Key.Target, s.Key.Traits, k, path+"{key}")
			v.shape(s.Value.Target, s.Value.Traits, m[k], path+"."+k)
		}
	case "enum":
		str, ok := val.(string)
		if !ok {
			v.fail(path, "want enum string, got %T", val)
			return
		}
		found := false
		var allowed []string
		for _, mem := range s.Members {
			ev, _ := mem.Traits["smithy.api#enumValue"].(string)
			allowed = append(allowed, ev)
			if ev == str {
				found = true
			}
		}
		sort.Strings(allowed)
		if !found {
			v.fail(path, "%q not in %v", str, allowed)
		}
	case "string":
		str, ok := val.(string)
		if !ok {
			v.fail(path, "want string, got %T", val)
			return
		}
		v.length(all, utf8.RuneCountInString(str), path)
		if p, ok := all["smithy.api#pattern"].(string); ok && !regexp.MustCompile(p).MatchString(str) {
			v.fail(path, "%q does not match pattern %q", str, p)
		}
		if _, ok := all["smithy.api#enum"]; ok {
			v.fail(path, "validator does not implement the enum trait")
		}
	case "integer", "long":
		n, ok := val.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			v.fail(path, "want integer, got %v", val)
		}
	case "double", "float":
		n, ok := val.(json.Number)
		if _, err := n.Float64(); !ok || err != nil {
			v.fail(path, "want number, got %v", val)
		}
	case "boolean":
		if _, ok := val.(bool); !ok {
			v.fail(path, "want boolean")
		}
	default:
		v.fail(path, "validator does not implement shape type %q (%s)", s.Type, target)
	}
}

func (v *smithyValidator) length(traits map[string]any, n int, path string) {
	l, ok := traits["smithy.api#length"].(map[string]any)
	if !ok {
		return
	}
	if mn, ok := l["min"].(json.Number); ok {
		if x, _ := mn.Int64(); int64(n) < x {
			v.fail(path, "length %d < min %d", n, x)
		}
	}
	if mx, ok := l["max"].(json.Number); ok {
		if x, _ := mx.Int64(); int64(n) > x {
			v.fail(path, "length %d > max %d", n, x)
		}
	}
}

func loadSmithy(t testing.TB) smithyModel {
	t.Helper()
	var m smithyModel
	loadSchema(t, "securityhub-2018-10-26.json.gz", &m)
	return m
}

const asffFindingShape = "com.amazonaws.securityhub#AwsSecurityFinding"

func TestASFFSchema(t *testing.T) {
	m := loadSmithy(t)
	// The input of BatchImportFindings is a list of AwsSecurityFinding.
	in := m.Shapes["com.amazonaws.securityhub#BatchImportFindingsRequest"].Members["Findings"]
	list := m.Shapes[in.Target]
	if list.Member == nil || list.Member.Target != asffFindingShape {
		t.Fatalf("model: BatchImportFindings takes %v", list.Member)
	}
	detailTypes := map[string]bool{"AwsAccount": true} // Security Hub's type for account-level findings
	for name := range m.Shapes["com.amazonaws.securityhub#ResourceDetails"].Members {
		detailTypes[name] = true
	}

	out := render(t, FormatASFF)
	arr, ok := decodeNumbers(t, out).([]any)
	if !ok || len(arr) != len(testFindings()) {
		t.Fatalf("ASFF output is not an array of %d findings", len(testFindings()))
	}
	// BatchImportFindings accepts 1 to 100 findings per call; the model
	// says so too, so validate the array as that request's list, in chunks.
	for start := 0; start < len(arr); start += 100 {
		v := &smithyValidator{m: m}
		v.shape(in.Target, in.Traits, arr[start:min(start+100, len(arr))], "Findings")
		for _, e := range v.errs {
			t.Error(e)
		}
	}
	ids := map[string]bool{}
	for i, x := range arr {
		f := x.(map[string]any)
		path := fmt.Sprintf("[%d]", i)
		// Limits and formats from the Security Hub user guide
		// (asff-required-attributes, securityhub-findings-format-type-taxonomy).
		if f["SchemaVersion"] != "2018-10-08" {
			t.Errorf("%s SchemaVersion %v", path, f["SchemaVersion"])
		}
		if n := utf8.RuneCountInString(f["Title"].(string)); n > asffTitleMax {
			t.Errorf("%s Title has %d characters", path, n)
		}
		if n := utf8.RuneCountInString(f["Description"].(string)); n > asffDescriptionMax {
			t.Errorf("%s Description has %d characters", path, n)
		}
		id := f["Id"].(string)
		if len(id) > 512 || ids[id] {
			t.Errorf("%s Id %q too long or not unique", path, id)
		}
		ids[id] = true
		acct := f["AwsAccountId"].(string)
		if !regexp.MustCompile(`^arn:aws:securityhub:[a-z]{2}(-[a-z]+)+-\d:` + acct + `:product/` + acct + `/default$`).MatchString(f["ProductArn"].(string)) {
			t.Errorf("%s ProductArn %v is not this account's default product", path, f["ProductArn"])
		}
		for _, ts := range []string{"CreatedAt", "UpdatedAt"} {
			if _, err := time.Parse(time.RFC3339, f[ts].(string)); err != nil {
				t.Errorf("%s %s: %v", path, ts, err)
			}
		}
		if f["CreatedAt"] != f["UpdatedAt"] {
			t.Errorf("%s CreatedAt and UpdatedAt must match on creation", path)
		}
		for _, ty := range asSlice(f["Types"]) {
			if len(strings.Split(ty.(string), "/")) < 2 || !strings.HasPrefix(ty.(string), "Software and Configuration Checks/") {
				t.Errorf("%s Types %q not in namespace/category[/classifier] form", path, ty)
			}
		}
		for _, r := range asSlice(f["Resources"]) {
			rt := r.(map[string]any)["Type"].(string)
			if !detailTypes[rt] {
				t.Errorf("%s Resources[].Type %q is not a Security Hub resource type", path, rt)
			}
			if reg, ok := r.(map[string]any)["Region"].(string); ok && !regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`).MatchString(reg) {
				t.Errorf("%s Resources[].Region %q is not a region", path, reg)
			}
		}
		if len(f["ProductFields"].(map[string]any)) > 50 {
			t.Errorf("%s more than 50 ProductFields", path)
		}
		if b, _ := json.Marshal(f); len(b) > 240*1024 {
			t.Errorf("%s larger than 240 KB", path)
		}
	}
	// Every ARN type the writer can emit is one Security Hub knows.
	for _, ty := range asffTypesEmitted() {
		if !detailTypes[ty] {
			t.Errorf("ASFFResourceType can return %q, unknown to Security Hub", ty)
		}
	}
	// The validator does reject.
	bad := decodeNumbers(t, out).([]any)[:1]
	f := bad[0].(map[string]any)
	delete(f, "GeneratorId")
	f["Severity"].(map[string]any)["Label"] = "SEVERE"
	f["Compliance"].(map[string]any)["Status"] = "PASS"
	f["Title"] = " "
	v := &smithyValidator{m: m}
	v.shape(in.Target, in.Traits, bad, "Findings")
	if len(v.errs) < 4 {
		t.Errorf("validator accepted a broken finding: %v", v.errs)
	}
}

// asffTypesEmitted lists the types ASFFResourceType returns, by reading its
// source: a new mapping cannot escape the model check above.
func asffTypesEmitted() []string {
	src, err := os.ReadFile("asff.go")
	if err != nil {
		return nil
	}
	body := string(src)
	body = body[strings.Index(body, "func ASFFResourceType"):]
	seen := map[string]bool{}
	var out []string
	for _, m := range regexp.MustCompile(`"(Aws[A-Za-z0-9]+|Other)"`).FindAllStringSubmatch(body, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	return out
}
