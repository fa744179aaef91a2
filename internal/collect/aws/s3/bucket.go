package s3

import (
	"context"
	"errors"
	"sort"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/model/core"
	s3m "github.com/demarc-sec/demarc/internal/model/s3"
)

// bucketReader reads the fields of one bucket with its region's client.
type bucketReader struct {
	env    *aws.Env
	client *awss3.Client
	name   string
	region string // for error records: the bucket's region, or home if unknown
}

// unknown records err and returns the reason for the bucket's field.
func (r *bucketReader) unknown(op string, err error) string {
	return r.env.Unknown(service, r.region, op, r.name, err)
}

func readBucket(ctx context.Context, env *aws.Env, clients *clientCache, home, partition string, lb s3types.Bucket) s3m.Bucket {
	name := sdkaws.ToString(lb.Name)
	b := s3m.Bucket{
		Meta:         core.Meta{ARN: "arn:" + partition + ":s3:::" + name, Account: env.AccountID},
		Name:         name,
		CreationDate: sdkaws.ToTime(lb.CreationDate),
	}
	region, err := bucketRegion(ctx, clients.get(home), name)
	if err != nil {
		// Fallbacks, both authoritative: S3's redirect names the bucket's
		// region in a header, and ListBuckets now returns it per bucket.
		// Without either, Meta.Region stays "" and the reads below go to
		// the home region: they return the bucket's real settings or fail
		// (redirect), never a made-up value.
		region = redirectRegion(err)
		if region == "" {
			region = sdkaws.ToString(lb.BucketRegion)
		}
		if region == "" {
			env.Unknown(service, home, "GetBucketLocation", name, err)
		}
	}
	b.Region = region
	r := &bucketReader{env: env, name: name, region: region}
	if region == "" {
		r.region = home
	}
	r.client = clients.get(r.region)

	b.Policy = r.policy(ctx)
	b.PolicyStatusPublic = r.policyStatus(ctx)
	b.PublicAccessBlock = r.publicAccessBlock(ctx)
	b.Encryption = r.encryption(ctx)
	b.Versioning = r.versioning(ctx)
	b.Logging = r.logging(ctx)
	b.ACL = r.acl(ctx)
	b.ObjectOwnership = r.ownership(ctx)
	b.Lifecycle = r.lifecycle(ctx)
	b.Replication = r.replication(ctx)
	b.Notifications = r.notifications(ctx)
	b.ObjectLock = r.objectLock(ctx)
	b.Tags = r.tags(ctx)
	return b
}

// bucketRegion maps GetBucketLocation's answer to a region name: an empty
// LocationConstraint is us-east-1, the legacy "EU" is eu-west-1.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html
func bucketRegion(ctx context.Context, client *awss3.Client, name string) (string, error) {
	out, err := client.GetBucketLocation(ctx, &awss3.GetBucketLocationInput{Bucket: sdkaws.String(name)})
	if err != nil {
		return "", err
	}
	return locationRegion(string(out.LocationConstraint)), nil
}

// redirectRegion returns the x-amz-bucket-region header of a failed S3
// response (S3 sets it on PermanentRedirect and on many 403s), or "".
func redirectRegion(err error) string {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.Header.Get("X-Amz-Bucket-Region")
	}
	return ""
}

func locationRegion(lc string) string {
	switch lc {
	case "":
		return "us-east-1"
	case "EU":
		return "eu-west-1"
	}
	return lc
}

// policy is Known("") when the bucket has no policy (NoSuchBucketPolicy).
func (r *bucketReader) policy(ctx context.Context) core.Val[string] {
	out, err := r.client.GetBucketPolicy(ctx, &awss3.GetBucketPolicyInput{Bucket: sdkaws.String(r.name)})
	switch {
	case aws.ErrorCode(err) == "NoSuchBucketPolicy":
		return core.Known("")
	case err == nil && out.Policy == nil:
		err = errEmptyResponse
	}
	if err != nil {
		return core.Unknown[string](r.unknown("GetBucketPolicy", err))
	}
	return core.Known(*out.Policy)
}

