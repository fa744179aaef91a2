package checks

import (
	aexposure "github.com/demarc-sec/demarc/internal/analyze/exposure"
	"github.com/demarc-sec/demarc/internal/model/core"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/s3"
)

func s3Rules() []Rule {
	return append([]Rule{
		{
			ID:             "s3-account-public-access-block",
			Title:          "S3 Block Public Access is on at the account level",
			Service:        "s3",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{CIS50: {"2.1.4"}, FSBP: {"S3.1"}},
			Description:    "The account-level setting protects every current and future bucket from public ACLs and policies; all four settings must be on.",
			Remediation: "  aws s3control put-public-access-block --account-id ACCOUNT --public-access-block-configuration \\\n" +
				"      BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true\n" +
				"Terraform: resource \"aws_s3_account_public_access_block\" \"a\" { block_public_acls = true, ignore_public_acls = true,\n" +
				"  block_public_policy = true, restrict_public_buckets = true }",
			Links: []string{"https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html"},
			Check: checkAccountBPA,
		},
		{
			ID:             "s3-bucket-public-access-block",
			Title:          "S3 Block Public Access is on at the bucket level",
			Service:        "s3",
			Severity:       High,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"S3.8"}},
			Description:    "Bucket-level Block Public Access keeps a bucket private even if the account-level setting is later relaxed.",
			Remediation: "  aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration \\\n" +
				"      BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true\n" +
				"Terraform: resource \"aws_s3_bucket_public_access_block\" \"b\" { bucket = aws_s3_bucket.b.id, block_public_acls = true,\n" +
				"  ignore_public_acls = true, block_public_policy = true, restrict_public_buckets = true }",
			Links: []string{"https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-bucket.html"},
			Check: checkBucketBPA,
		},
		{
			ID:             "s3-bucket-no-public-read",
			Title:          "S3 buckets do not allow public read access",
			Service:        "s3",
			Severity:       Critical,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"S3.2"}},
			Description:    "A bucket is publicly readable when its policy or ACL grants read to everyone (AllUsers/AuthenticatedUsers or Principal \"*\") and Block Public Access (IgnorePublicAcls / RestrictPublicBuckets, at bucket or account level) does not neutralize that grant.",
			Remediation: "Remove the public grant and turn on Block Public Access:\n" +
				"  aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration \\\n" +
				"      BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true\n" +
				"  aws s3api put-bucket-acl --bucket BUCKET --acl private\n" +
				"Terraform: resource \"aws_s3_bucket_public_access_block\" \"b\" { bucket = aws_s3_bucket.b.id, block_public_acls = true,\n" +
				"  ignore_public_acls = true, block_public_policy = true, restrict_public_buckets = true }",
			Links: []string{"https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status"},
			Check: checkBucketPublic(false),
		},
		{
			ID:             "s3-bucket-no-public-write",
			Title:          "S3 buckets do not allow public write access",
			Service:        "s3",
			Severity:       Critical,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"S3.3"}},
			Description:    "A bucket is publicly writable when its policy or ACL grants write (or ACL write) to everyone and Block Public Access does not neutralize that grant.",
			Remediation: "Remove the public grant and turn on Block Public Access:\n" +
				"  aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration \\\n" +
				"      BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true\n" +
				"  aws s3api put-bucket-acl --bucket BUCKET --acl private\n" +
				"Terraform: resource \"aws_s3_bucket_public_access_block\" \"b\" { bucket = aws_s3_bucket.b.id, block_public_acls = true,\n" +
				"  ignore_public_acls = true, block_public_policy = true, restrict_public_buckets = true }",
			Links: []string{"https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status"},
			Check: checkBucketPublic(true),
		},
		{
			ID:             "s3-bucket-default-encryption",
			Title:          "S3 buckets have a default encryption configuration",
			Service:        "s3",
			Severity:       Low,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{},
			Description: "Since 5 January 2023 S3 encrypts every new object with SSE-S3 and reports that as the bucket's default encryption, so on AWS " +
				"this normally passes; FSBP retired S3.4 for that reason. A bucket that reports no configuration (older S3-compatible endpoints, or a " +
				"read that returned nothing) is reported so the gap is seen. Objects written before 2023 are not re-encrypted by this default.",
			Remediation: "  aws s3api put-bucket-encryption --bucket BUCKET --server-side-encryption-configuration \\\n" +
				"      '{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\"},\"BucketKeyEnabled\":true}]}'\n" +
				"Terraform: resource \"aws_s3_bucket_server_side_encryption_configuration\" \"b\" { bucket = aws_s3_bucket.b.id\n" +
				"  rule { apply_server_side_encryption_by_default { sse_algorithm = \"aws:kms\" } } }",
			Links: []string{"https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html"},
			Check: checkBucketDefaultEncryption,
		},
		{
			ID:             "s3-bucket-kms-encryption",
			Title:          "S3 buckets are encrypted at rest with AWS KMS keys",
			Service:        "s3",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"S3.17"}},
			Description:    "SSE-KMS (or DSSE-KMS) adds a key policy and CloudTrail-logged key use on top of S3's default SSE-S3 encryption.",
			Remediation: "  aws s3api put-bucket-encryption --bucket BUCKET --server-side-encryption-configuration \\\n" +
				"      '{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\",\"KMSMasterKeyID\":\"KEY_ARN\"},\"BucketKeyEnabled\":true}]}'\n" +
				"Terraform: rule { apply_server_side_encryption_by_default { sse_algorithm = \"aws:kms\", kms_master_key_id = aws_kms_key.k.arn } }",
			Links: []string{"https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html"},
			Check: checkBucketKMSEncryption,
		},
		{
			ID:             "s3-bucket-versioning",
			Title:          "S3 buckets have versioning enabled",
			Service:        "s3",
			Severity:       Low,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{FSBP: {"S3.14"}},
			Description:    "Versioning lets you recover objects that were overwritten or deleted by mistake or by ransomware.",
			Remediation: "  aws s3api put-bucket-versioning --bucket BUCKET --versioning-configuration Status=Enabled\n" +
				"Terraform: resource \"aws_s3_bucket_versioning\" \"b\" { bucket = aws_s3_bucket.b.id\n  versioning_configuration { status = \"Enabled\" } }",
			Links: []string{"https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html"},
			Check: checkBucketVersioning,
		},
		{
			ID:             "s3-bucket-mfa-delete",
			Title:          "S3 buckets have MFA delete enabled",
			Service:        "s3",
			Severity:       Low,
			Responsibility: LayerResilience,
			Frameworks:     map[string][]string{CIS50: {"2.1.2"}, FSBP: {"S3.20"}},
			Description:    "MFA delete requires the root user's MFA to change versioning state or permanently delete a version. It needs versioning.",
			Remediation: "As the root user with its MFA device:\n" +
				"  aws s3api put-bucket-versioning --bucket BUCKET --versioning-configuration Status=Enabled,MFADelete=Enabled \\\n" +
				"      --mfa \"arn:aws:iam::ACCOUNT:mfa/root-account-mfa-device 123456\"\n" +
				"Terraform: versioning_configuration { status = \"Enabled\", mfa_delete = \"Enabled\" } with mfa = \"SERIAL CODE\" on aws_s3_bucket_versioning.",
			Links: []string{"https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiFactorAuthenticationDelete.html"},
			Check: checkBucketMFADelete,
		},
		{
			ID:             "s3-bucket-deny-insecure-transport",
			Title:          "S3 bucket policies deny requests not using TLS",
			Service:        "s3",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{CIS50: {"2.1.1"}, FSBP: {"S3.5"}},
			Description:    "The bucket policy must deny s3:* for every principal on the bucket and its objects when aws:SecureTransport is false.",
			Remediation: "Add this statement to the bucket policy:\n" +
				"  {\"Sid\":\"DenyInsecureTransport\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\n" +
				"   \"Resource\":[\"arn:aws:s3:::BUCKET\",\"arn:aws:s3:::BUCKET/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}\n" +
				"  aws s3api put-bucket-policy --bucket BUCKET --policy file://policy.json\n" +
				"Terraform: statement { effect = \"Deny\" actions = [\"s3:*\"] principals { type = \"*\" identifiers = [\"*\"] }\n" +
				"  condition { test = \"Bool\" variable = \"aws:SecureTransport\" values = [\"false\"] } }",
			Links: []string{"https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html#transit"},
			Check: checkBucketDenyHTTP,
		},
		{
			ID:             "s3-bucket-access-logging",
			Title:          "S3 buckets have server access logging enabled",
			Service:        "s3",
			Severity:       Medium,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{FSBP: {"S3.9"}},
			Description:    "Server access logs record every request to a bucket, for audits and incident response.",
			Remediation: "  aws s3api put-bucket-logging --bucket BUCKET --bucket-logging-status \\\n" +
				"      '{\"LoggingEnabled\":{\"TargetBucket\":\"LOG_BUCKET\",\"TargetPrefix\":\"BUCKET/\"}}'\n" +
				"Terraform: resource \"aws_s3_bucket_logging\" \"b\" { bucket = aws_s3_bucket.b.id, target_bucket = aws_s3_bucket.logs.id, target_prefix = \"b/\" }",
			Links: []string{"https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html"},
			Check: checkBucketLogging,
		},
		{
			ID:             "s3-bucket-acls-disabled",
			Title:          "S3 ACLs are not used to manage access to buckets",
			Service:        "s3",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"S3.12"}},
			Description:    "ACLs are a legacy mechanism; with Object Ownership set to BucketOwnerEnforced they are disabled and only policies decide access. A bucket whose ACL grants nothing beyond its owner passes too.",
			Remediation: "  aws s3api put-bucket-ownership-controls --bucket BUCKET --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'\n" +
				"Terraform: resource \"aws_s3_bucket_ownership_controls\" \"b\" { bucket = aws_s3_bucket.b.id\n  rule { object_ownership = \"BucketOwnerEnforced\" } }",
			Links: []string{"https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html"},
			Check: checkBucketACLsDisabled,
		},
	}, s3FSBPRules()...)
}

