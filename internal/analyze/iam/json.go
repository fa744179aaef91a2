package iam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits on policy text. AWS's own limits are far lower (6,144 characters for
// a managed policy, 20 KB for a bucket policy); these only keep a hostile
// document from exhausting memory or the stack.
const (
	MaxPolicyBytes = 1 << 20
	maxDepth       = 32
)

// jsonKind is the type of a node in the strict JSON tree.
type jsonKind uint8

const (
	jNull jsonKind = iota
	jString
	jNumber
	jBool
	jObject
	jArray
)

func (k jsonKind) String() string {
	return [...]string{"null", "string", "number", "boolean", "object", "array"}[k]
}

// jsonNode is a parsed JSON value. Objects keep their members in document
// order so errors and output are deterministic; duplicate member names are
// rejected at parse time, because two "Effect" members would otherwise be
// resolved silently (and possibly differently from AWS).
type jsonNode struct {
	kind    jsonKind
	str     string // string value, or the literal text of a number
	boolean bool
	members []jsonMember
	items   []*jsonNode
}

type jsonMember struct {
	key string
	val *jsonNode
}

// get returns the member named key (exact case), or nil.
func (n *jsonNode) get(key string) *jsonNode {
	for i := range n.members {
		if n.members[i].key == key {
			return n.members[i].val
		}
	}
	return nil
}

// scalarText renders a string, number or boolean as the string AWS compares.
func (n *jsonNode) scalarText() (string, bool) {
	switch n.kind {
	case jString, jNumber:
		return n.str, true
	case jBool:
		if n.boolean {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// parseJSON reads exactly one JSON value with bounded size and depth.
func parseJSON(text []byte) (*jsonNode, error) {
	if len(text) > MaxPolicyBytes {
		return nil, fmt.Errorf("document is %d bytes, larger than the %d-byte limit", len(text), MaxPolicyBytes)
	}
	if err := checkDepth(text); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	n, err := readNode(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("invalid JSON: unexpected data after the document")
	}
	return n, nil
}

// checkDepth rejects deeply nested text before the decoder recurses into it.
func checkDepth(text []byte) error {
	depth, inStr, esc := 0, false, false
	for _, c := range text {
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
			if depth > maxDepth {
				return fmt.Errorf("document nests deeper than %d levels", maxDepth)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

func readNode(dec *json.Decoder, depth int) (*jsonNode, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("document nests deeper than %d levels", maxDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonErr(err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &jsonNode{kind: jObject}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, jsonErr(err)
				}
				key, ok := kt.(string)
				if !ok {
					return nil, errors.New("invalid JSON: object key is not a string")
				}
				if n.get(key) != nil {
					return nil, fmt.Errorf("duplicate JSON key %q", key)
				}
				v, err := readNode(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.members = append(n.members, jsonMember{key: key, val: v})
			}
			if _, err := dec.Token(); err != nil {
				return nil, jsonErr(err)
			}
			return n, nil
		case '[':
			n := &jsonNode{kind: jArray}
			for dec.More() {
				v, err := readNode(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, jsonErr(err)
			}
			return n, nil
		}
		return nil, fmt.Errorf("invalid JSON: unexpected %q", t.String())
	case string:
		return &jsonNode{kind: jString, str: t}, nil
	case json.Number:
		return &jsonNode{kind: jNumber, str: t.String()}, nil
	case bool:
		return &jsonNode{kind: jBool, boolean: t}, nil
	case nil:
		return &jsonNode{kind: jNull}, nil
	}
	return nil, fmt.Errorf("invalid JSON: unexpected token %v", tok)
}

func jsonErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("invalid JSON: unexpected end of document")
	}
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "json: ")
	return fmt.Errorf("invalid JSON: %s", msg)
}
