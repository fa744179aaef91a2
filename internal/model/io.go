package model

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// MaxSnapshotBytes bounds the decompressed size of a snapshot we accept, so a
// hostile file (a gzip bomb) fails cleanly instead of exhausting memory.
const MaxSnapshotBytes = 4 << 30

// ErrCorrupt and ErrNewerSchema classify load failures.
var (
	ErrCorrupt     = errors.New("snapshot is corrupt")
	ErrNewerSchema = errors.New("snapshot was written by a newer demarc")
)

// Write encodes the snapshot as gzip'd JSON.
func Write(w io.Writer, s *Snapshot) error {
	zw := gzip.NewWriter(w)
	enc := json.NewEncoder(zw)
	if err := enc.Encode(s); err != nil {
		_ = zw.Close()
		return fmt.Errorf("encode snapshot: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compress snapshot: %w", err)
	}
	return nil
}

// Save writes the snapshot atomically (temp file + rename) to path.
func Save(path string, s *Snapshot) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".demarc-snapshot-*")
	if err != nil {
		return fmt.Errorf("save snapshot: %w", err)
	}
	tmp := f.Name()
	defer func() { _ = os.Remove(tmp) }()
	bw := bufio.NewWriter(f)
	if err := Write(bw, s); err != nil {
		_ = f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		_ = f.Close()
		return fmt.Errorf("save snapshot: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("save snapshot: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("save snapshot: %w", err)
	}
	return nil
}

// Read decodes a snapshot. Plain (uncompressed) JSON is accepted too.
func Read(r io.Reader) (*Snapshot, error) {
	br := bufio.NewReader(r)
	var src io.Reader = br
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%w: gzip header: %v", ErrCorrupt, err)
		}
		defer zr.Close()
		src = zr
	}
	lr := &io.LimitedReader{R: src, N: MaxSnapshotBytes + 1}
	dec := json.NewDecoder(lr)
	// First pass: the schema version alone, so a newer file gets a clear
	// message rather than a confusing decode error.
	var s Snapshot
	if err := dec.Decode(&s); err != nil {
		if lr.N <= 0 {
			return nil, fmt.Errorf("%w: larger than %d bytes", ErrCorrupt, int64(MaxSnapshotBytes))
		}
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	switch {
	case s.SchemaVersion == 0:
		return nil, fmt.Errorf("%w: no schema_version (not a demarc snapshot?)", ErrCorrupt)
	case s.SchemaVersion > SchemaVersion:
		return nil, fmt.Errorf("%w: schema version %d, this build reads up to %d; upgrade demarc",
			ErrNewerSchema, s.SchemaVersion, SchemaVersion)
	}
	return &s, nil
}

// Load reads a snapshot file.
func Load(path string) (*Snapshot, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load snapshot: %w", err)
	}
	defer f.Close()
	s, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("load snapshot %s: %w", path, err)
	}
	return s, nil
}
