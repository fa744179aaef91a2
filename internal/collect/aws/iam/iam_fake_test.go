package iam

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/model"
)

// fakeIAM answers the IAM (and STS GetCallerIdentity) query protocol with
// canned XML, so paging and error paths can be tested without an emulator.
type fakeIAM struct {
	mu        sync.Mutex
	calls     map[string]int
	denyGAAD  bool
	reportGet int // GetCredentialReport calls so far
}

// enc is a policy document URL-encoded the way IAM does it (RFC 3986). The
// literal "+" must survive decoding as "+", and "%20" become a space.
const (
	encDoc = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Sid%22%3A%22a+b%20c%22%2C%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"
	decDoc = `{"Version":"2012-10-17","Statement":[{"Sid":"a+b c","Effect":"Allow","Action":"*","Resource":"*"}]}`
)

func (f *fakeIAM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	action := r.Form.Get("Action")
	f.mu.Lock()
	f.calls[action]++
	f.mu.Unlock()
	ok := func(body string) {
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, "<%sResponse><%sResult>%s</%sResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></%sResponse>",
			action, action, body, action, action)
	}
	fail := func(status int, code string) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>fake %s</Message></Error><RequestId>r</RequestId></ErrorResponse>", code, code)
	}
	user := r.Form.Get("UserName")
	switch action {
	case "GetCallerIdentity":
		ok("<Arn>arn:aws:iam::111122223333:user/scanner</Arn><UserId>AIDA</UserId><Account>111122223333</Account>")
	case "GetAccountAuthorizationDetails":
		if f.denyGAAD {
			fail(http.StatusForbidden, "AccessDenied")
			return
		}
		if r.Form.Get("Marker") == "" {
			ok(`<IsTruncated>true</IsTruncated><Marker>page2</Marker>
<UserDetailList><member><UserName>u1</UserName><UserId>AIDA1</UserId><Path>/</Path>
<Arn>arn:aws:iam::111122223333:user/u1</Arn><CreateDate>2020-01-01T00:00:00Z</CreateDate>
<GroupList><member>zeta</member><member>alpha</member></GroupList>
<PermissionsBoundary><PermissionsBoundaryType>PermissionsBoundaryPolicy</PermissionsBoundaryType><PermissionsBoundaryArn>arn:aws:iam::111122223333:policy/bnd</PermissionsBoundaryArn></PermissionsBoundary>
<UserPolicyList><member><PolicyName>inl</PolicyName><PolicyDocument>` + encDoc + `</PolicyDocument></member></UserPolicyList>
<AttachedManagedPolicies><member><PolicyArn>arn:aws:iam::aws:policy/AdministratorAccess</PolicyArn></member></AttachedManagedPolicies>
<Tags><member><Key>k</Key><Value>v</Value></member></Tags></member></UserDetailList>
<Policies><member><Arn>arn:aws:iam::aws:policy/AdministratorAccess</Arn><Path>/</Path><DefaultVersionId>v10</DefaultVersionId>
<AttachmentCount>1</AttachmentCount><IsAttachable>true</IsAttachable><PolicyVersionList>
<member><Document>` + encDoc + `</Document><VersionId>v10</VersionId><IsDefaultVersion>true</IsDefaultVersion><CreateDate>2021-01-01T00:00:00Z</CreateDate></member>
<member><Document>%7B%7D</Document><VersionId>v9</VersionId><IsDefaultVersion>false</IsDefaultVersion><CreateDate>2020-01-01T00:00:00Z</CreateDate></member>
</PolicyVersionList></member></Policies>`)
			return
		}
		ok(`<IsTruncated>false</IsTruncated>
<UserDetailList><member><UserName>u2</UserName><UserId>AIDA2</UserId><Path>/</Path>
<Arn>arn:aws:iam::111122223333:user/u2</Arn><CreateDate>2020-01-01T00:00:00Z</CreateDate></member></UserDetailList>
<RoleDetailList><member><RoleName>r1</RoleName><RoleId>AROA1</RoleId><Path>/</Path><Arn>arn:aws:iam::111122223333:role/r1</Arn>
<AssumeRolePolicyDocument>` + encDoc + `</AssumeRolePolicyDocument>
<RoleLastUsed><LastUsedDate>2024-02-03T04:05:06Z</LastUsedDate><Region>eu-west-1</Region></RoleLastUsed></member>
<member><RoleName>r2</RoleName><RoleId>AROA2</RoleId><Path>/</Path><Arn>arn:aws:iam::111122223333:role/r2</Arn><RoleLastUsed/></member></RoleDetailList>`)
	case "ListAccessKeys":
		if user == "u1" {
			fail(http.StatusForbidden, "AccessDenied")
			return
		}
		ok(`<IsTruncated>false</IsTruncated><AccessKeyMetadata><member><UserName>u2</UserName><AccessKeyId>AKIA2</AccessKeyId>
<Status>Active</Status><CreateDate>2020-01-01T00:00:00Z</CreateDate></member></AccessKeyMetadata>`)
	case "GetAccessKeyLastUsed":
		ok(`<UserName>u2</UserName><AccessKeyLastUsed><ServiceName>N/A</ServiceName><Region>N/A</Region></AccessKeyLastUsed>`)
	case "ListMFADevices":
		ok(`<IsTruncated>false</IsTruncated><MFADevices/>`)
	case "GetLoginProfile":
		if user == "u1" {
			fail(http.StatusNotFound, "NoSuchEntity")
			return
		}
		ok(`<LoginProfile><UserName>u2</UserName><CreateDate>2020-01-01T00:00:00Z</CreateDate></LoginProfile>`)
	case "GetAccountPasswordPolicy":
		fail(http.StatusForbidden, "AccessDenied")
	case "GetAccountSummary":
		ok(`<SummaryMap><entry><key>Users</key><value>2</value></entry><entry><key>AccountMFAEnabled</key><value>1</value></entry></SummaryMap>`)
	case "ListVirtualMFADevices":
		if r.Form.Get("AssignmentStatus") != "Any" {
			fail(http.StatusBadRequest, "ValidationError")
			return
		}
		if r.Form.Get("Marker") == "" {
			ok(`<IsTruncated>true</IsTruncated><Marker>v2</Marker><VirtualMFADevices><member>
<SerialNumber>arn:aws:iam::111122223333:mfa/root-account-mfa-device</SerialNumber>
<User><UserName>root</UserName><Arn>arn:aws:iam::111122223333:root</Arn><UserId>111122223333</UserId><Path>/</Path><CreateDate>2020-01-01T00:00:00Z</CreateDate></User>
</member></VirtualMFADevices>`)
			return
		}
		ok(`<IsTruncated>false</IsTruncated><VirtualMFADevices><member><SerialNumber>arn:aws:iam::111122223333:mfa/spare</SerialNumber></member></VirtualMFADevices>`)
	case "GenerateCredentialReport":
		ok(`<State>STARTED</State>`)
	case "GetCredentialReport":
		f.mu.Lock()
		f.reportGet++
		n := f.reportGet
		f.mu.Unlock()
		if n == 1 {
			fail(http.StatusGone, "ReportInProgress")
			return
		}
		csv := reportHeader + rootRow
		ok(`<Content>` + base64.StdEncoding.EncodeToString([]byte(csv)) + `</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>2024-01-01T00:00:00Z</GeneratedTime>`)
	default:
		fail(http.StatusBadRequest, "InvalidAction")
	}
}