// policyStatus is AWS's own "is this policy public" verdict; with no policy
// there is nothing public, so NoSuchBucketPolicy is Known(false).
func (r *bucketReader) policyStatus(ctx context.Context) core.Val[bool] {
	out, err := r.client.GetBucketPolicyStatus(ctx, &awss3.GetBucketPolicyStatusInput{Bucket: sdkaws.String(r.name)})
	switch {
	case aws.ErrorCode(err) == "NoSuchBucketPolicy":
		return core.Known(false)
	case err == nil && (out.PolicyStatus == nil || out.PolicyStatus.IsPublic == nil):
		err = errEmptyResponse
	}
	if err != nil {
		return core.Unknown[bool](r.unknown("GetBucketPolicyStatus", err))
	}
	return core.Known(*out.PolicyStatus.IsPublic)
}

// publicAccessBlock is Known(nil) when the bucket has no configuration.
// An unset flag in a configuration is false, as AWS applies it.
func (r *bucketReader) publicAccessBlock(ctx context.Context) core.Val[*s3m.PublicAccessBlock] {
	out, err := r.client.GetPublicAccessBlock(ctx, &awss3.GetPublicAccessBlockInput{Bucket: sdkaws.String(r.name)})
	switch {
	case aws.ErrorCode(err) == "NoSuchPublicAccessBlockConfiguration":
		return core.Known[*s3m.PublicAccessBlock](nil)
	case err == nil && out.PublicAccessBlockConfiguration == nil:
		err = errEmptyResponse
	}
	if err != nil {
		return core.Unknown[*s3m.PublicAccessBlock](r.unknown("GetPublicAccessBlock", err))
	}
	c := out.PublicAccessBlockConfiguration
	return core.Known(&s3m.PublicAccessBlock{
		BlockPublicAcls:       sdkaws.ToBool(c.BlockPublicAcls),
		IgnorePublicAcls:      sdkaws.ToBool(c.IgnorePublicAcls),
		BlockPublicPolicy:     sdkaws.ToBool(c.BlockPublicPolicy),
		RestrictPublicBuckets: sdkaws.ToBool(c.RestrictPublicBuckets),
	})
}

// encryption is Known(nil) when no default encryption is configured (only
// possible for buckets predating January 2023 or in emulators).
func (r *bucketReader) encryption(ctx context.Context) core.Val[*s3m.Encryption] {
	out, err := r.client.GetBucketEncryption(ctx, &awss3.GetBucketEncryptionInput{Bucket: sdkaws.String(r.name)})
	switch {
	case aws.ErrorCode(err) == "ServerSideEncryptionConfigurationNotFoundError":
		return core.Known[*s3m.Encryption](nil)
	case err == nil && out.ServerSideEncryptionConfiguration == nil:
		err = errEmptyResponse
	}
	if err != nil {
		return core.Unknown[*s3m.Encryption](r.unknown("GetBucketEncryption", err))
	}
	enc := &s3m.Encryption{Rules: []s3m.EncryptionRule{}}
	for _, rule := range out.ServerSideEncryptionConfiguration.Rules {
		er := s3m.EncryptionRule{BucketKeyEnabled: sdkaws.ToBool(rule.BucketKeyEnabled)}
		if d := rule.ApplyServerSideEncryptionByDefault; d != nil {
			er.SSEAlgorithm = string(d.SSEAlgorithm)
			er.KMSMasterKeyID = sdkaws.ToString(d.KMSMasterKeyID)
		}
		enc.Rules = append(enc.Rules, er)
	}
	return core.Known(enc)
}

// versioning: an empty Status means versioning was never enabled.
func (r *bucketReader) versioning(ctx context.Context) core.Val[s3m.Versioning] {
	out, err := r.client.GetBucketVersioning(ctx, &awss3.GetBucketVersioningInput{Bucket: sdkaws.String(r.name)})
	if err != nil {
		return core.Unknown[s3m.Versioning](r.unknown("GetBucketVersioning", err))
	}
	return core.Known(s3m.Versioning{Status: string(out.Status), MFADelete: string(out.MFADelete)})
}

