package model

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/iam"
	"github.com/demarc-sec/demarc/internal/model/s3"
)

func sample() *Snapshot {
	s := New("123456789012", "aws", []string{"us-east-1", "eu-west-1"})
	s.CollectedAt = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	s.IAM.Summary = core.Known(map[string]int32{"AccountMFAEnabled": 1})
	s.IAM.PasswordPolicy = core.Known[*iam.PasswordPolicy](nil)
	s.S3.Buckets = core.Unknown[[]s3.Bucket]("access denied (s3:ListBuckets)")
	return s
}

func TestRoundTrip(t *testing.T) {
	in := sample()
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	out, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip differs:\n in: %+v\nout: %+v", in, out)
	}
	if _, ok := out.S3.Buckets.Get(); ok || !strings.Contains(out.S3.Buckets.Why(), "access denied") {
		t.Fatalf("unknown lost its reason: %+v", out.S3.Buckets)
	}
	if pp, ok := out.IAM.PasswordPolicy.Get(); !ok || pp != nil {
		t.Fatalf("known nil password policy became %v %v", pp, ok)
	}
	// The zero Val (never set) reads back as unknown, never as a known zero.
	if _, ok := out.IAM.Users.Get(); ok {
		t.Fatal("an uncollected value became known")
	}
}

func TestValJSON(t *testing.T) {
	for _, tc := range []struct {
		in  string
		ok  bool
		v   bool
		why string
	}{
		{`{"v": true}`, true, true, ""},
		{`{"v": false}`, true, false, ""},
		{`{"unknown": "access denied"}`, false, false, "access denied"},
		{`{}`, false, false, "not collected"},
		{`{"unknown": ""}`, false, false, "not collected"},
	} {
		var v core.Val[bool]
		if err := json.Unmarshal([]byte(tc.in), &v); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if v.Ok != tc.ok || v.V != tc.v || v.Why() != tc.why {
			t.Errorf("%s → %+v (why %q)", tc.in, v, v.Why())
		}
	}
	var v core.Val[bool]
	if err := json.Unmarshal([]byte(`{"v": "yes"}`), &v); err == nil {
		t.Error("wrong type accepted")
	}
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestReadErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		data []byte
		want error
		msg  string
	}{
		"empty":         {nil, ErrCorrupt, ""},
		"garbage":       {[]byte("hello"), ErrCorrupt, ""},
		"bad gzip":      {[]byte{0x1f, 0x8b, 0, 1, 2}, ErrCorrupt, "gzip"},
		"truncated":     {gz([]byte(`{"schema_version":1,"iam":{`)), ErrCorrupt, ""},
		"no version":    {gz([]byte(`{"account_id":"1"}`)), ErrCorrupt, "schema_version"},
		"newer version": {gz([]byte(`{"schema_version":99}`)), ErrNewerSchema, "upgrade"},
		"wrong types":   {gz([]byte(`{"schema_version":1,"regions":"x"}`)), ErrCorrupt, ""},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(tc.data))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.msg)
			}
		})
	}
}

func TestPlainJSONAccepted(t *testing.T) {
	b, _ := json.Marshal(sample())
	if _, err := Read(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
}

func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	_ = Write(&buf, sample())
	f.Add(buf.Bytes())
	b, _ := json.Marshal(sample())
	f.Add(b)
	f.Add([]byte(`{"schema_version":1,"ec2":[{"name":"x","vpcs":{"v":null}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Read(bytes.NewReader(data))
		if err == nil && s == nil {
			t.Fatal("nil snapshot without error")
		}
		if err == nil {
			s.Normalize()
			var out bytes.Buffer
			if err := Write(&out, s); err != nil {
				t.Fatalf("re-encode: %v", err)
			}
		}
	})
}