func bucketARN(s *model.Snapshot, b s3.Bucket) string {
	return orARN(b.ARN, s.ARNPrefix()+":s3:::"+b.Name)
}

func bucketRegion(b s3.Bucket) string { return regionOr(b.Meta, globalRegion) }

// eachBucket applies fn to every bucket, or reports the bucket list unknown.
func eachBucket(s *model.Snapshot, fn func(b s3.Bucket, arn, region string) Result) []Result {
	buckets, unk := knownList(s.S3.Buckets, s.ARNPrefix()+":s3:::*", globalRegion, "S3 bucket list")
	if unk != nil {
		return unk
	}
	out := make([]Result, 0, len(buckets))
	for _, b := range buckets {
		out = append(out, fn(b, bucketARN(s, b), bucketRegion(b)))
	}
	return out
}

func bpaMissing(p *s3.PublicAccessBlock) []string {
	if p == nil {
		return []string{"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"}
	}
	var off []string
	if !p.BlockPublicAcls {
		off = append(off, "BlockPublicAcls")
	}
	if !p.IgnorePublicAcls {
		off = append(off, "IgnorePublicAcls")
	}
	if !p.BlockPublicPolicy {
		off = append(off, "BlockPublicPolicy")
	}
	if !p.RestrictPublicBuckets {
		off = append(off, "RestrictPublicBuckets")
	}
	return off
}

