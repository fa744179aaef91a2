package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/report"
	"github.com/demarc-sec/demarc/internal/store"
)

// runSub executes one sub-command the way Run does (exit-code mapping),
// without depending on its place in the command list.
func runSub(t *testing.T, mk func(*globalOptions) *cobra.Command, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	g := &globalOptions{stdout: &out, stderr: &errb}
	cmd := mk(g)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return UsageErr(err) })
	err := cmd.ExecuteContext(context.Background())
	code := exitCode(err)
	if code == ExitInternal && isCobraUsage(err) {
		code = ExitUsage
	}
	if err != nil {
		errb.WriteString("error: " + err.Error())
	}
	return code, out.String(), errb.String()
}

var day0 = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

func hf(account, rule, arn, region string, st checks.Status, sev checks.Severity, msg string) engine.Finding {
	return engine.Finding{RuleID: rule, Title: "title " + rule, Service: "s3", Status: st, Severity: sev,
		Responsibility: checks.LayerData, ResourceARN: arn, Region: region, AccountID: account, Message: msg,
		Fingerprint: engine.Fingerprint(rule, account, arn, region)}
}

// historyStore records: account A on day 0 and day 2 (IDs 1 and 3),
// account B on day 1 (ID 2). Returns the DSN.
func historyStore(t *testing.T) string {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "demarc.db")
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const a, b = "111111111111", "222222222222"
	evil := "arn:aws:s3:::evil\x1b[31m\nred"
	save := func(acct string, at time.Time, fs ...engine.Finding) {
		sc := store.Scan{AccountID: acct, Partition: "aws", Regions: []string{"us-east-1"}, CollectedAt: at,
			ToolVersion: "vtest", RuleSetVersion: "r1", Summary: engine.Summary{RulesRun: 2}}
		if _, err := st.SaveScan(ctx, sc, fs); err != nil {
			t.Fatal(err)
		}
	}
	save(a, day0,
		hf(a, "s3-public", "arn:aws:s3:::still", "us-east-1", checks.Fail, checks.High, "still public"),
		hf(a, "s3-public", "arn:aws:s3:::fixed", "us-east-1", checks.Fail, checks.High, "public"),
		hf(a, "s3-public", "arn:aws:s3:::later", "us-east-1", checks.Pass, checks.High, "private"),
		hf(a, "s3-logging", "arn:aws:s3:::blind", "us-east-1", checks.Fail, checks.Low, "no logging"),
	)
	save(b, day0.Add(24*time.Hour), hf(b, "s3-public", "arn:aws:s3:::b", "us-east-1", checks.Fail, checks.High, "b"))
	accepted := hf(a, "s3-logging", "arn:aws:s3:::accepted", "us-east-1", checks.Fail, checks.Low, "no logging")
	accepted.Suppressed, accepted.SuppressReason = true, "log bucket itself"
	save(a, day0.Add(48*time.Hour),
		hf(a, "s3-public", "arn:aws:s3:::still", "us-east-1", checks.Fail, checks.High, "still public (reworded)"),
		hf(a, "s3-public", "arn:aws:s3:::fixed", "us-east-1", checks.Pass, checks.High, "private now"),
		hf(a, "s3-public", "arn:aws:s3:::later", "us-east-1", checks.Fail, checks.High, "public now"),
		hf(a, "s3-public", evil, "us-east-1", checks.Fail, checks.Medium, "msg \x1b]0;pwn\x07"),
		hf(a, "s3-logging", "arn:aws:s3:::blind", "us-east-1", checks.Unknown, checks.Low, "access denied"),
		accepted,
	)
	return dsn
}

func TestHistory(t *testing.T) {
	dsn := historyStore(t)
	code, out, errs := runSub(t, newHistoryCommand, "--db", dsn)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[1], "3 ") || !strings.HasPrefix(lines[2], "2 ") || !strings.HasPrefix(lines[3], "1 ") {
		t.Errorf("history table, newest first:\n%s", out)
	}
	_, out, _ = runSub(t, newHistoryCommand, "--db", dsn, "--account", "222222222222")
	if strings.Count(strings.TrimSpace(out), "\n") != 1 || !strings.Contains(out, "222222222222") {
		t.Errorf("--account:\n%s", out)
	}
	_, out, _ = runSub(t, newHistoryCommand, "--db", dsn, "--limit", "1", "--output", "json")
	var doc struct {
		Store string       `json:"store"`
		Scans []store.Scan `json:"scans"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if len(doc.Scans) != 1 || doc.Scans[0].ID != 3 || doc.Scans[0].Summary.Suppressed != 1 || doc.Store != dsn {
		t.Errorf("json history: %+v", doc)
	}

	// $DEMARC_DB selects the store when --db is absent.
	t.Setenv(store.EnvDB, dsn)
	if _, out, _ := runSub(t, newHistoryCommand); !strings.Contains(out, "111111111111") {
		t.Errorf("DEMARC_DB not used:\n%s", out)
	}

	// A store that does not exist is empty, and is not created.
	missing := filepath.Join(t.TempDir(), "none", "demarc.db")
	code, out, _ = runSub(t, newHistoryCommand, "--db", missing)
	if code != ExitOK || !strings.Contains(out, "no scans recorded") {
		t.Errorf("missing store: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Error("history created a store file")
	}

	for _, tc := range []struct {
		args []string
		exit int
		want string
	}{
		{[]string{"--db", dsn, "--output", "xml"}, ExitUsage, "want table or json"},
		{[]string{"--db", dsn, "--limit", "-1"}, ExitUsage, "--limit"},
		{[]string{"--db", dsn, "extra"}, ExitUsage, "unknown command"},
		{[]string{"--db", notAStore(t)}, ExitInput, "not a demarc store"},
	} {
		code, out, errs := runSub(t, newHistoryCommand, tc.args...)
		if code != tc.exit || !strings.Contains(out+errs, tc.want) {
			t.Errorf("%v: exit %d, want %d with %q\n%s%s", tc.args, code, tc.exit, tc.want, out, errs)
		}
	}
}

// notAStore is a SQLite file of some other application.
func notAStore(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "other.db")
	db, err := sql.Open("sqlite", p) // driver registered by internal/store
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE customers (id INTEGER)"); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRedactDSN(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:secret@h/db":  "postgres://u:xxxxx@h/db",
		"postgresql://u@h/db":       "postgresql://u@h/db",
		"/home/u/demarc.db":         "/home/u/demarc.db",
		"postgres://u:p@ss:w@h:5/d": "postgres://u:xxxxx@h:5/d",
	} {
		if got := redactDSN(in); got != want {
			t.Errorf("redactDSN(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestScanRecord(t *testing.T) {
	reg := checks.Default()
	meta := report.ScanMeta{ToolVersion: "v9", AccountID: "1", Partition: "aws", Regions: []string{"us-east-1"},
		CollectedAt: day0, Partial: true, Errors: []core.CollectError{{Service: "s3", Reason: "access denied"}}}
	sc := scanRecord(meta, reg)
	if sc.AccountID != "1" || !sc.Partial || len(sc.Coverage) != 1 || sc.Summary.RulesRun != len(reg.Rules()) ||
		sc.RuleSetVersion != store.RuleSetVersion(reg) || !sc.CollectedAt.Equal(day0) {
		t.Errorf("scanRecord = %+v", sc)
	}
}
