package s3

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/model"
)

// fakeS3 answers S3 (path-style REST XML), S3 Control and STS
// GetCallerIdentity with canned answers, to test paging, region routing and
// per-field error handling without an emulator.
type fakeS3 struct {
	mu        sync.Mutex
	listCalls int
	// regions records the SigV4 signing region of each bucket's non-location calls.
	regions map[string]map[string]bool
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	xmlOK := func(body string) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>`+body)
	}
	fail := func(status int, code string) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>fake</Message></Error>`, code)
	}
	if r.Method == http.MethodPost && r.URL.Path == "/" {
		_ = r.ParseForm()
		if r.Form.Get("Action") == "GetCallerIdentity" {
			xmlOK(`<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/x</Arn><Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`)
			return
		}
	}
	if r.URL.Path == "/v20180820/configuration/publicAccessBlock" {
		// The SDK put the account ID in front of the host; the Env's
		// client still reached this server.
		if !strings.HasPrefix(r.Host, "111122223333.") || r.Header.Get("x-amz-account-id") != "111122223333" {
			fail(http.StatusBadRequest, "InvalidRequest")
			return
		}
		// S3 Control wraps errors in ErrorResponse, unlike S3.
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `<ErrorResponse><Error><Code>NoSuchPublicAccessBlockConfiguration</Code><Message>none</Message></Error></ErrorResponse>`)
		return
	}
	q := r.URL.Query()
	if r.URL.Path == "/" {
		f.mu.Lock()
		f.listCalls++
		f.mu.Unlock()
		if q.Get("continuation-token") == "" {
			xmlOK(`<ListAllMyBucketsResult><Owner><ID>own</ID></Owner><Buckets><Bucket><Name>eu-bucket</Name><CreationDate>2020-01-01T00:00:00.000Z</CreationDate></Bucket></Buckets><ContinuationToken>page2</ContinuationToken></ListAllMyBucketsResult>`)
			return
		}
		xmlOK(`<ListAllMyBucketsResult><Owner><ID>own</ID></Owner><Buckets><Bucket><Name>flaky-bucket</Name><CreationDate>2021-01-01T00:00:00.000Z</CreationDate></Bucket>
<Bucket><Name>listed-region</Name><BucketRegion>ca-central-1</BucketRegion></Bucket><Bucket><Name>moved-bucket</Name></Bucket></Buckets></ListAllMyBucketsResult>`)
		return
	}
	bucket := strings.Trim(r.URL.Path, "/")
	if q.Has("location") {
		switch bucket {
		case "moved-bucket":
			w.Header().Set("x-amz-bucket-region", "ap-southeast-2")
			fail(http.StatusMovedPermanently, "PermanentRedirect")
			return
		case "listed-region":
			fail(http.StatusForbidden, "AccessDenied")
			return
		}
		if bucket == "eu-bucket" {
			xmlOK(`<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">EU</LocationConstraint>`)
		} else {
			xmlOK(`<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>`)
		}
		return
	}
	auth := r.Header.Get("Authorization")
	f.mu.Lock()
	for _, reg := range []string{"us-east-1", "eu-west-1", "ap-southeast-2", "ca-central-1"} {
		if strings.Contains(auth, "/"+reg+"/s3/") {
			if f.regions[bucket] == nil {
				f.regions[bucket] = map[string]bool{}
			}
			f.regions[bucket][reg] = true
		}
	}
	f.mu.Unlock()
	if bucket == "moved-bucket" || bucket == "listed-region" {
		fail(http.StatusForbidden, "AccessDenied")
		return
	}
	if bucket == "flaky-bucket" {
		switch {
		case q.Has("policy"):
			fail(http.StatusForbidden, "AccessDenied")
		case q.Has("tagging"):
			fail(http.StatusForbidden, "AccessDenied")
		default:
			fail(http.StatusInternalServerError, "InternalError")
		}
		return
	}
	switch {
	case q.Has("policyStatus"):
		xmlOK(`<PolicyStatus><IsPublic>true</IsPublic></PolicyStatus>`)
	case q.Has("policy"):
		fail(http.StatusNotFound, "NoSuchBucketPolicy")
	case q.Has("publicAccessBlock"):
		// Only one flag present: the others are off.
		xmlOK(`<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlockConfiguration>`)
	case q.Has("encryption"):
		fail(http.StatusNotFound, "ServerSideEncryptionConfigurationNotFoundError")
	case q.Has("versioning"):
		xmlOK(`<VersioningConfiguration><Status>Suspended</Status><MfaDelete>Enabled</MfaDelete></VersioningConfiguration>`)
	case q.Has("logging"):
		xmlOK(`<BucketLoggingStatus/>`)
	case q.Has("acl"):
		xmlOK(`<AccessControlPolicy><Owner><ID>own</ID></Owner><AccessControlList>
<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>
<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="AmazonCustomerByEmail"><EmailAddress>x@example.com</EmailAddress></Grantee><Permission>WRITE</Permission></Grant>
</AccessControlList></AccessControlPolicy>`)
	case q.Has("ownershipControls"):
		fail(http.StatusNotFound, "OwnershipControlsNotFoundError")
	case q.Has("tagging"):
		fail(http.StatusNotFound, "NoSuchTagSet")
	default:
		fail(http.StatusBadRequest, "NotImplemented")
	}
}

