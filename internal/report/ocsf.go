package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
)

// OCSF Compliance Finding (class 2003, category Findings), schema 1.3.0:
// https://schema.ocsf.io/1.3.0/classes/compliance_finding
// 1.3.0 is the first version whose compliance_finding has resources[]; the
// "cloud" profile is applied (cloud is required, resources carry region and
// cloud_partition).
const (
	OCSFVersion          = "1.3.0"
	ocsfClassUID         = 2003
	ocsfCategoryUID      = 2
	ocsfActivityCreate   = 1
	ocsfTypeUID          = ocsfClassUID*100 + ocsfActivityCreate // 200301
	ocsfAccountTypeAWS   = 10                                    // account.type_id "AWS Account"
	ocsfStatusNew        = 1
	ocsfStatusSuppressed = 3
)

type ocsfProduct struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version,omitempty"`
}

type ocsfMetadata struct {
	Version  string      `json:"version"`
	Product  ocsfProduct `json:"product"`
	Profiles []string    `json:"profiles"`
}

type ocsfFindingInfo struct {
	UID         string   `json:"uid"`
	Title       string   `json:"title"`
	Desc        string   `json:"desc,omitempty"`
	Types       []string `json:"types,omitempty"`
	CreatedTime int64    `json:"created_time"`
}

type ocsfCompliance struct {
	Control      string   `json:"control"`
	Standards    []string `json:"standards"`
	Requirements []string `json:"requirements,omitempty"`
	Status       string   `json:"status"`
	StatusID     int      `json:"status_id"`
	StatusCode   string   `json:"status_code"`
	StatusDetail string   `json:"status_detail,omitempty"`
}

type ocsfAccount struct {
	UID    string `json:"uid"`
	Type   string `json:"type"`
	TypeID int    `json:"type_id"`
}

type ocsfCloud struct {
	Provider string      `json:"provider"`
	Account  ocsfAccount `json:"account"`
	Region   string      `json:"region"`
}

type ocsfResource struct {
	UID            string `json:"uid"`
	Name           string `json:"name,omitempty"`
	Type           string `json:"type"`
	Region         string `json:"region,omitempty"`
	CloudPartition string `json:"cloud_partition,omitempty"`
}

type ocsfRemediation struct {
	Desc       string   `json:"desc"`
	References []string `json:"references,omitempty"`
}

type ocsfEvent struct {
	ActivityID   int              `json:"activity_id"`
	ActivityName string           `json:"activity_name"`
	CategoryUID  int              `json:"category_uid"`
	CategoryName string           `json:"category_name"`
	ClassUID     int              `json:"class_uid"`
	ClassName    string           `json:"class_name"`
	TypeUID      int              `json:"type_uid"`
	TypeName     string           `json:"type_name"`
	SeverityID   int              `json:"severity_id"`
	Severity     string           `json:"severity"`
	StatusID     int              `json:"status_id"`
	Status       string           `json:"status"`
	StatusCode   string           `json:"status_code"`
	StatusDetail string           `json:"status_detail,omitempty"`
	Message      string           `json:"message,omitempty"`
	Time         int64            `json:"time"`
	Metadata     ocsfMetadata     `json:"metadata"`
	FindingInfo  ocsfFindingInfo  `json:"finding_info"`
	Compliance   ocsfCompliance   `json:"compliance"`
	Cloud        ocsfCloud        `json:"cloud"`
	Resources    []ocsfResource   `json:"resources"`
	Remediation  *ocsfRemediation `json:"remediation,omitempty"`
}

// ocsfWriter writes one OCSF event per line (JSON lines), as Security Lake
// custom sources and most SIEM pipelines ingest them.
type ocsfWriter struct {
	bw   *bufio.Writer
	enc  *json.Encoder
	meta ScanMeta
	opts Options
	home string
	ms   int64
}

func newOCSFWriter(w io.Writer, meta ScanMeta, opts Options) (*ocsfWriter, error) {
	o := &ocsfWriter{bw: bufio.NewWriterSize(w, 64<<10), meta: meta, opts: opts, home: homeRegion(meta, opts)}
	o.enc = json.NewEncoder(o.bw)
	at := meta.CollectedAt
	if at.IsZero() {
		at = time.Now()
	}
	o.ms = at.UnixMilli()
	return o, nil
}

