package iam

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/model/core"
	iamm "github.com/demarc-sec/demarc/internal/model/iam"
)

// errReportNotReady is returned when IAM kept building the report for every poll.
var errReportNotReady = errors.New("credential report still not ready")

// credentialReport asks IAM to (re)build the credential report, waits for it
// with bounded, ctx-aware polling, and parses it.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html
func (c *collector) credentialReport(ctx context.Context, env *aws.Env, client *awsiam.Client) core.Val[[]iamm.CredentialReportRow] {
	unknown := func(op string, err error) core.Val[[]iamm.CredentialReportRow] {
		return core.Unknown[[]iamm.CredentialReportRow](env.Unknown(service, core.GlobalRegion, op, "", err))
	}
	_, genErr := client.GenerateCredentialReport(ctx, &awsiam.GenerateCredentialReportInput{})
	for attempt := 0; ; attempt++ {
		out, err := client.GetCredentialReport(ctx, &awsiam.GetCredentialReportInput{})
		if err == nil {
			rows, perr := parseCredentialReport(out.Content)
			if perr != nil {
				return unknown("GetCredentialReport", fmt.Errorf("parse credential report: %w", perr))
			}
			return core.Known(rows)
		}
		switch aws.ErrorCode(err) {
		case "ReportInProgress":
		case "ReportNotPresent", "ReportExpired":
			// Generation failed earlier (e.g. denied): a report that may
			// exist from an earlier run is all we could read.
			if genErr != nil {
				return unknown("GenerateCredentialReport", genErr)
			}
			// Expired or lost between the calls: ask again.
			_, genErr = client.GenerateCredentialReport(ctx, &awsiam.GenerateCredentialReportInput{})
		default:
			return unknown("GetCredentialReport", err)
		}
		if attempt+1 >= c.reportAttempts {
			return unknown("GetCredentialReport", fmt.Errorf("%w after %d polls: %w", errReportNotReady, attempt+1, err))
		}
		if err := sleep(ctx, c.reportPoll); err != nil {
			return unknown("GetCredentialReport", err)
		}
	}
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// reportColumns are the credential report columns demarc reads. A report
// missing any of them is rejected: a missing "…_active" column must not
// read as false.
var reportColumns = []string{
	"user", "arn", "user_creation_time", "password_enabled", "password_last_used",
	"password_last_changed", "mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
	"cert_1_active", "cert_2_active",
}

// parseCredentialReport parses the CSV credential report. Columns are found
// by header name, so added or reordered columns are tolerated. Any value
// that is not one of the documented forms is an error rather than a guess.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html#id_credentials_understanding_the_report_format
func parseCredentialReport(data []byte) ([]iamm.CredentialReportRow, error) {
	r := csv.NewReader(bytes.NewReader(data))
	header, err := r.Read()
	if err == io.EOF {
		return nil, errors.New("empty credential report")
	}
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	idx := make(map[string]int, len(header))
	for i, h := range header {
		idx[strings.TrimSpace(h)] = i
	}
	for _, c := range reportColumns {
		if _, ok := idx[c]; !ok {
			return nil, fmt.Errorf("credential report has no %q column", c)
		}
	}
	rows := []iamm.CredentialReportRow{}
	for line := 2; ; line++ {
		rec, err := r.Read() // the reader enforces the header's field count
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read row: %w", err)
		}
		p := rowParser{rec: rec, idx: idx}
		row := iamm.CredentialReportRow{
			User:                  p.str("user"),
			ARN:                   p.str("arn"),
			UserCreationTime:      p.time("user_creation_time"),
			PasswordEnabled:       p.bool("password_enabled"),
			PasswordLastUsed:      p.time("password_last_used"),
			PasswordLastChanged:   p.time("password_last_changed"),
			MFAActive:             p.bool("mfa_active"),
			AccessKey1Active:      p.bool("access_key_1_active"),
			AccessKey1LastRotated: p.time("access_key_1_last_rotated"),
			AccessKey1LastUsed:    p.time("access_key_1_last_used_date"),
			AccessKey2Active:      p.bool("access_key_2_active"),
			AccessKey2LastRotated: p.time("access_key_2_last_rotated"),
			AccessKey2LastUsed:    p.time("access_key_2_last_used_date"),
			Cert1Active:           p.bool("cert_1_active"),
			Cert2Active:           p.bool("cert_2_active"),
		}
		if p.err != nil {
			return nil, fmt.Errorf("line %d: %w", line, p.err)
		}
		if row.User == "" || row.ARN == "" {
			return nil, fmt.Errorf("line %d: empty user or arn", line)
		}
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].User < rows[j].User })
	return rows, nil
}

// rowParser reads typed fields of one record, keeping the first error.
type rowParser struct {
	rec []string
	idx map[string]int
	err error
}

func (p *rowParser) str(col string) string { return strings.TrimSpace(p.rec[p.idx[col]]) }

// time parses an ISO 8601 time; the report's placeholders for "no time"
// (N/A, no_information, not_supported) are nil.
func (p *rowParser) time(col string) *time.Time {
	v := p.str(col)
	switch v {
	case "", "N/A", "no_information", "not_supported":
		return nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		if p.err == nil {
			p.err = fmt.Errorf("column %s: bad time %q", col, v)
		}
		return nil
	}
	t = t.UTC()
	return &t
}

// bool parses "true"/"false". The root row has "not_supported" in
// password_enabled: the root user has no IAM-managed password.
func (p *rowParser) bool(col string) bool {
	switch v := p.str(col); strings.ToLower(v) {
	case "true":
		return true
	case "false", "not_supported":
		return false
	default:
		if p.err == nil {
			p.err = fmt.Errorf("column %s: bad boolean %q", col, v)
		}
		return false
	}
}