func checkAccountBPA(s *model.Snapshot) []Result {
	arn := accountARN(s)
	p, ok := s.S3.AccountPublicAccessBlock.Get()
	switch {
	case !ok:
		return []Result{UnknownR(arn, globalRegion, "account Block Public Access unreadable: %s", s.S3.AccountPublicAccessBlock.Why())}
	case p == nil:
		return []Result{FailR(arn, globalRegion, "account-level Block Public Access is not configured")}
	case !p.All():
		return []Result{FailR(arn, globalRegion, "account-level Block Public Access is off for: %s", strings.Join(bpaMissing(p), ", "))}
	}
	return []Result{PassR(arn, globalRegion, "all four account-level Block Public Access settings are on")}
}

func checkBucketBPA(s *model.Snapshot) []Result {
	return eachBucket(s, func(b s3.Bucket, arn, region string) Result {
		p, ok := b.PublicAccessBlock.Get()
		switch {
		case !ok:
			return UnknownR(arn, region, "bucket %s Block Public Access unreadable: %s", b.Name, b.PublicAccessBlock.Why())
		case p == nil:
			return FailR(arn, region, "bucket %s has no bucket-level Block Public Access configuration", b.Name)
		case !p.All():
			return FailR(arn, region, "bucket %s Block Public Access is off for: %s", b.Name, strings.Join(bpaMissing(p), ", "))
		}
		return PassR(arn, region, "bucket %s has all four Block Public Access settings on", b.Name)
	})
}

