package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// front is the endpoint a scenario's demarc runs talk to: a reverse proxy
// to moto that itself answers two SSM listings (see emptySSM), AWS Backup
// selections (serveSelections) and recovery points (none), and IAM Access
// Analyzer, which moto does not implement (it answers a bare HTTP 500, so demarc could only ever report
// UNKNOWN, after retrying). The fake speaks the real restJson1 wire format
// of the two operations involved, CreateAnalyzer (used by the builders
// through the SDK) and ListAnalyzers (used by demarc):
// https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ListAnalyzers.html
//
// One front per scenario: its analyzers belong to that scenario's account,
// whatever credentials a request carries.
type front struct {
	URL     string
	account string
	moto    *httputil.ReverseProxy

	mu        sync.Mutex
	analyzers map[string][]analyzerJSON // by region
	// selections are AWS Backup selections by region and plan ID (moto
	// implements backup plans but not their selections).
	selections map[string]map[string][]selectionJSON
}

type selectionJSON struct {
	SelectionID string          `json:"SelectionId"`
	PlanID      string          `json:"BackupPlanId"`
	Created     float64         `json:"CreationDate"`
	Selection   json.RawMessage `json:"BackupSelection"`
	Name        string          `json:"-"`
	Role        string          `json:"-"`
}

type analyzerJSON struct {
	ARN       string `json:"arn"`
	Name      string `json:"name"`
	Type      string `json:"type"`
	Status    string `json:"status"`
	CreatedAt string `json:"createdAt"`
}

func newFront(t testing.TB, motoURL, account string) *front {
	u, err := url.Parse(motoURL)
	if err != nil {
		t.Fatalf("parse moto URL: %v", err)
	}
	f := &front{account: account, moto: httputil.NewSingleHostReverseProxy(u), analyzers: map[string][]analyzerJSON{},
		selections: map[string]map[string][]selectionJSON{}}
	// Not closed in t.Cleanup: the shared misconfigured scenario outlives
	// the test that built it. The listener ends with the test process.
	f.URL = httptest.NewServer(f).URL
	return f
}

// config is an SDK configuration that reaches the front (for the builders'
// Access Analyzer calls).
func (f *front) config(region string) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("testing", "testing", "")),
		BaseEndpoint: aws.String(f.URL),
	}
}

// emptySSM are the SSM operations moto does not implement (it answers a
// bare HTTP 500, which the SDK retries for tens of seconds per region). No
// instance in these accounts runs the SSM agent, so AWS would answer an
// empty list: the front does. awsJson1_1, keyed by X-Amz-Target.
var emptySSM = map[string]string{
	"AmazonSSM.DescribeInstanceInformation":     `{"InstanceInformationList":[]}`,
	"AmazonSSM.ListResourceComplianceSummaries": `{"ResourceComplianceSummaryItems":[]}`,
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if body, ok := emptySSM[r.Header.Get("X-Amz-Target")]; ok {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = io.WriteString(w, body)
		return
	}
	if signingService(r) == "backup" && strings.HasPrefix(r.URL.Path, "/backup/plans/") && strings.Contains(r.URL.Path, "/selections") {
		f.serveSelections(w, r)
		return
	}
	// ListRecoveryPointsByBackupVault: moto does not implement it, and no
	// backup job ever runs in moto, so AWS would answer an empty list.
	// https://docs.aws.amazon.com/aws-backup/latest/devguide/API_ListRecoveryPointsByBackupVault.html
	if signingService(r) == "backup" && r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/backup-vaults/") &&
		strings.HasSuffix(strings.TrimSuffix(r.URL.Path, "/"), "/recovery-points") {
		writeJSON(w, http.StatusOK, map[string]any{"RecoveryPoints": []any{}})
		return
	}
	if signingService(r) != "access-analyzer" {
		f.moto.ServeHTTP(w, r)
		return
	}
	region := signingRegion(r)
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/analyzer":
		f.mu.Lock()
		list := append([]analyzerJSON{}, f.analyzers[region]...)
		f.mu.Unlock()
		if typ := r.URL.Query().Get("type"); typ != "" {
			kept := list[:0]
			for _, a := range list {
				if a.Type == typ {
					kept = append(kept, a)
				}
			}
			list = kept
		}
		writeJSON(w, http.StatusOK, map[string]any{"analyzers": list})
	case r.Method == http.MethodPut && r.URL.Path == "/analyzer":
		var in struct {
			Name string `json:"analyzerName"`
			Type string `json:"type"`
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &in); err != nil || in.Name == "" || in.Type == "" {
			writeAPIError(w, http.StatusBadRequest, "ValidationException", "analyzerName and type are required")
			return
		}
		a := analyzerJSON{
			ARN:  fmt.Sprintf("arn:aws:access-analyzer:%s:%s:analyzer/%s", region, f.account, in.Name),
			Name: in.Name, Type: in.Type, Status: "ACTIVE", CreatedAt: time.Now().UTC().Format(time.RFC3339),
		}
		f.mu.Lock()
		f.analyzers[region] = append(f.analyzers[region], a)
		sort.Slice(f.analyzers[region], func(i, j int) bool { return f.analyzers[region][i].Name < f.analyzers[region][j].Name })
		f.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"arn": a.ARN})
	default:
		writeAPIError(w, http.StatusNotImplemented, "NotImplemented",
			"the e2e Access Analyzer fake implements only CreateAnalyzer and ListAnalyzers")
	}
}

