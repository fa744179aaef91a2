package model

import (
	"reflect"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Resource is one resource found in a snapshot by Walk.
type Resource struct {
	Kind  string // package.Type, e.g. "ec2.Instance", "s3.Bucket"
	Meta  core.Meta
	Value any // the resource struct (a copy)
}

var metaType = reflect.TypeFor[core.Meta]()

// Walk calls fn for every resource in the snapshot: every struct that embeds
// core.Meta, wherever it sits (lists, regions, known Vals). Unknown Vals are
// skipped: there is nothing in them. Walking by reflection means a new
// service's resources are found without touching this code.
func Walk(s *Snapshot, fn func(Resource)) {
	if s == nil {
		return
	}
	walkValue(reflect.ValueOf(s).Elem(), fn)
}

func walkValue(v reflect.Value, fn func(Resource)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkValue(v.Elem(), fn)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walkValue(v.Index(i), fn)
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			walkValue(it.Value(), fn)
		}
	case reflect.Struct:
		t := v.Type()
		if isVal(t) {
			if v.FieldByName("Ok").Bool() {
				walkValue(v.FieldByName("V"), fn)
			}
			return
		}
		if f, ok := t.FieldByName("Meta"); ok && f.Anonymous && f.Type == metaType {
			fn(Resource{Kind: kindName(t), Meta: v.FieldByIndex(f.Index).Interface().(core.Meta), Value: v.Interface()})
		}
		for i := 0; i < v.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() || f.Type == metaType {
				continue
			}
			walkValue(v.Field(i), fn)
		}
	}
}

func isVal(t reflect.Type) bool {
	return t.PkgPath() == metaType.PkgPath() && strings.HasPrefix(t.Name(), "Val[")
}

func kindName(t reflect.Type) string {
	p := t.PkgPath()
	if i := strings.LastIndex(p, "/"); i >= 0 {
		p = p[i+1:]
	}
	return p + "." + t.Name()
}

// UnknownLists returns, per region, the reasons of every list (a
// core.Val of a slice) that could not be read: a list that is unknown may
// hide resources. Lists inside a per-region element (a struct named Region
// with a Name) count for that region; S3 buckets and CloudTrail trails, held
// globally but regional resources, count under "*" (every region).
func UnknownLists(s *Snapshot) map[string][]string {
	out := map[string][]string{}
	if s == nil {
		return out
	}
	v := reflect.ValueOf(s).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		switch {
		case f.Name == "S3" || f.Name == "CloudTrail":
			collectUnknownLists(v.Field(i), "*", f.Name, out)
		case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct && f.Type.Elem().Name() == "Region":
			for j := 0; j < v.Field(i).Len(); j++ {
				el := v.Field(i).Index(j)
				name := el.FieldByName("Name")
				if name.IsValid() && name.Kind() == reflect.String {
					collectUnknownLists(el, name.String(), f.Name, out)
				}
			}
		}
	}
	return out
}

func collectUnknownLists(v reflect.Value, region, path string, out map[string][]string) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			collectUnknownLists(v.Elem(), region, path, out)
		}
	case reflect.Struct:
		t := v.Type()
		if isVal(t) {
			if !v.FieldByName("Ok").Bool() {
				if v.FieldByName("V").Kind() == reflect.Slice {
					reason := v.FieldByName("Reason").String()
					if reason == "" {
						reason = core.ReasonNotCollected
					}
					out[region] = append(out[region], path+": "+reason)
				}
				return
			}
			// Only top-level lists matter here: do not descend into resources.
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if t.Field(i).IsExported() {
				collectUnknownLists(v.Field(i), region, path+"."+t.Field(i).Name, out)
			}
		}
	}
}

// sortRegionSlices orders every per-region slice of the snapshot (a slice of
// a struct type named Region with a string Name) by region name, so new
// services are covered without touching Normalize.
func sortRegionSlices(s *Snapshot) {
	v := reflect.ValueOf(s).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.Kind() != reflect.Slice || f.Type().Elem().Kind() != reflect.Struct || f.Type().Elem().Name() != "Region" {
			continue
		}
		if _, ok := f.Type().Elem().FieldByName("Name"); !ok {
			continue
		}
		sort.SliceStable(f.Interface(), func(a, b int) bool {
			return f.Index(a).FieldByName("Name").String() < f.Index(b).FieldByName("Name").String()
		})
	}
}
