package e2e

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSnapshotRoundTrip: collect → save → load → scan gives the findings of
// the live scan.
func TestSnapshotRoundTrip(t *testing.T) {
	t.Parallel()
	s := misconfigured(t)
	snap := filepath.Join(t.TempDir(), "snap.json.gz")
	r := demarc(t, s.b.env(), "collect", "-o", snap, "--region", strings.Join(scanRegions, ","), "--role-arn", s.role)
	if r.Exit != 0 {
		t.Fatalf("demarc collect: exit %d; stderr:\n%s", r.Exit, r.Stderr)
	}
	if b, err := os.ReadFile(snap); err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Fatalf("collect did not write a gzip file at %s (err %v)", snap, err)
	}
	// Offline: no endpoint, no credentials. Nothing may reach AWS.
	offline := []string{"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull}
	r = demarc(t, offline, "scan", "--snapshot", snap, "--output", "json")
	if r.Exit != 0 {
		t.Fatalf("demarc scan --snapshot: exit %d; stderr:\n%s", r.Exit, r.Stderr)
	}
	compareFindings(t, "live scan", s.live, "scan of the saved snapshot", parseScan(t, r))
}

func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSnapshotErrors: unreadable snapshots fail with a clear message and
// exit code 3, and never produce a report. No moto needed.
func TestSnapshotErrors(t *testing.T) {
	t.Parallel()
	valid := []byte(`{"schema_version":1,"account_id":"123456789012","partition":"aws","regions":["us-east-1"]}`)
	// Padding so that cutting the file in half cuts the deflate stream, not
	// the gzip header.
	validGz := gz(t, append(valid, bytes.Repeat([]byte(" "), 4096)...))
	cases := []struct {
		name    string
		content []byte
		exit    int
		stderr  []string // all must appear, case-insensitive
	}{
		{"minimal valid snapshot", gz(t, valid), 0, nil},
		{"plain JSON accepted", valid, 0, nil},
		{"garbage", []byte("this is not a snapshot\x00\x01"), 3, []string{"corrupt"}},
		{"truncated gzip", validGz[:len(validGz)/2], 3, []string{"corrupt"}},
		{"bad gzip header", append([]byte{0x1f, 0x8b, 0xff}, []byte("xxxxxxxxxxxxxxxx")...), 3, []string{"corrupt"}},
		{"JSON without schema_version", gz(t, []byte(`{"account_id":"1"}`)), 3, []string{"schema_version"}},
		{"wrong JSON type", gz(t, []byte(`{"schema_version":"one"}`)), 3, []string{"corrupt"}},
		{"newer schema", gz(t, []byte(`{"schema_version":999,"future_field":{"x":1}}`)), 3, []string{"newer", "999", "upgrade"}},
		{"empty file", nil, 3, []string{"corrupt"}},
	}
	dir := t.TempDir()
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, "snap"+string(rune('a'+i))+".json.gz")
			if err := os.WriteFile(path, c.content, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, format := range []string{"json", "table"} {
				r := demarc(t, nil, "scan", "--snapshot", path, "--output", format)
				if r.Exit != c.exit {
					t.Fatalf("--output %s: exit %d, want %d; stderr:\n%s", format, r.Exit, c.exit, r.Stderr)
				}
				if c.exit == 0 {
					continue
				}
				if r.Stdout != "" {
					t.Errorf("--output %s: a failed load wrote a report to stdout:\n%.500s", format, r.Stdout)
				}
				low := strings.ToLower(r.Stderr)
				for _, want := range c.stderr {
					if !strings.Contains(low, strings.ToLower(want)) {
						t.Errorf("--output %s: stderr lacks %q:\n%s", format, want, r.Stderr)
					}
				}
				if !strings.Contains(r.Stderr, path) {
					t.Errorf("--output %s: stderr does not name the file:\n%s", format, r.Stderr)
				}
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		r := demarc(t, nil, "scan", "--snapshot", filepath.Join(dir, "nope.json.gz"))
		if r.Exit != 3 {
			t.Fatalf("exit %d, want 3; stderr:\n%s", r.Exit, r.Stderr)
		}
	})
}
