package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/demarc-sec/demarc/internal/checks"
)

// The crash test runs this test binary again as a helper that starts a
// scan, writes findings well past the first batches, and kills itself with
// SIGKILL before committing: no deferred code, no rollback, no Close — the
// closest a test gets to a power cut or an OOM kill. The store must then
// open cleanly with every earlier scan intact.
const crashEnv = "DEMARC_STORE_CRASH_DSN"

func TestCrashHelper(t *testing.T) {
	dsn := os.Getenv(crashEnv)
	if dsn == "" {
		t.Skip("helper process for TestKilledMidScan")
	}
	ctx := context.Background()
	s, err := Open(ctx, dsn)
	if err != nil {
		fmt.Println("OPEN", err)
		os.Exit(3)
	}
	w, err := s.Begin(ctx, scanOf("111111111111", t0.Add(72*time.Hour)))
	if err != nil {
		fmt.Println("BEGIN", err)
		os.Exit(3)
	}
	for i, f := range findingsOf("111111111111", 3000, allFail) {
		if err := w.Add(ctx, f); err != nil {
			fmt.Println("ADD", err)
			os.Exit(3)
		}
		if i == 2500 {
			fmt.Printf("ADDED %d\n", i)
			os.Stdout.Sync()
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			time.Sleep(time.Minute) // not reached
		}
	}
	fmt.Println("NOT KILLED")
	os.Exit(4)
}

func TestKilledMidScan(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn)
		var earlier []Scan
		for i := range 2 {
			sc, err := s.SaveScan(ctx, scanOf("111111111111", t0.Add(time.Duration(i)*time.Hour), "us-east-1"),
				findingsOf("111111111111", 800, func(j int) checks.Status {
					return []checks.Status{checks.Fail, checks.Pass}[(i+j)%2]
				}))
			if err != nil {
				t.Fatal(err)
			}
			earlier = append(earlier, sc)
		}
		s.Close()

		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+dsn)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("helper did not die by SIGKILL: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "ADDED 2500") {
			t.Fatalf("helper was killed before writing: %s", out)
		}

		s2 := open(t, dsn)
		if s2.Backend() == "sqlite" {
			rows, err := s2.(*sqlStore).b.query(ctx, "PRAGMA integrity_check")
			if err != nil {
				t.Fatal(err)
			}
			var res string
			for rows.Next() {
				rows.Scan(&res)
			}
			rows.Close()
			if res != "ok" {
				t.Errorf("integrity_check: %s", res)
			}
		}
		scans, err := s2.Scans(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(scans) != 2 || scans[0].ID != earlier[1].ID || scans[1].ID != earlier[0].ID {
			t.Fatalf("after the kill: %+v", scans)
		}
		for _, sc := range earlier {
			fs, err := LoadFindings(ctx, s2, sc.ID)
			if err != nil || len(fs) != 800 {
				t.Errorf("scan %d: %d findings, %v", sc.ID, len(fs), err)
			}
		}
		if n := countRows(t, s2, "findings"); n != 1600 {
			t.Errorf("%d findings rows, want 1600 (the killed scan left rows)", n)
		}
		// And the store takes new scans.
		if _, err := s2.SaveScan(ctx, scanOf("111111111111", t0.Add(96*time.Hour)), findingsOf("111111111111", 10, allFail)); err != nil {
			t.Errorf("save after the kill: %v", err)
		}
	})
}
