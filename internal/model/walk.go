package model

import (
	"reflect"
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