// bpaFlag answers "is this Block Public Access flag on at bucket or account
// level?", naming where it is on.
func bpaFlag(s *model.Snapshot, b s3.Bucket, name string, get func(*s3.PublicAccessBlock) bool) (tri, string) {
	bucket := triUnknown("bucket Block Public Access unreadable: " + b.PublicAccessBlock.Why())
	if p, ok := b.PublicAccessBlock.Get(); ok {
		bucket = triKnown(p != nil && get(p))
	}
	acct := triUnknown("account Block Public Access unreadable: " + s.S3.AccountPublicAccessBlock.Why())
	if p, ok := s.S3.AccountPublicAccessBlock.Get(); ok {
		acct = triKnown(p != nil && get(p))
	}
	switch {
	case bucket.known && bucket.v:
		return bucket, name + " (bucket level)"
	case acct.known && acct.v:
		return acct, name + " (account level)"
	}
	return bucket.or(acct), ""
}

// Representative S3 actions for classifying a public policy grant as read
// or write. A wildcard action matches if it covers any of them.
var (
	s3ReadActions  = []string{"s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:ListBucketVersions", "s3:GetObjectAcl", "s3:GetBucketAcl"}
	s3WriteActions = []string{"s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectAcl", "s3:PutBucketAcl",
		"s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:DeleteBucket", "s3:RestoreObject"}
)

func actionsCover(patterns, actions []string) bool {
	for _, p := range patterns {
		for _, a := range actions {
			if wildcardMatch(p, a) {
				return true
			}
		}
	}
	return false
}

// exposure is what a bucket's policy and ACL grant to the public, before
// and after Block Public Access.
type exposure struct {
	aclRead, aclWrite tri
	aclWho            string // which public grants, for messages
	polPublic         tri
	polRead, polWrite tri
	ignoreACLs        tri
	ignoreWhere       string
	restrict          tri
	restrictWhere     string
}

