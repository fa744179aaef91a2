package exposure

import (
	"strings"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// regionNames are the regions to answer for: the collected regions plus any
// region a service's data names.
func (a *analyzer) regionNames(extra ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range append(append([]string(nil), a.s.Regions...), extra...) {
		if r != "" && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// regional runs fn for every region with data, and records a gap for every
// region without it.
func regional[R any](a *analyzer, kind Kind, service, wildcard string, regions []R, name func(*R) string, fn func(region string, r *R)) {
	var names []string
	byName := map[string]*R{}
	for i := range regions {
		n := name(&regions[i])
		names = append(names, n)
		byName[n] = &regions[i]
	}
	for _, rn := range a.regionNames(names...) {
		r := byName[rn]
		if r == nil {
			a.gap(kind, rn, a.regionalARN(service, rn, wildcard), "%s not collected in region %s", service, rn)
			continue
		}
		fn(rn, r)
	}
}

func (a *analyzer) owner(acct string) string {
	if acct != "" {
		return acct
	}
	return a.acct
}

func orRegion(r, fallback string) string {
	if r != "" {
		return r
	}
	return fallback
}

// policyFinding analyzes one resource policy held as a Val.
func (a *analyzer) policyFinding(kind Kind, arn, region, account, name string, text core.Val[string], in policyInput) Finding {
	f := Finding{Kind: kind, ARN: arn, Region: region, Account: a.owner(account), Name: name}
	doc, ok := text.Get()
	if !ok {
		f.Unknown = append(f.Unknown, in.what+" not collected: "+text.Why())
		return f
	}
	in.text, in.owner = doc, f.Account
	if len(in.resources) == 0 {
		in.resources = []string{arn}
	}
	a.policyGrants(&f, kind, in)
	return f
}

func (a *analyzer) keys() {
	regional(a, KMSKey, "kms", "key/*", a.s.KMS, func(r *kmsRegion) string { return r.Name }, func(rn string, r *kmsRegion) {
		keys, ok := r.Keys.Get()
		if !ok {
			a.gap(KMSKey, rn, a.regionalARN("kms", rn, "key/*"), "KMS keys not collected in %s: %s", rn, r.Keys.Why())
			return
		}
		for _, k := range keys {
			f := a.policyFinding(KMSKey, k.ARN, orRegion(k.Region, rn), k.Account, k.ID, k.Policy,
				policyInput{what: "key policy", services: []string{"kms"}})
			f.Notes = append(f.Notes, "KMS grants (CreateGrant) are not collected")
			a.findings = append(a.findings, f)
		}
	})
}

func (a *analyzer) queues() {
	regional(a, SQSQueue, "sqs", "*", a.s.SQS, func(r *sqsRegion) string { return r.Name }, func(rn string, r *sqsRegion) {
		qs, ok := r.Queues.Get()
		if !ok {
			a.gap(SQSQueue, rn, a.regionalARN("sqs", rn, "*"), "SQS queues not collected in %s: %s", rn, r.Queues.Why())
			return
		}
		for _, q := range qs {
			text := core.Unknown[string](q.Attributes.Why())
			if at, ok := q.Attributes.Get(); ok {
				text = core.Known(at.Policy)
			}
			a.findings = append(a.findings, a.policyFinding(SQSQueue, q.ARN, orRegion(q.Region, rn), q.Account, q.Name, text,
				policyInput{what: "queue policy", services: []string{"sqs"}}))
		}
	})
}

func (a *analyzer) topics() {
	regional(a, SNSTopic, "sns", "*", a.s.SNS, func(r *snsRegion) string { return r.Name }, func(rn string, r *snsRegion) {
		ts, ok := r.Topics.Get()
		if !ok {
			a.gap(SNSTopic, rn, a.regionalARN("sns", rn, "*"), "SNS topics not collected in %s: %s", rn, r.Topics.Why())
			return
		}
		for _, t := range ts {
			text := core.Unknown[string](t.Attributes.Why())
			if at, ok := t.Attributes.Get(); ok {
				text = core.Known(at.Policy)
			}
			a.findings = append(a.findings, a.policyFinding(SNSTopic, t.ARN, orRegion(t.Region, rn), t.Account, t.Name, text,
				policyInput{what: "topic policy", services: []string{"sns"}}))
		}
	})
}

func (a *analyzer) functions() {
	regional(a, LambdaFunction, "lambda", "function:*", a.s.Lambda, func(r *lambdaRegion) string { return r.Name }, func(rn string, r *lambdaRegion) {
		fs, ok := r.Functions.Get()
		if !ok {
			a.gap(LambdaFunction, rn, a.regionalARN("lambda", rn, "function:*"), "Lambda functions not collected in %s: %s", rn, r.Functions.Why())
			return
		}
		for _, fn := range fs {
			f := a.policyFinding(LambdaFunction, fn.ARN, orRegion(fn.Region, rn), fn.Account, fn.Name, fn.Policy,
				policyInput{what: "function policy", services: []string{"lambda"}, resources: []string{fn.ARN, fn.ARN + ":*"}})
			if urls, ok := fn.URLs.Get(); ok {
				for _, u := range urls {
					if strings.EqualFold(u.AuthType, "NONE") {
						f.Notes = append(f.Notes, "function URL "+u.URL+" has AuthType NONE: the function policy alone decides who may invoke it over HTTPS")
					}
				}
			}
			a.findings = append(a.findings, f)
		}
	})
}

func (a *analyzer) repositories() {
	regional(a, ECRRepository, "ecr", "repository/*", a.s.ECR, func(r *ecrRegion) string { return r.Name }, func(rn string, r *ecrRegion) {
		rs, ok := r.Repositories.Get()
		if !ok {
			a.gap(ECRRepository, rn, a.regionalARN("ecr", rn, "repository/*"), "ECR repositories not collected in %s: %s", rn, r.Repositories.Why())
			return
		}
		for _, rp := range rs {
			a.findings = append(a.findings, a.policyFinding(ECRRepository, rp.ARN, orRegion(rp.Region, rn), rp.Account, rp.Name, rp.Policy,
				policyInput{what: "repository policy", services: []string{"ecr"}}))
		}
	})
}

func (a *analyzer) secrets() {
	regional(a, Secret, "secretsmanager", "secret:*", a.s.SecretsManager, func(r *secretsRegion) string { return r.Name }, func(rn string, r *secretsRegion) {
		ss, ok := r.Secrets.Get()
		if !ok {
			a.gap(Secret, rn, a.regionalARN("secretsmanager", rn, "secret:*"), "Secrets Manager secrets not collected in %s: %s", rn, r.Secrets.Why())
			return
		}
		for _, sc := range ss {
			a.findings = append(a.findings, a.policyFinding(Secret, sc.ARN, orRegion(sc.Region, rn), sc.Account, sc.Name, sc.Policy,
				policyInput{what: "secret policy", services: []string{"secretsmanager"}}))
		}
	})
}

// fileSystems analyzes EFS file system policies. A file system without a
// policy (Known("")) grants nothing through IAM: the default policy lets
// any client that can reach a mount target in, which is a network
// question (mount-target security groups), not a resource-policy grant, so
// it is not reported here, as IAM Access Analyzer does not either.
// https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html
func (a *analyzer) fileSystems() {
	regional(a, EFSFileSystem, "elasticfilesystem", "file-system/*", a.s.EFS, func(r *efsRegion) string { return r.Name }, func(rn string, r *efsRegion) {
		fss, ok := r.FileSystems.Get()
		if !ok {
			a.gap(EFSFileSystem, rn, a.regionalARN("elasticfilesystem", rn, "file-system/*"), "EFS file systems not collected in %s: %s", rn, r.FileSystems.Why())
			return
		}
		for _, fs := range fss {
			a.findings = append(a.findings, a.policyFinding(EFSFileSystem, fs.ARN, orRegion(fs.Region, rn), fs.Account, fs.ID, fs.Policy,
				policyInput{what: "file system policy", services: []string{"elasticfilesystem"}}))
		}
	})
}

func (a *analyzer) roles() {
	roles, ok := a.s.IAM.Roles.Get()
	if !ok {
		a.gap(IAMRole, core.GlobalRegion, "arn:"+a.partition+":iam::"+a.acct+":role/*", "IAM roles not collected: %s", a.s.IAM.Roles.Why())
		return
	}
	for _, r := range roles {
		arn := r.ARN
		if arn == "" {
			path := r.Path
			if path == "" {
				path = "/"
			}
			arn = "arn:" + a.partition + ":iam::" + a.acct + ":role" + path + r.Name
		}
		text := core.Known(r.AssumeRolePolicy)
		f := a.policyFinding(IAMRole, arn, core.GlobalRegion, r.Account, r.Name, text,
			policyInput{what: "trust policy", services: []string{"sts"}})
		if strings.TrimSpace(r.AssumeRolePolicy) == "" {
			f.Unknown = append(f.Unknown, "trust policy not collected")
		}
		a.findings = append(a.findings, f)
	}
}

func (a *analyzer) ebsSnapshots() {
	regional(a, EBSSnapshot, "ec2", "snapshot/*", a.s.EC2, func(r *ec2Region) string { return r.Name }, func(rn string, r *ec2Region) {
		snaps, ok := r.Snapshots.Get()
		if !ok {
			a.gap(EBSSnapshot, rn, a.regionalARN("ec2", rn, "snapshot/*"), "EBS snapshots not collected in %s: %s", rn, r.Snapshots.Why())
			return
		}
		for _, sn := range snaps {
			arn := sn.ARN
			if arn == "" {
				arn = a.regionalARN("ec2", rn, "snapshot/"+sn.ID)
			}
			f := Finding{Kind: EBSSnapshot, ARN: arn, Region: orRegion(sn.Region, rn), Account: a.owner(sn.Account), Name: sn.ID}
			perms, ok := sn.CreateVolumePermissions.Get()
			if !ok {
				f.Unknown = append(f.Unknown, "createVolumePermission not collected: "+sn.CreateVolumePermissions.Why())
			}
			for _, p := range perms {
				switch {
				case strings.EqualFold(p.Group, "all"):
					f.Grants = append(f.Grants, Grant{Scope: ScopePublic, Principal: "group all", Via: "createVolumePermission", Actions: []string{"ec2:CreateVolume", "ec2:CopySnapshot"}})
				case p.UserID != "" && p.UserID != f.Account:
					f.Grants = append(f.Grants, Grant{Scope: ScopeAccount, Principal: p.UserID, Account: p.UserID, Via: "createVolumePermission", Actions: []string{"ec2:CreateVolume", "ec2:CopySnapshot"}})
				}
			}
			a.findings = append(a.findings, f)
		}
	})
}

func (a *analyzer) rdsSnapshots() {
	// A region without RDS data leaves cluster snapshots unknown too.
	present := map[string]bool{}
	var names []string
	for _, r := range a.s.RDS {
		present[r.Name] = true
		names = append(names, r.Name)
	}
	for _, rn := range a.regionNames(names...) {
		if !present[rn] {
			a.gap(RDSClusterSnapshot, rn, a.regionalARN("rds", rn, "cluster-snapshot:*"), "rds not collected in region %s", rn)
		}
	}
	regional(a, RDSSnapshot, "rds", "snapshot:*", a.s.RDS, func(r *rdsRegion) string { return r.Name }, func(rn string, r *rdsRegion) {
		for _, set := range []struct {
			kind Kind
			what string
			list core.Val[[]rdsSnapshot]
			res  string
		}{
			{RDSSnapshot, "DB snapshots", r.Snapshots, "snapshot:"},
			{RDSClusterSnapshot, "DB cluster snapshots", r.ClusterSnapshots, "cluster-snapshot:"},
		} {
			snaps, ok := set.list.Get()
			if !ok {
				a.gap(set.kind, rn, a.regionalARN("rds", rn, set.res+"*"), "RDS %s not collected in %s: %s", set.what, rn, set.list.Why())
				continue
			}
			for _, sn := range snaps {
				arn := sn.ARN
				if arn == "" {
					arn = a.regionalARN("rds", rn, set.res+sn.ID)
				}
				f := Finding{Kind: set.kind, ARN: arn, Region: orRegion(sn.Region, rn), Account: a.owner(sn.Account), Name: sn.ID}
				accts, ok := sn.RestoreAccounts.Get()
				if !ok {
					f.Unknown = append(f.Unknown, "restore attribute not collected: "+sn.RestoreAccounts.Why())
				}
				for _, id := range accts {
					switch {
					case strings.EqualFold(id, "all"):
						f.Grants = append(f.Grants, Grant{Scope: ScopePublic, Principal: "all", Via: "restore attribute", Actions: []string{"rds:RestoreDBSnapshot", "rds:CopyDBSnapshot"}})
					case id != "" && id != f.Account:
						f.Grants = append(f.Grants, Grant{Scope: ScopeAccount, Principal: id, Account: id, Via: "restore attribute", Actions: []string{"rds:RestoreDBSnapshot", "rds:CopyDBSnapshot"}})
					}
				}
				a.findings = append(a.findings, f)
			}
		}
	})
}