// logging is Known(nil) when server access logging is off (no LoggingEnabled).
func (r *bucketReader) logging(ctx context.Context) core.Val[*s3m.Logging] {
	out, err := r.client.GetBucketLogging(ctx, &awss3.GetBucketLoggingInput{Bucket: sdkaws.String(r.name)})
	if err != nil {
		return core.Unknown[*s3m.Logging](r.unknown("GetBucketLogging", err))
	}
	if out.LoggingEnabled == nil {
		return core.Known[*s3m.Logging](nil)
	}
	return core.Known(&s3m.Logging{
		TargetBucket: sdkaws.ToString(out.LoggingEnabled.TargetBucket),
		TargetPrefix: sdkaws.ToString(out.LoggingEnabled.TargetPrefix),
	})
}

func (r *bucketReader) acl(ctx context.Context) core.Val[s3m.ACL] {
	out, err := r.client.GetBucketAcl(ctx, &awss3.GetBucketAclInput{Bucket: sdkaws.String(r.name)})
	if err != nil {
		return core.Unknown[s3m.ACL](r.unknown("GetBucketAcl", err))
	}
	acl := s3m.ACL{Grants: []s3m.Grant{}}
	if out.Owner != nil {
		acl.OwnerID = sdkaws.ToString(out.Owner.ID)
	}
	for _, g := range out.Grants {
		gr := s3m.Grant{Permission: string(g.Permission)}
		if ge := g.Grantee; ge != nil {
			gr.GranteeType = string(ge.Type)
			gr.GranteeID = sdkaws.ToString(ge.ID)
			if gr.GranteeID == "" {
				// AmazonCustomerByEmail grantees have no canonical ID.
				gr.GranteeID = sdkaws.ToString(ge.EmailAddress)
			}
			gr.GranteeURI = sdkaws.ToString(ge.URI)
		}
		acl.Grants = append(acl.Grants, gr)
	}
	sort.SliceStable(acl.Grants, func(i, j int) bool {
		a, b := acl.Grants[i], acl.Grants[j]
		if a.GranteeType != b.GranteeType {
			return a.GranteeType < b.GranteeType
		}
		if a.GranteeID+a.GranteeURI != b.GranteeID+b.GranteeURI {
			return a.GranteeID+a.GranteeURI < b.GranteeID+b.GranteeURI
		}
		return a.Permission < b.Permission
	})
	return core.Known(acl)
}

// ownership is Known("") when the bucket has no ownership controls.
func (r *bucketReader) ownership(ctx context.Context) core.Val[string] {
	out, err := r.client.GetBucketOwnershipControls(ctx, &awss3.GetBucketOwnershipControlsInput{Bucket: sdkaws.String(r.name)})
	switch {
	case aws.ErrorCode(err) == "OwnershipControlsNotFoundError":
		return core.Known("")
	case err == nil && out.OwnershipControls == nil:
		err = errEmptyResponse
	}
	if err != nil {
		return core.Unknown[string](r.unknown("GetBucketOwnershipControls", err))
	}
	for _, rule := range out.OwnershipControls.Rules {
		if rule.ObjectOwnership != "" {
			return core.Known(string(rule.ObjectOwnership))
		}
	}
	return core.Known("")
}

// tags returns the bucket's tags; NoSuchTagSet means none. Tags are not an
// unknown-aware value: a failed read is recorded as a collection error.
func (r *bucketReader) tags(ctx context.Context) map[string]string {
	out, err := r.client.GetBucketTagging(ctx, &awss3.GetBucketTaggingInput{Bucket: sdkaws.String(r.name)})
	if err != nil {
		if aws.ErrorCode(err) != "NoSuchTagSet" {
			r.unknown("GetBucketTagging", err)
		}
		return nil
	}
	if len(out.TagSet) == 0 {
		return nil
	}
	m := make(map[string]string, len(out.TagSet))
	for _, t := range out.TagSet {
		m[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
	}
	return m
}
