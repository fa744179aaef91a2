package web

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// appendLower must lower exactly as strings.ToLower does (the store's
// search and the index's must find the same findings).
func TestAppendLower(t *testing.T) {
	cases := []string{"", "A", "arn:aws:IAM::111122223333:user/Alice", "@[`{ AZaz", "ÀB", "straße İ", "\xffABC", "ABCDEFGH\xe2\x82\xacIJ"}
	for c := 0; c < 0x80; c++ { // every ASCII byte, in and out of a word
		cases = append(cases, strings.Repeat(string(rune(c)), 19))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(r.IntN(0x80))
			if r.IntN(200) == 0 {
				b[i] = byte(0x80 + r.IntN(0x80))
			}
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		if got, want := string(appendLower([]byte("Pre"), s)), "Pre"+strings.ToLower(s); got != want {
			t.Errorf("appendLower(%q) = %q, want %q", s, got, want)
		}
	}
}

// A failed analysis is recognised however its key is written, as
// encoding/json would match it; other documents are decoded.
func TestParseDoc(t *testing.T) {
	for raw, failed := range map[string]bool{
		`{"error":"boom"}`:                  true,
		`{"Error":"boom"}`:                  true,
		` { "ERROR" : "boom <b>" } `:        true,
		`{"\u0065rror":"boom"}`:             true,
		`{"resources":[],"error":"boom"}`:   true,
		`{"resources":[],"error":""}`:       false,
		`{"resources":[{"arn":"x"}]}`:       false,
		`{"resources":[{"name":"errors"}]}`: false,
	} {
		inv, err := parseDoc[Inventory]([]byte(raw))
		if isAnalysisFailure(err) != failed {
			t.Errorf("%s: %v %v, want failed %v", raw, inv, err, failed)
		}
		if !failed && err != nil {
			t.Errorf("%s: %v", raw, err)
		}
	}
	if mayHaveErrorKey([]byte(`{"resources":[{"arn":"arn:aws:s3:::b"}]}`)) {
		t.Error("a document without the key is decoded twice")
	}
}

// find marks the findings whose text contains the needle, as a search of
// each finding's text would, and no occurrence that runs from one finding
// into the next.
func TestTextColFind(t *testing.T) {
	texts := []string{"abc", "", "cab", "ab", "c", "", "abcabc", "ba", "b", "Cab"}
	b := newColBuilder(len(texts))
	for _, s := range texts {
		if err := b.add(s); err != nil {
			t.Fatal(err)
		}
	}
	c := b.done()
	for _, needle := range []string{"", "a", "ab", "abc", "ca", "bc", "cab", "bca", "ba", "cc", "abcab", "x"} {
		hit := make([]bool, len(texts))
		c.find([]byte(needle), hit)
		for i, s := range texts {
			if want := strings.Contains(strings.ToLower(s), needle); hit[i] != want {
				t.Errorf("find(%q) in %q: %v, want %v", needle, s, hit[i], want)
			}
		}
	}
	// Many findings, past the buffer's sizing from the first ones.
	r := rand.New(rand.NewPCG(3, 4))
	texts = make([]string, 3000)
	b = newColBuilder(len(texts))
	for i := range texts {
		p := make([]byte, r.IntN(12))
		for j := range p {
			p[j] = "abAB"[r.IntN(4)]
		}
		texts[i] = string(p)
		if err := b.add(texts[i]); err != nil {
			t.Fatal(err)
		}
	}
	c = b.done()
	for _, needle := range []string{"a", "ab", "bba", "abab", "aaaaa"} {
		hit := make([]bool, len(texts))
		c.find([]byte(needle), hit)
		for i, s := range texts {
			if want := strings.Contains(strings.ToLower(s), needle); hit[i] != want {
				t.Fatalf("find(%q) in finding %d %q: %v, want %v", needle, i, s, hit[i], want)
			}
		}
	}
}