func TestCollectFake(t *testing.T) {
	motoEnv(t)
	f := &fakeS3{regions: map[string]map[string]bool{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	ctx := context.Background()
	env, err := aws.NewEnv(ctx, aws.Options{Endpoint: srv.URL, MaxAttempts: 2, RatePerService: 1000})
	if err != nil {
		t.Fatal(err)
	}
	snap := model.New(env.AccountID, env.Partition, []string{"us-east-1"})
	if err := New().Collect(ctx, env, "us-east-1", snap); err != nil {
		t.Fatal(err)
	}
	if v, ok := snap.S3.AccountPublicAccessBlock.Get(); !ok || v != nil {
		t.Errorf("account BPA = %+v (%s), want Known(nil)", v, snap.S3.AccountPublicAccessBlock.Why())
	}
	buckets, ok := snap.S3.Buckets.Get()
	if !ok || len(buckets) != 4 || f.listCalls != 2 {
		t.Fatalf("buckets = %+v (%s), list calls %d; want both pages", buckets, snap.S3.Buckets.Why(), f.listCalls)
	}
	eu, flaky, listed, moved := buckets[0], buckets[1], buckets[2], buckets[3]

	// When GetBucketLocation fails, the redirect header or ListBuckets'
	// BucketRegion still places the bucket, and its reads are signed there.
	if moved.Name != "moved-bucket" || moved.Region != "ap-southeast-2" || !f.regions["moved-bucket"]["ap-southeast-2"] {
		t.Errorf("moved bucket region = %q, signed for %v", moved.Region, f.regions["moved-bucket"])
	}
	if listed.Name != "listed-region" || listed.Region != "ca-central-1" || !f.regions["listed-region"]["ca-central-1"] {
		t.Errorf("listed bucket region = %q, signed for %v", listed.Region, f.regions["listed-region"])
	}
	if listed.Policy.Ok || listed.Policy.Why() != "access denied (s3:GetBucketPolicy)" {
		t.Errorf("listed policy = %+v", listed.Policy)
	}

	// "EU" is eu-west-1, and the bucket's reads were signed for eu-west-1.
	if eu.Name != "eu-bucket" || eu.Region != "eu-west-1" || eu.ARN != "arn:aws:s3:::eu-bucket" || eu.Account != "111122223333" {
		t.Errorf("eu meta = %+v", eu.Meta)
	}
	if got := f.regions["eu-bucket"]; len(got) != 1 || !got["eu-west-1"] {
		t.Errorf("eu-bucket signed for %v, want only eu-west-1", got)
	}
	if p, ok := eu.Policy.Get(); !ok || p != "" {
		t.Errorf("policy = %+v", eu.Policy)
	}
	if v, ok := eu.PolicyStatusPublic.Get(); !ok || !v {
		t.Errorf("policy status = %+v", eu.PolicyStatusPublic)
	}
	if v, ok := eu.PublicAccessBlock.Get(); !ok || v == nil || !v.BlockPublicAcls || v.IgnorePublicAcls || v.All() {
		t.Errorf("BPA = %+v", eu.PublicAccessBlock)
	}
	if v, ok := eu.Encryption.Get(); !ok || v != nil {
		t.Errorf("encryption = %+v", eu.Encryption)
	}
	if v, ok := eu.Versioning.Get(); !ok || v.Status != "Suspended" || v.MFADelete != "Enabled" {
		t.Errorf("versioning = %+v", eu.Versioning)
	}
	if v, ok := eu.Logging.Get(); !ok || v != nil {
		t.Errorf("logging = %+v", eu.Logging)
	}
	acl, ok := eu.ACL.Get()
	if !ok || acl.OwnerID != "own" || len(acl.Grants) != 2 ||
		acl.Grants[0].GranteeType != "AmazonCustomerByEmail" || acl.Grants[0].GranteeID != "x@example.com" || acl.Grants[0].Permission != "WRITE" ||
		acl.Grants[1].GranteeType != "Group" || acl.Grants[1].GranteeURI != "http://acs.amazonaws.com/groups/global/AllUsers" {
		t.Errorf("acl = %+v", eu.ACL)
	}
	if v, ok := eu.ObjectOwnership.Get(); !ok || v != "" {
		t.Errorf("ownership = %+v", eu.ObjectOwnership)
	}
	if eu.Tags != nil {
		t.Errorf("tags = %v", eu.Tags)
	}

	// flaky-bucket: an empty LocationConstraint is us-east-1; every failed
	// read is unknown on its own, with the classified reason.
	if flaky.Region != "us-east-1" {
		t.Errorf("flaky region = %q", flaky.Region)
	}
	if why := flaky.Policy.Why(); flaky.Policy.Ok || why != "access denied (s3:GetBucketPolicy)" {
		t.Errorf("flaky policy = %+v", flaky.Policy)
	}
	for field, v := range map[string]struct {
		ok  bool
		why string
	}{
		"status": {flaky.PolicyStatusPublic.Ok, flaky.PolicyStatusPublic.Why()},
		"bpa":    {flaky.PublicAccessBlock.Ok, flaky.PublicAccessBlock.Why()},
		"enc":    {flaky.Encryption.Ok, flaky.Encryption.Why()},
		"ver":    {flaky.Versioning.Ok, flaky.Versioning.Why()},
		"log":    {flaky.Logging.Ok, flaky.Logging.Why()},
		"acl":    {flaky.ACL.Ok, flaky.ACL.Why()},
		"own":    {flaky.ObjectOwnership.Ok, flaky.ObjectOwnership.Why()},
	} {
		if v.ok || !strings.HasPrefix(v.why, "service error (s3:Get") {
			t.Errorf("flaky %s: ok=%v why=%q", field, v.ok, v.why)
		}
	}
	var taggingErr bool
	for _, e := range env.Errors() {
		if e.Operation == "GetBucketTagging" && e.Resource == "flaky-bucket" && e.Reason == "access denied" {
			taggingErr = true
		}
	}
	if !taggingErr {
		t.Errorf("denied tagging not recorded: %+v", env.Errors())
	}
}

func TestCollectFakeListDenied(t *testing.T) {
	motoEnv(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			fmt.Fprint(w, `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/x</Arn><Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`)
			return
		}
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<Error><Code>AccessDenied</Code><Message>no</Message></Error>`)
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	env, err := aws.NewEnv(ctx, aws.Options{Endpoint: srv.URL, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	snap := model.New(env.AccountID, env.Partition, nil)
	if err := New().Collect(ctx, env, "us-east-1", snap); err == nil {
		t.Error("no error with ListBuckets denied")
	}
	if v := snap.S3.Buckets; v.Ok || v.Why() != "access denied (s3:ListBuckets)" {
		t.Errorf("buckets = %+v", v)
	}
	if v := snap.S3.AccountPublicAccessBlock; v.Ok || v.Why() != "access denied (s3control:GetPublicAccessBlock)" {
		t.Errorf("account BPA = %+v", v)
	}
}

func TestLocationRegion(t *testing.T) {
	for in, want := range map[string]string{"": "us-east-1", "EU": "eu-west-1", "eu-west-1": "eu-west-1", "ap-south-2": "ap-south-2"} {
		if got := locationRegion(in); got != want {
			t.Errorf("locationRegion(%q) = %q, want %q", in, got, want)
		}
	}
}