func (o *ocsfWriter) event(f *engine.Finding) ocsfEvent {
	sevID, sevName := ocsfSeverity(f.Status, f.Severity)
	compID, compName := ocsfComplianceStatus(f.Status)
	region := realRegion(f.Region, o.home)
	account := f.AccountID
	if account == "" {
		account = o.meta.AccountID
	}
	msg := SanitizeLine(f.Message)
	title := SanitizeLine(f.Title)
	if strings.TrimSpace(title) == "" {
		title = f.RuleID
	}
	ev := ocsfEvent{
		ActivityID: ocsfActivityCreate, ActivityName: "Create",
		CategoryUID: ocsfCategoryUID, CategoryName: "Findings",
		ClassUID: ocsfClassUID, ClassName: "Compliance Finding",
		TypeUID: ocsfTypeUID, TypeName: "Compliance Finding: Create",
		SeverityID: sevID, Severity: sevName,
		StatusID: ocsfStatusNew, Status: "New",
		StatusCode: string(f.Status), StatusDetail: msg,
		Message: msg,
		Time:    o.ms,
		Metadata: ocsfMetadata{
			Version:  OCSFVersion,
			Product:  ocsfProduct{Name: "demarc", VendorName: "demarc", Version: o.meta.ToolVersion},
			Profiles: []string{"cloud"},
		},
		FindingInfo: ocsfFindingInfo{
			UID: f.Fingerprint, Title: title, Types: []string{f.Service, f.Responsibility}, CreatedTime: o.ms,
		},
		Compliance: ocsfCompliance{
			Control: f.RuleID, Status: compName, StatusID: compID, StatusCode: string(f.Status), StatusDetail: msg,
			Requirements: controlRefsNamed(f.Frameworks),
		},
		Cloud: ocsfCloud{Provider: "AWS", Account: ocsfAccount{UID: account, Type: "AWS Account", TypeID: ocsfAccountTypeAWS}, Region: region},
		Resources: []ocsfResource{{
			UID: nonEmpty(f.ResourceARN, account), Name: SanitizeLine(arnName(f.ResourceARN)),
			Type: ASFFResourceType(f.ResourceARN), Region: region, CloudPartition: arnPartition(f.ResourceARN, o.meta.Partition),
		}},
	}
	ev.FindingInfo.Types = uniqueSorted(ev.FindingInfo.Types)
	for _, k := range sortedKeys(f.Frameworks) {
		ev.Compliance.Standards = append(ev.Compliance.Standards, frameworkName(k))
	}
	if len(ev.Compliance.Standards) == 0 {
		// standards is required; a rule mapped to no framework is checked
		// against demarc's own shared-responsibility rule set.
		ev.Compliance.Standards = []string{"demarc rules"}
	}
	if f.Suppressed {
		ev.StatusID, ev.Status = ocsfStatusSuppressed, "Suppressed"
		ev.FindingInfo.Desc = "suppressed: " + SanitizeLine(f.SuppressReason)
	}
	if o.opts.Rules != nil {
		if r, ok := o.opts.Rules.Get(f.RuleID); ok && strings.TrimSpace(r.Remediation) != "" {
			ev.Remediation = &ocsfRemediation{Desc: sanitizeText(r.Remediation), References: r.Links}
		}
	}
	return ev
}

func (o *ocsfWriter) Write(f engine.Finding) error {
	ev := o.event(&f)
	if err := o.enc.Encode(&ev); err != nil {
		return fmt.Errorf("encode OCSF event %s: %w", f.RuleID, err)
	}
	return nil
}

func (o *ocsfWriter) Close(engine.Summary) error {
	if err := o.bw.Flush(); err != nil {
		return fmt.Errorf("write OCSF: %w", err)
	}
	return nil
}

// ocsfSeverity maps to severity_id; like ASFF, a PASS is Informational.
func ocsfSeverity(st checks.Status, sev checks.Severity) (int, string) {
	if st == checks.Pass {
		return 1, "Informational"
	}
	switch sev {
	case checks.Critical:
		return 5, "Critical"
	case checks.High:
		return 4, "High"
	case checks.Medium:
		return 3, "Medium"
	case checks.Low:
		return 2, "Low"
	}
	return 1, "Informational"
}

// ocsfComplianceStatus maps to compliance.status_id (0 Unknown, 1 Pass,
// 2 Warning, 3 Fail, 99 Other). UNKNOWN stays Unknown, never Pass.
func ocsfComplianceStatus(st checks.Status) (int, string) {
	switch st {
	case checks.Pass:
		return 1, "Pass"
	case checks.Fail:
		return 3, "Fail"
	case checks.Manual:
		return 99, "Manual"
	}
	return 0, "Unknown"
}