// serveSelections fakes the three AWS Backup selection operations moto
// lacks, in the restJson1 wire format of the Backup API:
// PUT /backup/plans/{id}/selections/ (CreateBackupSelection),
// GET /backup/plans/{id}/selections/ (ListBackupSelections) and
// GET /backup/plans/{id}/selections/{selectionId} (GetBackupSelection).
// https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupSelection.html
func (f *front) serveSelections(w http.ResponseWriter, r *http.Request) {
	region := signingRegion(r)
	rest := strings.TrimPrefix(r.URL.Path, "/backup/plans/")
	planID, selID, _ := strings.Cut(rest, "/selections")
	selID = strings.Trim(selID, "/")
	f.mu.Lock()
	defer f.mu.Unlock()
	byPlan := f.selections[region]
	switch {
	case r.Method == http.MethodPut && selID == "":
		var in struct {
			Selection json.RawMessage `json:"BackupSelection"`
		}
		body, _ := io.ReadAll(r.Body)
		var meta struct {
			Name string `json:"SelectionName"`
			Role string `json:"IamRoleArn"`
		}
		if err := json.Unmarshal(body, &in); err != nil || json.Unmarshal(in.Selection, &meta) != nil || meta.Name == "" {
			writeAPIError(w, http.StatusBadRequest, "InvalidParameterValueException", "BackupSelection.SelectionName is required")
			return
		}
		if byPlan == nil {
			byPlan = map[string][]selectionJSON{}
			f.selections[region] = byPlan
		}
		sel := selectionJSON{SelectionID: fmt.Sprintf("sel-%s-%d", planID, len(byPlan[planID])+1), PlanID: planID,
			Created: float64(time.Now().Unix()), Selection: in.Selection, Name: meta.Name, Role: meta.Role}
		byPlan[planID] = append(byPlan[planID], sel)
		writeJSON(w, http.StatusOK, map[string]any{"BackupPlanId": planID, "SelectionId": sel.SelectionID, "CreationDate": sel.Created})
	case r.Method == http.MethodGet && selID == "":
		list := []map[string]any{}
		for _, s := range byPlan[planID] {
			list = append(list, map[string]any{"BackupPlanId": planID, "SelectionId": s.SelectionID, "SelectionName": s.Name,
				"IamRoleArn": s.Role, "CreationDate": s.Created})
		}
		writeJSON(w, http.StatusOK, map[string]any{"BackupSelectionsList": list})
	case r.Method == http.MethodGet:
		for _, s := range byPlan[planID] {
			if s.SelectionID == selID {
				writeJSON(w, http.StatusOK, s)
				return
			}
		}
		writeAPIError(w, http.StatusNotFound, "ResourceNotFoundException", "no selection "+selID)
	default:
		writeAPIError(w, http.StatusNotImplemented, "NotImplemented", "the e2e Backup fake implements only backup selections")
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeAPIError writes a restJson1 error: the code in X-Amzn-Errortype.
func writeAPIError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("X-Amzn-Errortype", code)
	writeJSON(w, status, map[string]string{"message": msg})
}

// signingRegion is the region in the SigV4 credential scope.
func signingRegion(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	if i := strings.Index(auth, "Credential="); i >= 0 {
		parts := strings.Split(auth[i+len("Credential="):], "/")
		if len(parts) >= 3 {
			return parts[2]
		}
	}
	return "us-east-1"
}
