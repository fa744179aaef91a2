// Package iam collects an account's IAM state into the snapshot: principals
// and managed policies (with every version's document) from
// GetAccountAuthorizationDetails, per-user credentials (access keys and
// their last use, MFA devices, console passwords), the password policy, the
// account summary, virtual MFA devices and the credential report.
//
// IAM is global: the collector runs once per snapshot and stamps resources
// with Meta.Region = "global". Every read that fails leaves the value it
// would have filled Unknown with the classified reason; the other reads go on.
package iam

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"golang.org/x/sync/errgroup"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	iamm "github.com/demarc-sec/demarc/internal/model/iam"
)

// service is the service name used in unknown reasons ("access denied (iam:…)").
const service = "iam"

// userConcurrency bounds the per-user credential reads in flight: IAM's
// control-plane throttles aggressively and every user costs 3+ calls.
const userConcurrency = 8

type collector struct {
	// reportPoll is the wait between credential-report polls (tests shorten it).
	reportPoll time.Duration
	// reportAttempts bounds the polls before the report is given up as Unknown.
	reportAttempts int
}

// New returns the IAM collector.
func New() aws.Collector {
	return &collector{reportPoll: 2 * time.Second, reportAttempts: 30}
}

func (c *collector) Name() string   { return service }
func (c *collector) Regional() bool { return false }

// Collect reads the account's IAM into snap.IAM. The returned error reports
// only that the authorization details (the bulk of IAM) were unreadable; the
// values are marked Unknown either way.
func (c *collector) Collect(ctx context.Context, env *aws.Env, region string, snap *model.Snapshot) error {
	client := awsiam.NewFromConfig(env.Config(region))
	var acct iamm.Account

	// The account-wide reads are independent of the authorization details,
	// so they run beside them; each writes only its own field of acct.
	var g errgroup.Group
	g.Go(func() error { acct.PasswordPolicy = passwordPolicy(ctx, env, client); return nil })
	g.Go(func() error { acct.Summary = accountSummary(ctx, env, client); return nil })
	g.Go(func() error { acct.VirtualMFA = virtualMFA(ctx, env, client); return nil })
	g.Go(func() error { acct.ServerCertificates = serverCertificates(ctx, env, client); return nil })
	g.Go(func() error { acct.CredentialReport = c.credentialReport(ctx, env, client); return nil })

	details, err := authorizationDetails(ctx, client, env.AccountID)
	if err != nil {
		reason := env.Unknown(service, core.GlobalRegion, "GetAccountAuthorizationDetails", "", err)
		acct.Users = core.Unknown[[]iamm.User](reason)
		acct.Groups = core.Unknown[[]iamm.Group](reason)
		acct.Roles = core.Unknown[[]iamm.Role](reason)
		acct.Policies = core.Unknown[[]iamm.ManagedPolicy](reason)
		acct.InstanceProfiles = core.Unknown[[]iamm.InstanceProfile](reason)
	} else {
		userCredentials(ctx, env, client, details.users)
		acct.Users = core.Known(details.users)
		acct.Groups = core.Known(details.groups)
		acct.Roles = core.Known(details.roles)
		acct.Policies = core.Known(details.policies)
		acct.InstanceProfiles = core.Known(details.profiles)
	}
	_ = g.Wait()
	fillPasswordLastUsed(acct.Users, acct.CredentialReport)
	snap.IAM = acct
	if err != nil {
		return fmt.Errorf("collect iam authorization details: %w", err)
	}
	return nil
}

// details is the converted result of GetAccountAuthorizationDetails.
type details struct {
	users    []iamm.User
	groups   []iamm.Group
	roles    []iamm.Role
	policies []iamm.ManagedPolicy
	profiles []iamm.InstanceProfile
}