func bucketExposure(s *model.Snapshot, b s3.Bucket) exposure {
	var e exposure
	if acl, ok := b.ACL.Get(); ok {
		read, write := false, false
		var who []string
		for _, g := range acl.Grants {
			if g.GranteeURI != s3.AllUsersURI && g.GranteeURI != s3.AuthenticatedUsersURI {
				continue
			}
			group := "AllUsers"
			if g.GranteeURI == s3.AuthenticatedUsersURI {
				group = "AuthenticatedUsers"
			}
			who = append(who, group+" "+g.Permission)
			switch g.Permission {
			case "READ", "READ_ACP":
				read = true
			case "WRITE", "WRITE_ACP":
				// WRITE_ACP lets anyone grant themselves write.
				write = true
			default: // FULL_CONTROL and anything unrecognised
				read, write = true, true
			}
		}
		e.aclRead, e.aclWrite, e.aclWho = triKnown(read), triKnown(write), strings.Join(who, ", ")
	} else {
		e.aclRead = triUnknown("bucket ACL unreadable: " + b.ACL.Why())
		e.aclWrite = e.aclRead
	}

	policy, policyOK := b.Policy.Get()
	switch pub, ok := b.PolicyStatusPublic.Get(); {
	case ok:
		e.polPublic = triKnown(pub)
	case policyOK && policy == "":
		e.polPublic = triKnown(false)
	case policyOK && !hasPublicAllow(policy):
		// Without AWS's verdict, a policy with no Allow to "*" (and no
		// NotPrincipal) cannot be public.
		e.polPublic = triKnown(false)
	case policyOK:
		// Without AWS's verdict (GetBucketPolicyStatus denied or not
		// implemented), decide with demarc's own reading of the
		// documented "meaning of public" (internal/analyze/exposure).
		if pub, ok := policyPublicByAnalysis(s, b); ok {
			e.polPublic = triKnown(pub)
		} else {
			e.polPublic = triUnknown("bucket policy status unreadable: " + b.PolicyStatusPublic.Why())
		}
	default:
		e.polPublic = triUnknown("bucket policy status unreadable: " + b.PolicyStatusPublic.Why())
	}
	e.polRead, e.polWrite = e.polPublic, e.polPublic
	if e.polPublic.known && e.polPublic.v {
		// AWS says public; classify read/write from the statements. If the
		// policy is unreadable or the public statement cannot be found,
		// assume both (never under-report).
		r, w, ok := classifyPublicPolicy(policy, policyOK)
		if ok {
			e.polRead, e.polWrite = triKnown(r), triKnown(w)
		}
	}
	e.ignoreACLs, e.ignoreWhere = bpaFlag(s, b, "IgnorePublicAcls", func(p *s3.PublicAccessBlock) bool { return p.IgnorePublicAcls })
	e.restrict, e.restrictWhere = bpaFlag(s, b, "RestrictPublicBuckets", func(p *s3.PublicAccessBlock) bool { return p.RestrictPublicBuckets })
	return e
}

func publicStatement(st policyStatement) bool {
	return st.allow() && (st.Principal.Wildcard || st.HasNotPrincipal)
}

func hasPublicAllow(policy string) bool {
	pd, err := parsePolicy(policy)
	if err != nil {
		return true // unparseable: cannot rule it out
	}
	for _, st := range pd.Statements {
		if publicStatement(st) {
			return true
		}
	}
	return false
}

func classifyPublicPolicy(policy string, policyOK bool) (read, write, ok bool) {
	if !policyOK || policy == "" {
		return false, false, false
	}
	pd, err := parsePolicy(policy)
	if err != nil {
		return false, false, false
	}
	found := false
	for _, st := range pd.Statements {
		if !publicStatement(st) {
			continue
		}
		found = true
		if st.HasNotAction {
			read, write = true, true
			continue
		}
		read = read || actionsCover(st.Action, s3ReadActions)
		write = write || actionsCover(st.Action, s3WriteActions)
	}
	if !found {
		return false, false, false
	}
	return read, write, true
}

