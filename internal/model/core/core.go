// Package core holds the types every per-service model shares: resource
// metadata and values that may be unknown. It exists as its own package so
// that the service packages (model/iam, model/s3, …) and the snapshot
// (package model) can all use it without an import cycle.
package core

import (
	"encoding/json"
	"sort"
)

// Meta identifies a resource. Every resource in a snapshot carries one.
type Meta struct {
	ARN     string            `json:"arn"`
	Account string            `json:"account"`
	Region  string            `json:"region"` // "global" for IAM and other partition-wide resources
	Tags    map[string]string `json:"tags,omitempty"`
}

// GlobalRegion is the Region of partition-wide resources (IAM, the account).
const GlobalRegion = "global"

// Val is a value that the collector may not have been able to read.
//
// The zero Val is *unknown* ("not collected"): a value that nobody set can
// never be mistaken for a real false/empty and turned into a PASS. Collectors
// call Known(v) when they read a value and Unknown(reason) when they could not.
type Val[T any] struct {
	V      T      `json:"v"`
	Ok     bool   `json:"ok"`
	Reason string `json:"reason,omitempty"` // why it is unknown; empty when Ok
}

// Known returns a read value.
func Known[T any](v T) Val[T] { return Val[T]{V: v, Ok: true} }

// Unknown returns a value that could not be read, with the reason.
func Unknown[T any](reason string) Val[T] {
	if reason == "" {
		reason = "not collected"
	}
	return Val[T]{Reason: reason}
}

// Get returns the value and whether it is known.
func (v Val[T]) Get() (T, bool) { return v.V, v.Ok }

// Why returns the reason a value is unknown ("not collected" for a zero Val).
func (v Val[T]) Why() string {
	if v.Ok {
		return ""
	}
	if v.Reason == "" {
		return "not collected"
	}
	return v.Reason
}

// MarshalJSON keeps unknown values small and explicit in snapshots.
func (v Val[T]) MarshalJSON() ([]byte, error) {
	if !v.Ok {
		return json.Marshal(struct {
			Unknown string `json:"unknown"`
		}{v.Why()})
	}
	return json.Marshal(struct {
		V T `json:"v"`
	}{v.V})
}

// UnmarshalJSON reads both forms written by MarshalJSON. Presence of the
// "v" key decides knownness, so a known null (e.g. "no password policy")
// stays known.
func (v *Val[T]) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*v = Val[T]{}
	val, hasV := raw["v"]
	if unk, ok := raw["unknown"]; ok || !hasV {
		var reason string
		if ok {
			if err := json.Unmarshal(unk, &reason); err != nil {
				return err
			}
		}
		if reason != ReasonNotCollected {
			v.Reason = reason
		}
		return nil
	}
	if err := json.Unmarshal(val, &v.V); err != nil {
		return err
	}
	v.Ok = true
	return nil
}

// CollectError records a read that failed, so reports can show coverage.
type CollectError struct {
	Service   string `json:"service"`
	Region    string `json:"region"`
	Operation string `json:"operation"`
	Resource  string `json:"resource,omitempty"`
	Reason    string `json:"reason"` // short classification: "access denied", "not supported", "throttled", …
	Detail    string `json:"detail,omitempty"`
}

// SortCollectErrors orders errors deterministically.
func SortCollectErrors(errs []CollectError) {
	sort.Slice(errs, func(i, j int) bool {
		a, b := errs[i], errs[j]
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		if a.Operation != b.Operation {
			return a.Operation < b.Operation
		}
		return a.Resource < b.Resource
	})
}

// Common reasons. Collectors classify SDK errors into one of these so rules
// and reports speak the same words.
const (
	ReasonAccessDenied = "access denied"
	ReasonNotSupported = "not supported"
	ReasonThrottled    = "throttled"
	ReasonNotCollected = "not collected"
	ReasonRegionOptOut = "region not enabled"
	ReasonServiceError = "service error"
	ReasonCanceled     = "canceled"
)
