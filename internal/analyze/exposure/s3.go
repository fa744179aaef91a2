package exposure

import (
	"fmt"
	"strings"

	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/s3"
)

// LogDeliveryURI is the S3 log delivery group: an AWS service, not exposure.
const LogDeliveryURI = "http://acs.amazonaws.com/groups/s3/LogDelivery"

// bpaFlag is one Block Public Access setting in force for a bucket: on when
// the bucket or the account sets it (S3 applies the most restrictive
// combination), unknown when neither says on and one could not be read.
type bpaFlag struct {
	on, known bool
	where     string
	why       string
}

func bucketBPA(acct core.Val[*s3.PublicAccessBlock], bucket core.Val[*s3.PublicAccessBlock], name string, get func(*s3.PublicAccessBlock) bool) bpaFlag {
	bp, bok := bucket.Get()
	ap, aok := acct.Get()
	switch {
	case bok && bp != nil && get(bp):
		return bpaFlag{on: true, known: true, where: "bucket-level " + name}
	case aok && ap != nil && get(ap):
		return bpaFlag{on: true, known: true, where: "account-level " + name}
	case bok && aok:
		return bpaFlag{known: true}
	}
	var why []string
	if !bok {
		why = append(why, "bucket Block Public Access unreadable: "+bucket.Why())
	}
	if !aok {
		why = append(why, "account Block Public Access unreadable: "+acct.Why())
	}
	return bpaFlag{why: strings.Join(why, "; ")}
}

// aclPermissions maps ACL permissions to the S3 actions they stand for
// (acl-overview.html#permissions).
var aclPermissions = map[string]string{
	"READ":         "READ (list objects)",
	"WRITE":        "WRITE (create, overwrite and delete objects)",
	"READ_ACP":     "READ_ACP (read the bucket ACL)",
	"WRITE_ACP":    "WRITE_ACP (change the bucket ACL)",
	"FULL_CONTROL": "FULL_CONTROL",
}

func (a *analyzer) buckets() {
	s := a.s
	bs, ok := s.S3.Buckets.Get()
	if !ok {
		a.gap(S3Bucket, core.GlobalRegion, "arn:"+a.partition+":s3:::*", "S3 buckets not collected: %s", s.S3.Buckets.Why())
		return
	}
	for _, b := range bs {
		owner := b.Account
		if owner == "" {
			owner = a.acct
		}
		arn := b.ARN
		if arn == "" {
			arn = "arn:" + a.partition + ":s3:::" + b.Name
		}
		f := Finding{Kind: S3Bucket, ARN: arn, Region: b.Region, Account: owner, Name: b.Name}
		if f.Region == "" {
			f.Region = core.GlobalRegion
		}
		ignore := bucketBPA(s.S3.AccountPublicAccessBlock, b.PublicAccessBlock, "IgnorePublicAcls", func(p *s3.PublicAccessBlock) bool { return p.IgnorePublicAcls })
		restrict := bucketBPA(s.S3.AccountPublicAccessBlock, b.PublicAccessBlock, "RestrictPublicBuckets", func(p *s3.PublicAccessBlock) bool { return p.RestrictPublicBuckets })

		// Bucket policy.
		policy, pok := b.Policy.Get()
		if !pok {
			f.Unknown = append(f.Unknown, "bucket policy not collected: "+b.Policy.Why())
		}
		before := len(f.Grants)
		a.policyGrants(&f, S3Bucket, policyInput{what: "bucket policy", text: policy, owner: owner, services: []string{"s3"},
			resources: bucketResources(arn, policy)})
		policyPublic := false
		for _, g := range f.Grants[before:] {
			policyPublic = policyPublic || g.Scope == ScopePublic
		}
		if st, ok := b.PolicyStatusPublic.Get(); ok && st && !policyPublic {
			// AWS's own verdict (GetBucketPolicyStatus) wins when it is
			// stricter than demarc's reading.
			f.Grants = append(f.Grants, Grant{Scope: ScopePublic, Principal: "*", Via: "bucket policy (AWS policy status: public)"})
			policyPublic = true
		} else if ok && !st && policyPublic {
			f.Notes = append(f.Notes, "AWS's policy status says the bucket policy is not public; demarc's reading of the policy says it is")
		}
		// RestrictPublicBuckets: with a public policy, only AWS service
		// principals and principals of the owner's account keep access; it
		// blocks the policy's public and cross-account grants alike.
		if policyPublic {
			for i := before; i < len(f.Grants); i++ {
				g := &f.Grants[i]
				if g.Scope == ScopeService {
					continue
				}
				switch {
				case restrict.on:
					g.Blocked, g.BlockedBy = true, restrict.where
				case !restrict.known:
					g.BlockUnknown = true
				}
			}
			if !restrict.known && !restrict.on {
				f.Unknown = append(f.Unknown, "the bucket policy is public and whether RestrictPublicBuckets blocks it is unknown: "+restrict.why)
			}
		}

		// ACL.
		a.bucketACL(&f, b, ignore)
		f.Notes = append(f.Notes, "object ACLs and access points are not collected")
		a.findings = append(a.findings, f)
	}
}

