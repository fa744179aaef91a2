package iam

import (
	"strings"
	"testing"
	"time"

	iamm "github.com/demarc-sec/demarc/internal/model/iam"
)

// reportHeader is the column list documented at
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html#id_credentials_understanding_the_report_format
const reportHeader = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation," +
	"mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region," +
	"access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date," +
	"access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"

const (
	// The root user: no IAM password (not_supported), MFA on, one active key.
	rootRow = "<root_account>,arn:aws:iam::123456789012:root,2019-01-02T03:04:05+00:00,not_supported,2024-05-01T10:00:00+00:00," +
		"not_supported,not_supported,true,true,2020-01-01T00:00:00+00:00,2024-04-30T08:00:00+00:00,us-east-1,s3," +
		"false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
	// A console user who never signed in, with an unused second key.
	userRow = "alice,arn:aws:iam::123456789012:user/alice,2023-06-01T12:00:00+00:00,true,no_information,2023-06-01T12:00:00+00:00," +
		"2023-09-01T12:00:00+00:00,false,false,N/A,N/A,N/A,N/A,true,2023-06-02T00:00:00+02:00,N/A,N/A,N/A,true,2023-06-01T12:00:00+00:00,false,N/A\n"
)

func ts(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	t = t.UTC()
	return &t
}

func TestParseCredentialReport(t *testing.T) {
	rows, err := parseCredentialReport([]byte(reportHeader + userRow + rootRow))
	if err != nil {
		t.Fatal(err)
	}
	want := []iamm.CredentialReportRow{
		{
			User: iamm.RootUserName, ARN: "arn:aws:iam::123456789012:root",
			UserCreationTime: ts("2019-01-02T03:04:05Z"), PasswordEnabled: false,
			PasswordLastUsed: ts("2024-05-01T10:00:00Z"), MFAActive: true,
			AccessKey1Active: true, AccessKey1LastRotated: ts("2020-01-01T00:00:00Z"), AccessKey1LastUsed: ts("2024-04-30T08:00:00Z"),
		},
		{
			User: "alice", ARN: "arn:aws:iam::123456789012:user/alice",
			UserCreationTime: ts("2023-06-01T12:00:00Z"), PasswordEnabled: true,
			PasswordLastChanged: ts("2023-06-01T12:00:00Z"),
			AccessKey2Active:    true, AccessKey2LastRotated: ts("2023-06-01T22:00:00Z"),
			Cert1Active: true,
		},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d: %+v", len(rows), len(want), rows)
	}
	for i := range want {
		if g, w := describeRow(rows[i]), describeRow(want[i]); g != w {
			t.Errorf("row %d:\n got %s\nwant %s", i, g, w)
		}
	}
}

// describeRow renders a row with its times dereferenced, for comparison.
func describeRow(r iamm.CredentialReportRow) string {
	f := func(t *time.Time) string {
		if t == nil {
			return "nil"
		}
		return t.Format(time.RFC3339)
	}
	var b strings.Builder
	b.WriteString(strings.Join([]string{r.User, r.ARN, f(r.UserCreationTime), f(r.PasswordLastUsed), f(r.PasswordLastChanged),
		f(r.AccessKey1LastRotated), f(r.AccessKey1LastUsed), f(r.AccessKey2LastRotated), f(r.AccessKey2LastUsed)}, " "))
	for _, v := range []bool{r.PasswordEnabled, r.MFAActive, r.AccessKey1Active, r.AccessKey2Active, r.Cert1Active, r.Cert2Active} {
		if v {
			b.WriteString(" T")
		} else {
			b.WriteString(" F")
		}
	}
	return b.String()
}

func TestParseCredentialReportColumnsByName(t *testing.T) {
	// Reordered columns and an extra one are fine: columns are found by name.
	hdr := "arn,user,extra,user_creation_time,password_enabled,password_last_used,password_last_changed,mfa_active," +
		"access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active," +
		"access_key_2_last_rotated,access_key_2_last_used_date,cert_1_active,cert_2_active\n"
	row := "arn:aws:iam::1:user/b,b,x,N/A,FALSE,N/A,N/A,TRUE,false,N/A,N/A,false,N/A,N/A,false,false\n"
	rows, err := parseCredentialReport([]byte(hdr + row))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].User != "b" || rows[0].ARN != "arn:aws:iam::1:user/b" || !rows[0].MFAActive || rows[0].PasswordEnabled {
		t.Errorf("rows = %+v", rows)
	}
}

func TestParseCredentialReportHeaderOnly(t *testing.T) {
	rows, err := parseCredentialReport([]byte(reportHeader))
	if err != nil || rows == nil || len(rows) != 0 {
		t.Errorf("rows = %v, err = %v; want empty non-nil, nil", rows, err)
	}
}

func TestParseCredentialReportMalformed(t *testing.T) {
	missingCol := strings.Replace(reportHeader, "mfa_active,", "", 1)
	tests := []struct {
		name, in string
	}{
		{"empty", ""},
		{"missing mfa_active column", missingCol + strings.Replace(userRow, "false,false,N/A", "false,N/A", 1)},
		{"short row", reportHeader + "alice,arn:aws:iam::1:user/alice,N/A\n"},
		{"long row", reportHeader + strings.TrimSuffix(userRow, "\n") + ",extra\n"},
		{"bad boolean", reportHeader + strings.Replace(userRow, ",true,no_information", ",yes,no_information", 1)},
		{"N/A boolean", reportHeader + strings.Replace(rootRow, ",true,true,", ",N/A,true,", 1)},
		{"bad time", reportHeader + strings.Replace(userRow, "2023-06-01T12:00:00+00:00", "yesterday", 1)},
		{"bare quote", reportHeader + `al"ice` + userRow[5:]},
		{"empty user", reportHeader + strings.TrimPrefix(userRow, "alice")},
		{"binary", "\x00\xff,\n\x01"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := parseCredentialReport([]byte(tc.in))
			if err == nil {
				t.Errorf("no error; rows = %+v", rows)
			}
		})
	}
}

// FuzzParseCredentialReport checks the parser never panics and that what it
// accepts is consistent: every row names a user and an ARN.
func FuzzParseCredentialReport(f *testing.F) {
	f.Add([]byte(reportHeader + rootRow + userRow))
	f.Add([]byte(reportHeader))
	f.Add([]byte(""))
	f.Add([]byte("user,arn\n<root_account>,x\n"))
	f.Add([]byte(reportHeader + `"a""b",c` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := parseCredentialReport(data)
		if err != nil {
			return
		}
		for _, r := range rows {
			if r.User == "" || r.ARN == "" {
				t.Fatalf("accepted a row without user or arn: %+v", r)
			}
		}
	})
}
