// Package webtest fills a findings store for the dashboard's tests (the
// handler tests in internal/web, the browser tests in test/browser): two
// scans of the example account, the newer one with a privilege-escalation
// path, an internet-exposed instance whose Name tag is hostile markup, and
// a suppressed finding; or a synthetic scan of any size for benchmarks.
package webtest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/engine"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	modeliam "github.com/demarc-sec/demarc/internal/model/iam"
	"github.com/demarc-sec/demarc/internal/store"
	"github.com/demarc-sec/demarc/internal/web"
)

// XSS is markup that runs script if a page ever inserts it as HTML. The
// fixture puts it in a Name tag and in a suppression reason.
const XSS = `<img src=x onerror=alert(1)>`

// Account is the example snapshot's account (AWS's documentation account).
const Account = "111122223333"

// Principals of the privilege-escalation paths the fixture adds.
var (
	Alice    = "arn:aws:iam::" + Account + ":user/alice"
	Bob      = "arn:aws:iam::" + Account + ":user/bob"
	Deployer = "arn:aws:iam::" + Account + ":role/deployer"
)

// Fixture is a filled store.
type Fixture struct {
	Store store.Store
	// Older is the unmodified example; Newer adds the paths, the exposure
	// and the hostile tag.
	Older, Newer store.Scan
	Snapshot     *model.Snapshot // Newer's
	Findings     []engine.Finding
	// ExposedInstance is the ARN of the instance tagged with XSS.
	ExposedInstance string
	// Suppressed is the fingerprint of the suppressed finding.
	Suppressed string
}

// ExamplePath finds examples/example-misconfigured-account.json.gz from this
// package's source directory.
func ExamplePath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "examples", "example-misconfigured-account.json.gz")
}

// Fill records the two scans of the example into s.
func Fill(ctx context.Context, s store.Store) (*Fixture, error) {
	path := ExamplePath()
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("example snapshot: %w", err)
	}
	older, err := model.Load(path)
	if err != nil {
		return nil, err
	}
	newer, err := model.Load(path)
	if err != nil {
		return nil, err
	}
	base := older.CollectedAt
	if base.IsZero() {
		base = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	}
	older.CollectedAt = base.Add(-24 * time.Hour)
	newer.CollectedAt = base
	fx := &Fixture{Store: s, Snapshot: newer}
	if fx.ExposedInstance, err = modify(newer); err != nil {
		return nil, err
	}
	reg := checks.Default()
	rules := reg.Rules()

	oldFindings := engine.Run(older, reg)
	if fx.Older, err = save(ctx, s, older, rules, oldFindings); err != nil {
		return nil, err
	}
	fx.Findings = engine.Run(newer, reg)
	for i := range fx.Findings {
		if fx.Findings[i].Status == checks.Fail {
			fx.Findings[i].Suppressed = true
			fx.Findings[i].SuppressReason = "accepted until 2027-01-01: " + XSS
			fx.Suppressed = fx.Findings[i].Fingerprint
			break
		}
	}
	if fx.Newer, err = save(ctx, s, newer, rules, fx.Findings); err != nil {
		return nil, err
	}
	return fx, nil
}

// save records a scan and its analyses in one transaction.
func save(ctx context.Context, s store.Store, snap *model.Snapshot, rules []checks.Rule, fs []engine.Finding) (store.Scan, error) {
	w, err := s.Begin(ctx, store.Scan{
		AccountID: snap.AccountID, Partition: snap.Partition, Regions: snap.Regions, CollectedAt: snap.CollectedAt,
		ToolVersion: "test", RuleSetVersion: "test", Partial: snap.Partial, Coverage: snap.Errors,
		Summary: engine.Summary{RulesRun: len(rules)},
	})
	if err != nil {
		return store.Scan{}, err
	}
	for _, f := range fs {
		if err := w.Add(ctx, f); err != nil {
			w.Rollback(ctx)
			return store.Scan{}, err
		}
	}
	aw, ok := w.(store.ArtifactWriter)
	if !ok {
		w.Rollback(ctx)
		return store.Scan{}, fmt.Errorf("%T cannot record artifacts", w)
	}
	if err := web.RecordAnalyses(ctx, aw, snap, rules, fs); err != nil {
		w.Rollback(ctx)
		return store.Scan{}, err
	}
	return w.Commit(ctx)
}

func doc(stmts string) string { return `{"Version":"2012-10-17","Statement":[` + stmts + `]}` }