func checkBucketPublic(write bool) func(*model.Snapshot) []Result {
	verb := "read"
	if write {
		verb = "write"
	}
	return func(s *model.Snapshot) []Result {
		return eachBucket(s, func(b s3.Bucket, arn, region string) Result {
			e := bucketExposure(s, b)
			acl, pol := e.aclRead, e.polRead
			if write {
				acl, pol = e.aclWrite, e.polWrite
			}
			viaACL := acl.and(e.ignoreACLs.not())
			viaPolicy := pol.and(e.restrict.not())
			var reasons, notes []string
			if viaACL.known && viaACL.v {
				reasons = append(reasons, "its ACL grants "+e.aclWho)
			}
			if viaPolicy.known && viaPolicy.v {
				reasons = append(reasons, "its bucket policy grants public "+verb+" (S3 reports the policy public)")
			}
			if len(reasons) > 0 {
				return FailR(arn, region, "bucket %s is publicly %sable: %s", b.Name, verbable(verb), strings.Join(reasons, "; "))
			}
			if acl.known && acl.v {
				notes = append(notes, "its ACL grants "+e.aclWho+" but "+e.ignoreWhere+" neutralizes public ACLs")
			}
			if pol.known && pol.v {
				notes = append(notes, "its bucket policy is public but "+e.restrictWhere+" limits access to AWS services and this account's principals")
			}
			if u := viaACL.or(viaPolicy); !u.known {
				var why []string
				for _, t := range []tri{acl, pol, e.ignoreACLs, e.restrict} {
					if !t.known {
						why = append(why, t.why)
					}
				}
				return UnknownR(arn, region, "bucket %s: cannot tell whether it is publicly %sable: %s", b.Name, verbable(verb), strings.Join(uniq(why), "; "))
			}
			if len(notes) > 0 {
				return PassR(arn, region, "bucket %s is not publicly %sable: %s", b.Name, verbable(verb), strings.Join(notes, "; "))
			}
			return PassR(arn, region, "bucket %s grants no public %s through its policy or ACL", b.Name, verb)
		})
	}
}

