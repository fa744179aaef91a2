package aws

import (
	"context"
	"errors"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sdkOperations finds every AWS operation the collection code can call. An
// SDK operation can only be invoked with its <Op>Input type, so collecting
// every reference to a service package's *Input type is complete.
func sdkOperations(t *testing.T, root string) map[string]bool {
	t.Helper()
	ops := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		svc := map[string]string{} // local import name → service
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			const pre = "github.com/aws/aws-sdk-go-v2/service/"
			if !strings.HasPrefix(p, pre) || strings.Contains(p[len(pre):], "/") {
				continue
			}
			name := p[len(pre):]
			local := name
			if imp.Name != nil {
				local = imp.Name.Name
			}
			svc[local] = name
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			id, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			s, ok := svc[id.Name]
			if !ok {
				return true
			}
			if op, ok := strings.CutSuffix(sel.Sel.Name, "Input"); ok && op != "" {
				ops[s+":"+op] = true
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ops
}

// TestOperationsAreReadOnly proves demarc's collection code only references
// read-only AWS operations, and keeps the full list in a golden file
// (testdata/operations.txt) so every new operation is reviewed.
func TestOperationsAreReadOnly(t *testing.T) {
	ops := sdkOperations(t, ".")
	var list []string
	for op := range ops {
		list = append(list, op)
		name := op[strings.Index(op, ":")+1:]
		if !IsReadOnlyOperation(name) {
			t.Errorf("operation %s is not read-only", op)
		}
	}
	if len(list) == 0 {
		t.Fatal("found no SDK operations: the scanner is broken")
	}
	sort.Strings(list)
	got := strings.Join(list, "\n") + "\n"
	golden := filepath.Join("testdata", "operations.txt")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run: go test ./internal/collect/aws -run TestOperationsAreReadOnly -update)", err)
	}
	if string(want) != got {
		t.Errorf("operation list changed; review and run with -update.\ngot:\n%s", got)
	}
}

func TestIsReadOnlyOperation(t *testing.T) {
	for op, want := range map[string]bool{
		"GetAccountAuthorizationDetails": true, "ListBuckets": true, "DescribeInstances": true,
		"GenerateCredentialReport": true, "LookupEvents": true, "BatchGetAccountStatus": true,
		"CreateUser": false, "PutBucketPolicy": false, "DeleteTrail": false, "UpdateDetector": false,
		"AttachRolePolicy": false, "ModifySnapshotAttribute": false, "TagResource": false,
		"StartLogging": false, "RunInstances": false, "EnableSecurityHub": false,
	} {
		if got := IsReadOnlyOperation(op); got != want {
			t.Errorf("IsReadOnlyOperation(%s) = %v, want %v", op, got, want)
		}
	}
}

// TestGuardRefusesMutatingCalls: even if code tried a mutating call, the
// guard middleware stops it before anything is sent.
func TestGuardRefusesMutatingCalls(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  aws.AnonymousCredentials{},
		BaseEndpoint: aws.String(srv.URL),
		APIOptions:   []func(*middleware.Stack) error{readOnlyGuard},
	}
	ctx := context.Background()
	_, err := iam.NewFromConfig(cfg).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
	if !errors.Is(err, ErrMutatingCall) {
		t.Fatalf("CreateUser: err = %v, want ErrMutatingCall", err)
	}
	_, err = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).
		DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("b")})
	if !errors.Is(err, ErrMutatingCall) {
		t.Fatalf("DeleteBucket: err = %v, want ErrMutatingCall", err)
	}
	if hits.Load() != 0 {
		t.Fatalf("%d requests reached the server", hits.Load())
	}
}