// bucketResources are the resources the engine is asked about: the bucket,
// all its objects, and the bucket's resources a policy names.
func bucketResources(arn, policy string) []string {
	out := []string{arn, arn + "/*"}
	seen := map[string]bool{arn: true, arn + "/*": true}
	if !strings.Contains(policy, arn) {
		return out
	}
	for _, piece := range strings.Split(policy, `"`) {
		if strings.HasPrefix(piece, arn+"/") && !seen[piece] {
			seen[piece] = true
			out = append(out, piece)
		}
	}
	return out
}

// bucketACL reports the ACL's grants to the public groups (public) and to
// other canonical users (cross-account, account unidentified). With
// Object Ownership "bucket owner enforced", ACLs are disabled.
func (a *analyzer) bucketACL(f *Finding, b s3.Bucket, ignore bpaFlag) {
	own, ook := b.ObjectOwnership.Get()
	if ook && own == "BucketOwnerEnforced" {
		f.Notes = append(f.Notes, "ACLs are disabled (Object Ownership: bucket owner enforced)")
		return
	}
	acl, ok := b.ACL.Get()
	if !ok {
		f.Unknown = append(f.Unknown, "bucket ACL not collected: "+b.ACL.Why())
		return
	}
	for _, gr := range acl.Grants {
		perm := aclPermissions[gr.Permission]
		if perm == "" {
			perm = gr.Permission
		}
		switch {
		case gr.GranteeURI == s3.AllUsersURI || gr.GranteeURI == s3.AuthenticatedUsersURI:
			who := "AllUsers (anyone)"
			if gr.GranteeURI == s3.AuthenticatedUsersURI {
				who = "AuthenticatedUsers (any AWS account)"
			}
			g := Grant{Scope: ScopePublic, Principal: who, Via: "bucket ACL", Actions: []string{perm}}
			switch {
			case ignore.on:
				g.Blocked, g.BlockedBy = true, ignore.where
			case !ignore.known:
				g.BlockUnknown = true
				f.Unknown = append(f.Unknown, "the bucket ACL is public and whether IgnorePublicAcls blocks it is unknown: "+ignore.why)
			}
			f.Grants = append(f.Grants, g)
		case gr.GranteeURI == LogDeliveryURI:
			f.Grants = append(f.Grants, Grant{Scope: ScopeService, Principal: "S3 log delivery group", Via: "bucket ACL", Actions: []string{perm}})
		case gr.GranteeType == "CanonicalUser" && gr.GranteeID != "" && gr.GranteeID != acl.OwnerID:
			f.Grants = append(f.Grants, Grant{Scope: ScopeUnidentified, Principal: "canonical user " + gr.GranteeID, Via: "bucket ACL", Actions: []string{perm}})
		case gr.GranteeType == "AmazonCustomerByEmail":
			f.Grants = append(f.Grants, Grant{Scope: ScopeUnidentified, Principal: fmt.Sprintf("account by e-mail %s", gr.GranteeID), Via: "bucket ACL", Actions: []string{perm}})
		}
	}
}