// verbable: "read" → "read", "write" → "writ" so "…able" reads naturally.
func verbable(v string) string {
	if v == "write" {
		return "writ"
	}
	return v
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range in {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func describeEncryption(e *s3.Encryption) string {
	var algs []string
	for _, r := range e.Rules {
		a := r.SSEAlgorithm
		switch a {
		case "AES256":
			a = "SSE-S3 (AES256)"
		case "aws:kms":
			a = "SSE-KMS"
		case "aws:kms:dsse":
			a = "DSSE-KMS"
		}
		if r.KMSMasterKeyID != "" {
			a += " with key " + r.KMSMasterKeyID
		}
		algs = append(algs, a)
	}
	return strings.Join(algs, ", ")
}

func checkBucketDefaultEncryption(s *model.Snapshot) []Result {
	return eachBucket(s, func(b s3.Bucket, arn, region string) Result {
		e, ok := b.Encryption.Get()
		switch {
		case !ok:
			return UnknownR(arn, region, "bucket %s encryption unreadable: %s", b.Name, b.Encryption.Why())
		case e == nil || len(e.Rules) == 0:
			return FailR(arn, region, "bucket %s reports no default encryption configuration (S3 on AWS applies SSE-S3 to new objects "+
				"since January 2023, but this endpoint did not confirm it and older objects may be unencrypted)", b.Name)
		}
		return PassR(arn, region, "bucket %s default encryption: %s", b.Name, describeEncryption(e))
	})
}

func checkBucketKMSEncryption(s *model.Snapshot) []Result {
	return eachBucket(s, func(b s3.Bucket, arn, region string) Result {
		e, ok := b.Encryption.Get()
		if !ok {
			return UnknownR(arn, region, "bucket %s encryption unreadable: %s", b.Name, b.Encryption.Why())
		}
		if e != nil {
			for _, r := range e.Rules {
				if r.SSEAlgorithm == "aws:kms" || r.SSEAlgorithm == "aws:kms:dsse" {
					return PassR(arn, region, "bucket %s default encryption: %s", b.Name, describeEncryption(e))
				}
			}
		}
		if e == nil || len(e.Rules) == 0 {
			return FailR(arn, region, "bucket %s has no KMS default encryption (no configuration reported)", b.Name)
		}
		return FailR(arn, region, "bucket %s default encryption is %s, not an AWS KMS key", b.Name, describeEncryption(e))
	})
}

func checkBucketVersioning(s *model.Snapshot) []Result {
	return eachBucket(s, func(b s3.Bucket, arn, region string) Result {
		v, ok := b.Versioning.Get()
		switch {
		case !ok:
			return UnknownR(arn, region, "bucket %s versioning unreadable: %s", b.Name, b.Versioning.Why())
		case v.Status == "Enabled":
			return PassR(arn, region, "bucket %s has versioning enabled", b.Name)
		case v.Status == "Suspended":
			return FailR(arn, region, "bucket %s has versioning suspended", b.Name)
		}
		return FailR(arn, region, "bucket %s has never had versioning enabled", b.Name)
	})
}

func checkBucketMFADelete(s *model.Snapshot) []Result {
	return eachBucket(s, func(b s3.Bucket, arn, region string) Result {
		v, ok := b.Versioning.Get()
		switch {
		case !ok:
			return UnknownR(arn, region, "bucket %s versioning unreadable: %s", b.Name, b.Versioning.Why())
		case v.MFADelete == "Enabled" && v.Status == "Enabled":
			return PassR(arn, region, "bucket %s has versioning with MFA delete", b.Name)
		case v.Status != "Enabled":
			return FailR(arn, region, "bucket %s has no MFA delete (versioning is %s, and MFA delete requires it)", b.Name, orStr(v.Status, "off"))
		}
		return FailR(arn, region, "bucket %s has versioning but MFA delete is %s", b.Name, orStr(v.MFADelete, "off"))
	})
}

func orStr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// denyInsecureTransport reports whether a statement denies every S3 action
// to everyone on both the bucket and its objects when the request is not
// over TLS. Statements narrowed by extra conditions or negated elements do
// not count: they leave some plaintext requests allowed.
func denyInsecureTransport(st policyStatement, bucketARN string) bool {
	if !st.deny() || !st.Principal.Wildcard || st.HasNotPrincipal || st.HasNotAction || st.HasNotResource {
		return false
	}
	allS3 := false
	for _, a := range st.Action {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == "*" || a == "s3:*" {
			allS3 = true
		}
	}
	if !allS3 {
		return false
	}
	coversBucket, coversObjects := false, false
	for _, r := range st.Resource {
		if globMatch(r, bucketARN) {
			coversBucket = true
		}
		// Every object: the pattern must match any key, so test one with a
		// '*'-free name and require the pattern to end in '*' after "/".
		if globMatch(r, bucketARN+"/any/key") && (r == "*" || strings.HasSuffix(r, "*")) {
			coversObjects = true
		}
	}
	if !coversBucket || !coversObjects {
		return false
	}
	if len(st.Condition) != 1 {
		return false
	}
	for op, keys := range st.Condition {
		if !strings.EqualFold(op, "Bool") && !strings.EqualFold(op, "BoolIfExists") {
			return false
		}
		if len(keys) != 1 {
			return false
		}
		for k, vals := range keys {
			if !strings.EqualFold(k, "aws:SecureTransport") {
				return false
			}
			for _, v := range vals {
				if strings.EqualFold(v, "false") {
					return true
				}
			}
		}
	}
	return false
}

func checkBucketDenyHTTP(s *model.Snapshot) []Result {
	return eachBucket(s, func(b s3.Bucket, arn, region string) Result {
		policy, ok := b.Policy.Get()
		switch {
		case !ok:
			return UnknownR(arn, region, "bucket %s policy unreadable: %s", b.Name, b.Policy.Why())
		case policy == "":
			return FailR(arn, region, "bucket %s has no bucket policy, so plain-HTTP requests are not denied", b.Name)
		}
		pd, err := parsePolicy(policy)
		if err != nil {
			return UnknownR(arn, region, "bucket %s: %v", b.Name, err)
		}
		for _, st := range pd.Statements {
			if denyInsecureTransport(st, arn) {
				return PassR(arn, region, "bucket %s policy denies s3:* when aws:SecureTransport is false", b.Name)
			}
		}
		return FailR(arn, region, "bucket %s policy has no statement denying s3:* to everyone on the bucket and its objects when aws:SecureTransport is false", b.Name)
	})
}

func checkBucketLogging(s *model.Snapshot) []Result {
	return eachBucket(s, func(b s3.Bucket, arn, region string) Result {
		l, ok := b.Logging.Get()
		switch {
		case !ok:
			return UnknownR(arn, region, "bucket %s logging unreadable: %s", b.Name, b.Logging.Why())
		case l == nil || l.TargetBucket == "":
			return FailR(arn, region, "bucket %s has server access logging off", b.Name)
		}
		return PassR(arn, region, "bucket %s logs to s3://%s/%s", b.Name, l.TargetBucket, l.TargetPrefix)
	})
}

func checkBucketACLsDisabled(s *model.Snapshot) []Result {
	return eachBucket(s, func(b s3.Bucket, arn, region string) Result {
		own, ownOK := b.ObjectOwnership.Get()
		if ownOK && own == "BucketOwnerEnforced" {
			return PassR(arn, region, "bucket %s has ACLs disabled (BucketOwnerEnforced)", b.Name)
		}
		acl, ok := b.ACL.Get()
		if !ok {
			return UnknownR(arn, region, "bucket %s: ACL unreadable (%s) and ownership %s", b.Name, b.ACL.Why(), ownershipText(b))
		}
		var others []string
		for _, g := range acl.Grants {
			if g.GranteeType == "CanonicalUser" && acl.OwnerID != "" && g.GranteeID == acl.OwnerID {
				continue
			}
			who := g.GranteeID
			if g.GranteeURI != "" {
				who = g.GranteeURI[strings.LastIndex(g.GranteeURI, "/")+1:]
			}
			others = append(others, who+" "+g.Permission)
		}
		if len(others) > 0 {
			return FailR(arn, region, "bucket %s uses its ACL to grant access (%s); ownership %s", b.Name, strings.Join(others, ", "), ownershipText(b))
		}
		return PassR(arn, region, "bucket %s ACL grants access only to its owner (ownership %s; set BucketOwnerEnforced to disable ACLs entirely)", b.Name, ownershipText(b))
	})
}

func ownershipText(b s3.Bucket) string {
	own, ok := b.ObjectOwnership.Get()
	switch {
	case !ok:
		return "unknown (" + b.ObjectOwnership.Why() + ")"
	case own == "":
		return "not set (ACLs enabled)"
	}
	return own
}

// policyPublicByAnalysis applies S3's documented definition of a public
// bucket policy (fixed-value conditions on the listed keys make a wildcard
// principal non-public) through the exposure analyzer, before Block Public
// Access is considered (the rules apply BPA themselves).
func policyPublicByAnalysis(s *model.Snapshot, b s3.Bucket) (public, ok bool) {
	one := model.New(s.AccountID, s.Partition, s.Regions)
	one.Organizations = s.Organizations
	one.S3.AccountPublicAccessBlock = core.Known[*s3.PublicAccessBlock](nil)
	bb := b
	bb.PublicAccessBlock = core.Known[*s3.PublicAccessBlock](nil)
	bb.ACL = core.Known(s3.ACL{})
	one.S3.Buckets = core.Known([]s3.Bucket{bb})
	rep := aexposure.AnalyzeKinds(one, aexposure.S3Bucket)
	for _, f := range rep.Findings {
		if len(f.Public()) > 0 {
			return true, true
		}
		for _, u := range f.Unknown {
			if strings.Contains(u, "policy") {
				return false, false
			}
		}
	}
	return false, true
}