// modify adds to the example: an internet gateway with a default route in
// the instance's VPC (the instance's open SSH becomes reachable), the
// hostile Name tag on that instance, and users with escalation paths:
// alice may create access keys for the admin user; bob may assume role
// deployer, which may.
func modify(s *model.Snapshot) (string, error) {
	r := s.EC2Region("us-east-1")
	if r == nil || len(r.Instances.V) == 0 || len(r.RouteTables.V) == 0 {
		return "", fmt.Errorf("example snapshot: no instance or route table in us-east-1")
	}
	inst := &r.Instances.V[0]
	if inst.Tags == nil {
		inst.Tags = map[string]string{}
	}
	inst.Tags["Name"] = XSS
	igw := ec2.InternetGateway{Meta: core.Meta{ARN: "arn:aws:ec2:us-east-1:" + Account + ":internet-gateway/igw-0fixture",
		Account: Account, Region: "us-east-1"}, ID: "igw-0fixture", AttachedVPC: []string{inst.VPCID}}
	r.InternetGateways = core.Known(append(r.InternetGateways.V, igw))
	for i := range r.RouteTables.V {
		if r.RouteTables.V[i].VPCID == inst.VPCID {
			r.RouteTables.V[i].Routes = append(r.RouteTables.V[i].Routes,
				ec2.Route{DestinationCIDR: "0.0.0.0/0", GatewayID: igw.ID, State: "active"})
		}
	}

	admin := "arn:aws:iam::" + Account + ":user/admin"
	meta := func(arn string) core.Meta { return core.Meta{ARN: arn, Account: Account, Region: core.GlobalRegion} }
	user := func(arn, name, policy string) modeliam.User {
		return modeliam.User{Meta: meta(arn), Name: name, UserID: "AIDAFIXTURE" + name, Path: "/",
			InlinePolicies: []modeliam.InlinePolicy{{Name: "p", Document: policy}},
			LoginProfile:   core.Known(false), MFADevices: core.Known([]modeliam.MFADevice{}),
			AccessKeys: core.Known([]modeliam.AccessKey{})}
	}
	s.IAM.Users = core.Known(append(s.IAM.Users.V,
		user(Alice, "alice", doc(`{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"`+admin+`"}`)),
		user(Bob, "bob", doc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+Deployer+`"}`)),
	))
	s.IAM.Roles = core.Known(append(s.IAM.Roles.V, modeliam.Role{
		Meta: meta(Deployer), Name: "deployer", RoleID: "AROAFIXTURE", Path: "/",
		AssumeRolePolicy: doc(`{"Effect":"Allow","Principal":{"AWS":"` + Bob + `"},"Action":"sts:AssumeRole"}`),
		InlinePolicies:   []modeliam.InlinePolicy{{Name: "p", Document: doc(`{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"` + admin + `"}`)}},
		LastUsed:         core.Known[*time.Time](nil),
	}))
	return inst.ARN, nil
}

// Synthetic records one scan of n findings over 60 rules, 4 regions and
// n/4 resources, with analyses made of a small snapshot and an inventory
// of those resources, and returns it. Messages repeat the resource so that
// text search has work to do.
func Synthetic(ctx context.Context, s store.Store, account string, at time.Time, n int) (store.Scan, error) {
	rules := checks.Default().Rules()
	statuses := []checks.Status{checks.Fail, checks.Pass, checks.Pass, checks.Unknown, checks.Fail, checks.Manual}
	regions := []string{"eu-west-1", "us-east-1", "us-west-2", "ap-southeast-2"}
	nr := min(60, len(rules))
	fs := make([]engine.Finding, n)
	for i := range fs {
		r := rules[i%nr]
		region := regions[(i/nr)%len(regions)]
		arn := fmt.Sprintf("arn:aws:ec2:%s:%s:instance/i-%012x", region, account, (i/4)%(n/4+1))
		fs[i] = engine.Finding{
			RuleID: r.ID, Title: r.Title, Service: r.Service, Status: statuses[i%len(statuses)],
			Severity: r.Severity, Responsibility: r.Responsibility, ResourceARN: arn, Region: region,
			AccountID: account, Frameworks: r.Frameworks,
			Message:     fmt.Sprintf("finding %d: %s on %s does not hold", i, r.ID, arn),
			Fingerprint: engine.Fingerprint(r.ID, account, arn, region),
		}
	}
	snap := model.New(account, "aws", regions)
	snap.CollectedAt = at
	w, err := s.Begin(ctx, store.Scan{AccountID: account, Partition: "aws", Regions: regions, CollectedAt: at,
		ToolVersion: "bench", RuleSetVersion: "bench", Summary: engine.Summary{RulesRun: nr}})
	if err != nil {
		return store.Scan{}, err
	}
	for _, f := range fs {
		if err := w.Add(ctx, f); err != nil {
			w.Rollback(ctx)
			return store.Scan{}, err
		}
	}
	aw := w.(store.ArtifactWriter)
	if err := web.RecordAnalyses(ctx, aw, snap, rules, fs); err != nil {
		w.Rollback(ctx)
		return store.Scan{}, err
	}
	// The snapshot is empty; the inventory lists the resources the
	// findings name, so that the inventory page has a scan's worth of them.
	inv := web.Inventory{Resources: []web.InventoryItem{}}
	seen := map[string]bool{}
	for _, f := range fs {
		if !seen[f.ResourceARN] {
			seen[f.ResourceARN] = true
			id := f.ResourceARN[strings.LastIndex(f.ResourceARN, "/")+1:]
			inv.Resources = append(inv.Resources, web.InventoryItem{Kind: "ec2.Instance", Service: "ec2", ARN: f.ResourceARN,
				Region: f.Region, Name: "web-" + id, Tags: map[string]string{"Name": "web-" + id, "team": "payments"}})
		}
	}
	doc, err := json.Marshal(inv)
	if err == nil {
		err = aw.PutArtifact(ctx, store.ArtifactInventory, doc)
	}
	if err != nil {
		w.Rollback(ctx)
		return store.Scan{}, err
	}
	return w.Commit(ctx)
}
