package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/demarc-sec/demarc/internal/engine"
	"github.com/demarc-sec/demarc/internal/model/core"
)

// jsonStreamHeader is the scan document's header without the summary: a
// streaming writer only knows the summary at the end, so "summary" follows
// "results". The fields and their meaning are those of WriteJSON
// (docs/json-output.md); JSON object member order carries no meaning.
type jsonStreamHeader struct {
	SchemaVersion int            `json:"schema_version"`
	Tool          map[string]any `json:"tool"`
	ScanMeta
	Coverage jsonCoverage `json:"coverage"`
}

// jsonWriter streams the versioned scan document one result at a time.
type jsonWriter struct {
	bw  *bufio.Writer
	buf bytes.Buffer
	enc *json.Encoder
	n   int
}

func newJSONWriter(w io.Writer, meta ScanMeta) (*jsonWriter, error) {
	j := &jsonWriter{bw: bufio.NewWriterSize(w, 64<<10)}
	j.enc = json.NewEncoder(&j.buf)
	if meta.Errors == nil {
		meta.Errors = []core.CollectError{}
	}
	if meta.Regions == nil {
		meta.Regions = []string{}
	}
	h := jsonStreamHeader{
		SchemaVersion: JSONSchemaVersion,
		Tool:          map[string]any{"name": "demarc", "version": meta.ToolVersion},
		ScanMeta:      meta,
		Coverage:      jsonCoverage{Errors: meta.Errors},
	}
	hb, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode scan header: %w", err)
	}
	// Re-open the header object to append the results array.
	j.bw.Write(hb[:len(hb)-2])
	j.bw.WriteString(",\n  \"results\": [")
	return j, nil
}

func (j *jsonWriter) Write(f engine.Finding) error {
	j.buf.Reset()
	if err := j.enc.Encode(&f); err != nil {
		return fmt.Errorf("encode finding %s: %w", f.RuleID, err)
	}
	if j.n > 0 {
		j.bw.WriteByte(',')
	}
	j.n++
	j.bw.WriteString("\n    ")
	j.bw.Write(bytes.TrimSuffix(j.buf.Bytes(), []byte("\n")))
	return nil
}

func (j *jsonWriter) Close(sum engine.Summary) error {
	if j.n > 0 {
		j.bw.WriteString("\n  ")
	}
	sb, err := json.MarshalIndent(sum, "  ", "  ")
	if err != nil {
		return fmt.Errorf("encode summary: %w", err)
	}
	j.bw.WriteString("],\n  \"summary\": ")
	j.bw.Write(sb)
	j.bw.WriteString("\n}\n")
	if err := j.bw.Flush(); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}