func fakeEnv(t *testing.T, h http.Handler) *aws.Env {
	t.Helper()
	motoEnv(t)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	env, err := aws.NewEnv(context.Background(), aws.Options{Endpoint: srv.URL, MaxAttempts: 2, RatePerService: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestCollectFakePagingAndErrors(t *testing.T) {
	f := &fakeIAM{calls: map[string]int{}}
	env := fakeEnv(t, f)
	snap := model.New(env.AccountID, env.Partition, []string{"us-east-1"})
	col := &collector{reportPoll: time.Millisecond, reportAttempts: 5}
	if err := col.Collect(context.Background(), env, "us-east-1", snap); err != nil {
		t.Fatal(err)
	}

	// Both pages of GetAccountAuthorizationDetails were read.
	if n := f.calls["GetAccountAuthorizationDetails"]; n != 2 {
		t.Errorf("GetAccountAuthorizationDetails calls = %d, want 2", n)
	}
	users := known(t, "Users", snap.IAM.Users)
	if len(users) != 2 || users[0].Name != "u1" || users[1].Name != "u2" {
		t.Fatalf("users = %+v", users)
	}
	u1, u2 := users[0], users[1]
	if u1.PermissionsBoundary != "arn:aws:iam::111122223333:policy/bnd" || u1.Tags["k"] != "v" ||
		strings.Join(u1.Groups, ",") != "alpha,zeta" || u1.InlinePolicies[0].Document != decDoc ||
		u1.AttachedPolicies[0].Name != "AdministratorAccess" || u1.Region != "global" || u1.Account != "111122223333" {
		t.Errorf("u1 = %+v", u1)
	}
	// A denied per-user read is unknown for that user only, with the reason.
	if u1.AccessKeys.Ok || u1.AccessKeys.Why() != "access denied (iam:ListAccessKeys)" {
		t.Errorf("u1 access keys = %+v", u1.AccessKeys)
	}
	if lp, ok := u1.LoginProfile.Get(); !ok || lp {
		t.Errorf("u1 login profile = %+v, want Known(false)", u1.LoginProfile)
	}
	keys := known(t, "u2 keys", u2.AccessKeys)
	if len(keys) != 1 || keys[0].ID != "AKIA2" || keys[0].LastUsedService != "" || keys[0].LastUsedRegion != "" {
		t.Fatalf("u2 keys = %+v", keys)
	}
	if lu, ok := keys[0].LastUsed.Get(); !ok || lu != nil {
		t.Errorf("never-used key LastUsed = %+v, want Known(nil)", keys[0].LastUsed)
	}
	if lp, ok := u2.LoginProfile.Get(); !ok || !lp {
		t.Errorf("u2 login profile = %+v", u2.LoginProfile)
	}

	roles := known(t, "Roles", snap.IAM.Roles)
	if len(roles) != 2 || roles[0].AssumeRolePolicy != decDoc {
		t.Fatalf("roles = %+v", roles)
	}
	if lu, ok := roles[0].LastUsed.Get(); !ok || lu == nil || !lu.Equal(time.Date(2024, 2, 3, 4, 5, 6, 0, time.UTC)) {
		t.Errorf("r1 last used = %+v", roles[0].LastUsed)
	}
	if lu, ok := roles[1].LastUsed.Get(); !ok || lu != nil {
		t.Errorf("r2 last used = %+v, want Known(nil)", roles[1].LastUsed)
	}

	// PolicyName and PolicyId absent (as from moto): the name comes from the ARN.
	pols := known(t, "Policies", snap.IAM.Policies)
	if len(pols) != 1 {
		t.Fatalf("policies = %+v", pols)
	}
	p := pols[0]
	if p.Name != "AdministratorAccess" || p.PolicyID != "" || !p.AWSManaged || p.DefaultDocument() != decDoc ||
		len(p.Versions) != 2 || p.Versions[0].VersionID != "v9" || p.Versions[0].Document != "{}" {
		t.Errorf("policy = %+v", p)
	}

	if pp := snap.IAM.PasswordPolicy; pp.Ok || pp.Why() != "access denied (iam:GetAccountPasswordPolicy)" {
		t.Errorf("password policy = %+v", pp)
	}
	if sum := known(t, "Summary", snap.IAM.Summary); sum["AccountMFAEnabled"] != 1 || sum["Users"] != 2 {
		t.Errorf("summary = %v", sum)
	}
	vm := known(t, "VirtualMFA", snap.IAM.VirtualMFA)
	if len(vm) != 2 || vm[0].User != "arn:aws:iam::111122223333:root" || vm[1].User != "" {
		t.Errorf("virtual mfa = %+v", vm)
	}
	rows := known(t, "CredentialReport", snap.IAM.CredentialReport)
	if len(rows) != 1 || rows[0].User != "<root_account>" || !rows[0].AccessKey1Active {
		t.Errorf("report = %+v", rows)
	}
	if f.reportGet != 2 {
		t.Errorf("GetCredentialReport calls = %d, want 2 (one in progress)", f.reportGet)
	}
}

func TestCollectFakeAuthorizationDetailsDenied(t *testing.T) {
	f := &fakeIAM{calls: map[string]int{}, denyGAAD: true}
	env := fakeEnv(t, f)
	snap := model.New(env.AccountID, env.Partition, nil)
	col := &collector{reportPoll: time.Millisecond, reportAttempts: 5}
	if err := col.Collect(context.Background(), env, "us-east-1", snap); err == nil {
		t.Error("Collect returned no error with authorization details denied")
	}
	const want = "access denied (iam:GetAccountAuthorizationDetails)"
	for name, why := range map[string]string{
		"Users": snap.IAM.Users.Why(), "Groups": snap.IAM.Groups.Why(), "Roles": snap.IAM.Roles.Why(),
		"Policies": snap.IAM.Policies.Why(), "InstanceProfiles": snap.IAM.InstanceProfiles.Why(),
	} {
		if why != want {
			t.Errorf("%s reason = %q, want %q", name, why, want)
		}
	}
	// The account-wide reads still ran.
	if !snap.IAM.Summary.Ok || !snap.IAM.VirtualMFA.Ok || !snap.IAM.CredentialReport.Ok {
		t.Errorf("account-wide reads missing: %+v", snap.IAM)
	}
}

func TestCredentialReportGivesUp(t *testing.T) {
	// Always in progress: bounded polling ends Unknown, never Known(empty).
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		switch r.Form.Get("Action") {
		case "GetCallerIdentity":
			fmt.Fprint(w, "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/x</Arn><Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>")
		case "GenerateCredentialReport":
			fmt.Fprint(w, "<GenerateCredentialReportResponse><GenerateCredentialReportResult><State>INPROGRESS</State></GenerateCredentialReportResult></GenerateCredentialReportResponse>")
		default:
			w.WriteHeader(http.StatusGone)
			fmt.Fprint(w, "<ErrorResponse><Error><Code>ReportInProgress</Code><Message>wait</Message></Error></ErrorResponse>")
		}
	})
	env := fakeEnv(t, h)
	col := &collector{reportPoll: time.Millisecond, reportAttempts: 3}
	v := col.credentialReport(context.Background(), env, newClient(env))
	if v.Ok || !strings.HasPrefix(v.Why(), "service error (iam:GetCredentialReport)") {
		t.Errorf("report = %+v", v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	col.reportAttempts = 1000
	if v := col.credentialReport(ctx, env, newClient(env)); v.Ok || !strings.HasPrefix(v.Why(), "canceled") {
		t.Errorf("canceled report = %+v", v)
	}
}

func newClient(env *aws.Env) *awsiam.Client { return awsiam.NewFromConfig(env.Config("us-east-1")) }

func TestDecodeDocument(t *testing.T) {
	tests := []struct{ in, want string }{
		{encDoc, decDoc}, // strict RFC 3986: "+" stays "+"
		{`{"Version":"2012-10-17"}`, `{"Version":"2012-10-17"}`}, // already JSON
		{"%7B%22a%22%3A+%22b+c%22%7D", `{"a": "b c"}`},           // form-style spaces
		{"%7B%22a%22%3A%22b%2Bc%22%7D", `{"a":"b+c"}`},           // encoded plus
		{"%ZZ", "%ZZ"}, // undecodable: kept
		{"", ""},
	}
	for _, tc := range tests {
		if got := decodeDocument(tc.in); got != tc.want {
			t.Errorf("decodeDocument(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNameFromARN(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:iam::aws:policy/AdministratorAccess":        "AdministratorAccess",
		"arn:aws:iam::aws:policy/service-role/AWSConfigRole": "AWSConfigRole",
		"arn:aws-cn:iam::111122223333:policy/team/app":       "app",
		"weird": "weird",
	} {
		if got := nameFromARN(arn); got != want {
			t.Errorf("nameFromARN(%q) = %q, want %q", arn, got, want)
		}
	}
	if arnAccount("arn:aws:iam::aws:policy/X") != "aws" || arnAccount("arn:aws:iam::111122223333:policy/X") != "111122223333" || arnAccount("x") != "" {
		t.Error("arnAccount")
	}
}