// authorizationDetails reads every page of GetAccountAuthorizationDetails.
// A failure on any page fails the whole read: a partial list of principals
// or policies could hide the one that matters.
func authorizationDetails(ctx context.Context, client *awsiam.Client, account string) (*details, error) {
	d := &details{users: []iamm.User{}, groups: []iamm.Group{}, roles: []iamm.Role{},
		policies: []iamm.ManagedPolicy{}, profiles: []iamm.InstanceProfile{}}
	profiles := map[string]iamm.InstanceProfile{}
	// Every entity type, named explicitly rather than relying on the
	// empty-filter default.
	p := awsiam.NewGetAccountAuthorizationDetailsPaginator(client, &awsiam.GetAccountAuthorizationDetailsInput{
		Filter: []iamtypes.EntityType{
			iamtypes.EntityTypeUser, iamtypes.EntityTypeRole, iamtypes.EntityTypeGroup,
			iamtypes.EntityTypeLocalManagedPolicy, iamtypes.EntityTypeAWSManagedPolicy,
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, u := range page.UserDetailList {
			d.users = append(d.users, convertUser(u, account))
		}
		for _, g := range page.GroupDetailList {
			d.groups = append(d.groups, convertGroup(g, account))
		}
		for _, r := range page.RoleDetailList {
			d.roles = append(d.roles, convertRole(r, account))
			// Instance profiles appear only inside the roles they hold.
			for _, ip := range r.InstanceProfileList {
				prof := convertInstanceProfile(ip, account)
				if prev, ok := profiles[prof.ARN]; ok {
					prof.Roles = mergeSorted(prev.Roles, prof.Roles)
				}
				profiles[prof.ARN] = prof
			}
		}
		for _, mp := range page.Policies {
			d.policies = append(d.policies, convertPolicy(mp, account))
		}
	}
	for _, ip := range profiles {
		d.profiles = append(d.profiles, ip)
	}
	sort.Slice(d.users, func(i, j int) bool { return d.users[i].ARN < d.users[j].ARN })
	sort.Slice(d.groups, func(i, j int) bool { return d.groups[i].ARN < d.groups[j].ARN })
	sort.Slice(d.roles, func(i, j int) bool { return d.roles[i].ARN < d.roles[j].ARN })
	sort.Slice(d.policies, func(i, j int) bool { return d.policies[i].ARN < d.policies[j].ARN })
	sort.Slice(d.profiles, func(i, j int) bool { return d.profiles[i].ARN < d.profiles[j].ARN })
	return d, nil
}

func meta(arn, account string, tags []iamtypes.Tag) core.Meta {
	m := core.Meta{ARN: arn, Account: account, Region: core.GlobalRegion}
	if len(tags) > 0 {
		m.Tags = make(map[string]string, len(tags))
		for _, t := range tags {
			m.Tags[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
		}
	}
	return m
}

func convertUser(u iamtypes.UserDetail, account string) iamm.User {
	groups := append([]string(nil), u.GroupList...)
	sort.Strings(groups)
	return iamm.User{
		Meta:                meta(sdkaws.ToString(u.Arn), account, u.Tags),
		Name:                sdkaws.ToString(u.UserName),
		UserID:              sdkaws.ToString(u.UserId),
		Path:                sdkaws.ToString(u.Path),
		CreateDate:          sdkaws.ToTime(u.CreateDate),
		InlinePolicies:      inlinePolicies(u.UserPolicyList),
		AttachedPolicies:    attachedPolicies(u.AttachedManagedPolicies),
		Groups:              groups,
		PermissionsBoundary: boundary(u.PermissionsBoundary),
	}
}

func convertGroup(g iamtypes.GroupDetail, account string) iamm.Group {
	// GroupDetail carries no tags: IAM groups cannot be tagged.
	return iamm.Group{
		Meta:             meta(sdkaws.ToString(g.Arn), account, nil),
		Name:             sdkaws.ToString(g.GroupName),
		GroupID:          sdkaws.ToString(g.GroupId),
		Path:             sdkaws.ToString(g.Path),
		CreateDate:       sdkaws.ToTime(g.CreateDate),
		InlinePolicies:   inlinePolicies(g.GroupPolicyList),
		AttachedPolicies: attachedPolicies(g.AttachedManagedPolicies),
	}
}

func convertRole(r iamtypes.RoleDetail, account string) iamm.Role {
	role := iamm.Role{
		Meta:                meta(sdkaws.ToString(r.Arn), account, r.Tags),
		Name:                sdkaws.ToString(r.RoleName),
		RoleID:              sdkaws.ToString(r.RoleId),
		Path:                sdkaws.ToString(r.Path),
		CreateDate:          sdkaws.ToTime(r.CreateDate),
		AssumeRolePolicy:    decodeDocument(sdkaws.ToString(r.AssumeRolePolicyDocument)),
		InlinePolicies:      inlinePolicies(r.RolePolicyList),
		AttachedPolicies:    attachedPolicies(r.AttachedManagedPolicies),
		PermissionsBoundary: boundary(r.PermissionsBoundary),
		// IAM omits RoleLastUsed (or its date) when the role was not used in
		// the tracking period (400 days): that is a read "never used".
		LastUsed: core.Known[*time.Time](nil),
	}
	if r.RoleLastUsed != nil && r.RoleLastUsed.LastUsedDate != nil {
		t := r.RoleLastUsed.LastUsedDate.UTC()
		role.LastUsed = core.Known(&t)
	}
	for _, ip := range r.InstanceProfileList {
		if arn := sdkaws.ToString(ip.Arn); arn != "" {
			role.InstanceProfiles = append(role.InstanceProfiles, arn)
		}
	}
	sort.Strings(role.InstanceProfiles)
	return role
}

func convertInstanceProfile(ip iamtypes.InstanceProfile, account string) iamm.InstanceProfile {
	p := iamm.InstanceProfile{
		Meta:  meta(sdkaws.ToString(ip.Arn), account, ip.Tags),
		Name:  sdkaws.ToString(ip.InstanceProfileName),
		Roles: []string{},
	}
	for _, r := range ip.Roles {
		if arn := sdkaws.ToString(r.Arn); arn != "" {
			p.Roles = append(p.Roles, arn)
		}
	}
	sort.Strings(p.Roles)
	return p
}

func convertPolicy(mp iamtypes.ManagedPolicyDetail, account string) iamm.ManagedPolicy {
	arn := sdkaws.ToString(mp.Arn)
	name := sdkaws.ToString(mp.PolicyName)
	if name == "" {
		// moto (and defensively, any response) may omit PolicyName: the
		// name is the last segment of the ARN's resource part.
		name = nameFromARN(arn)
	}
	p := iamm.ManagedPolicy{
		Meta:             core.Meta{ARN: arn, Account: account, Region: core.GlobalRegion},
		Name:             name,
		PolicyID:         sdkaws.ToString(mp.PolicyId),
		Path:             sdkaws.ToString(mp.Path),
		DefaultVersionID: sdkaws.ToString(mp.DefaultVersionId),
		AttachmentCount:  sdkaws.ToInt32(mp.AttachmentCount),
		IsAttachable:     mp.IsAttachable,
		AWSManaged:       arnAccount(arn) == "aws",
		Versions:         make([]iamm.PolicyVersion, 0, len(mp.PolicyVersionList)),
	}
	for _, v := range mp.PolicyVersionList {
		p.Versions = append(p.Versions, iamm.PolicyVersion{
			VersionID:  sdkaws.ToString(v.VersionId),
			IsDefault:  v.IsDefaultVersion,
			Document:   decodeDocument(sdkaws.ToString(v.Document)),
			CreateDate: sdkaws.ToTime(v.CreateDate),
		})
	}
	sort.Slice(p.Versions, func(i, j int) bool { return versionLess(p.Versions[i].VersionID, p.Versions[j].VersionID) })
	return p
}

// versionLess orders "v2" before "v10".
func versionLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func inlinePolicies(in []iamtypes.PolicyDetail) []iamm.InlinePolicy {
	if len(in) == 0 {
		return nil
	}
	out := make([]iamm.InlinePolicy, 0, len(in))
	for _, p := range in {
		out = append(out, iamm.InlinePolicy{
			Name:     sdkaws.ToString(p.PolicyName),
			Document: decodeDocument(sdkaws.ToString(p.PolicyDocument)),
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func attachedPolicies(in []iamtypes.AttachedPolicy) []iamm.AttachedPolicy {
	if len(in) == 0 {
		return nil
	}
	out := make([]iamm.AttachedPolicy, 0, len(in))
	for _, p := range in {
		arn := sdkaws.ToString(p.PolicyArn)
		name := sdkaws.ToString(p.PolicyName)
		if name == "" {
			name = nameFromARN(arn)
		}
		out = append(out, iamm.AttachedPolicy{Name: name, ARN: arn})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return out
}

func boundary(b *iamtypes.AttachedPermissionsBoundary) string {
	if b == nil {
		return ""
	}
	return sdkaws.ToString(b.PermissionsBoundaryArn)
}

// decodeDocument undoes the URL encoding (RFC 3986) that IAM applies to
// every policy document it returns. PathUnescape, not QueryUnescape: in RFC
// 3986 a literal "+" is a "+", not a space. Should a document come encoded
// form-style (space as "+"), the strict decoding is not JSON while the form
// decoding is, and the latter is taken. A document that already looks like
// JSON is kept as is (some emulators do not encode), and so is one that does
// not decode, so the analysis sees what AWS sent.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
func decodeDocument(doc string) string {
	if strings.HasPrefix(strings.TrimSpace(doc), "{") {
		return doc
	}
	dec, err := url.PathUnescape(doc)
	if err != nil {
		return doc
	}
	if !json.Valid([]byte(dec)) && strings.Contains(doc, "+") {
		if q, err := url.QueryUnescape(doc); err == nil && json.Valid([]byte(q)) {
			return q
		}
	}
	return dec
}

// nameFromARN returns the last "/"-separated segment of an ARN's resource
// ("arn:aws:iam::aws:policy/service-role/X" → "X").
func nameFromARN(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	if parts := strings.SplitN(arn, ":", 6); len(parts) == 6 {
		return parts[5]
	}
	return arn
}

// arnAccount returns the account field of an ARN ("aws" for AWS-managed policies).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

func mergeSorted(a, b []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, s := range append(append([]string(nil), a...), b...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
