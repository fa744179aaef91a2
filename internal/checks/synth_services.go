package checks

import (
	"fmt"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/acm"
	"github.com/demarc-sec/demarc/internal/model/autoscaling"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/dynamodb"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/ecr"
	"github.com/demarc-sec/demarc/internal/model/eks"
	"github.com/demarc-sec/demarc/internal/model/lambda"
	"github.com/demarc-sec/demarc/internal/model/ssm"
	"github.com/demarc-sec/demarc/internal/model/wafv2"
)

// addSyntheticServices fills in what the service rules (Lambda, DynamoDB,
// SNS, SQS, ECR, EKS, Secrets Manager, ACM, WAF, Auto Scaling, Systems
// Manager) read: it completes the functions, queues, topics, repositories
// and secrets other generators made, and adds tables, clusters,
// certificates, web ACL details, Auto Scaling groups and SSM state in every
// region (a few per 1,000 resources), with a mix of outcomes. A region some
// other generator already added for one of these services is kept.
func addSyntheticServices(s *model.Snapshot, acct string, n int) {
	perRegion := max(3, n/1000/len(syntheticRegions))
	runtimes := []string{"python3.12", "nodejs20.x", "python3.8", "java21", "go1.x"}
	for ri := range s.Lambda {
		for i := range s.Lambda[ri].Functions.V {
			f := &s.Lambda[ri].Functions.V[i]
			f.Runtime, f.PackageType = runtimes[i%len(runtimes)], "Zip"
			if i%3 != 2 {
				subnets := []string{"subnet-a", "subnet-b"}[:1+i%2]
				f.VPC = &lambda.VPCConfig{VPCID: "vpc-s", SubnetIDs: subnets}
			}
		}
	}
	for ri := range s.SNS {
		for i := range s.SNS[ri].Topics.V {
			if i%2 == 0 {
				s.SNS[ri].Topics.V[i].Attributes.V.KMSMasterKeyID = "alias/aws/sns"
			}
		}
	}
	for ri := range s.SQS {
		for i := range s.SQS[ri].Queues.V {
			s.SQS[ri].Queues.V[i].Attributes.V.SQSManagedSSE = i%4 != 3
		}
	}
	for ri := range s.ECR {
		r := &s.ECR[ri]
		r.Scanning = core.Known(ecr.RegistryScanning{ScanType: []string{"BASIC", "ENHANCED"}[ri%2],
			Rules: []ecr.ScanningRule{{Frequency: "SCAN_ON_PUSH", Filters: []string{"r-1*"}}}})
		for i := range r.Repositories.V {
			repo := &r.Repositories.V[i]
			repo.TagMutability = []string{"IMMUTABLE", "MUTABLE"}[i%2]
			repo.ScanOnPush = i%3 == 0
			repo.LifecyclePolicy = core.Known([]string{`{"rules":[]}`, ""}[i%2])
		}
	}
	for ri := range s.SecretsManager {
		for i := range s.SecretsManager[ri].Secrets.V {
			sec := &s.SecretsManager[ri].Secrets.V[i]
			created, last := s.CollectedAt.AddDate(0, 0, -400), s.CollectedAt.AddDate(0, 0, -(10+i*40))
			sec.Created, sec.LastAccessed, sec.LastRotated = &created, &last, &last
			if i%2 == 0 {
				next := last.AddDate(0, 0, 30)
				sec.RotationEnabled, sec.RotationDays, sec.NextRotation = true, 30, &next
			}
		}
	}
	for i := range s.Security {
		if s.Security[i].Inspector.Ok {
			s.Security[i].Inspector.V.LambdaCode = []string{"ENABLED", "DISABLED"}[i%2]
		}
	}

	for ri, region := range syntheticRegions {
		arn := func(svc, res string) string { return "arn:aws:" + svc + ":" + region + ":" + acct + ":" + res }
		meta := func(a string) core.Meta { return core.Meta{ARN: a, Account: acct, Region: region} }
		if r := s.EC2Region(region); r != nil && r.Subnets.Ok {
			r.Subnets.V = append(r.Subnets.V,
				ec2.Subnet{Meta: meta(arn("ec2", "subnet/subnet-a")), ID: "subnet-a", VPCID: "vpc-s", CIDR: "10.9.1.0/24", AvailabilityZone: region + "a"},
				ec2.Subnet{Meta: meta(arn("ec2", "subnet/subnet-b")), ID: "subnet-b", VPCID: "vpc-s", CIDR: "10.9.2.0/24", AvailabilityZone: region + "b"})
		}
		var tables []dynamodb.Table
		var clusters []eks.Cluster
		var certs []acm.Certificate
		var acls []wafv2.WebACL
		var groups []autoscaling.Group
		var lcs []autoscaling.LaunchConfiguration
		for i := 0; i < perRegion; i++ {
			name := fmt.Sprintf("t-%d", i)
			tables = append(tables, dynamodb.Table{Meta: meta(arn("dynamodb", "table/"+name)), Name: name,
				Details: core.Known(dynamodb.TableDetails{Status: "ACTIVE", Encryption: dynamodb.EncryptionAWSOwned, DeletionProtection: i%2 == 0}),
				PITR:    core.Known(i%3 != 0)})
			name = fmt.Sprintf("c-%d", i)
			var enc []eks.EncryptionConfig
			if i%2 == 0 {
				enc = []eks.EncryptionConfig{{Resources: []string{"secrets"}, KeyARN: arn("kms", "key/k-0")}}
			}
			clusters = append(clusters, eks.Cluster{Meta: meta(arn("eks", "cluster/"+name)), Name: name, Details: core.Known(eks.ClusterDetails{
				Version: []string{"1.32", "1.28", "1.31"}[i%3], Status: "ACTIVE", EndpointPublic: i%2 == 1, EndpointPrivate: true,
				EnabledLogTypes: [][]string{{"api", "audit"}, {"api"}}[i%2], Encryption: enc})})
			notAfter := s.CollectedAt.AddDate(0, 0, []int{200, 10, -5}[i%3])
			certs = append(certs, acm.Certificate{Meta: meta(arn("acm", fmt.Sprintf("certificate/%d", i))), Domain: fmt.Sprintf("%d.example.com", i),
				Details: core.Known(acm.CertificateDetails{Status: "ISSUED", Type: []string{"AMAZON_ISSUED", "IMPORTED"}[i%2], NotAfter: &notAfter,
					KeyAlgorithm: []string{"RSA_2048", "RSA_1024", "EC_prime256v1"}[i%3]})})
			var rules []wafv2.Rule
			if i%2 == 0 {
				rules = []wafv2.Rule{{Name: "common", Priority: 1, Statement: "ManagedRuleGroup", ManagedRuleGroup: "AWS/AWSManagedRulesCommonRuleSet"}}
			}
			var logging *wafv2.Logging
			if i%3 != 0 {
				logging = &wafv2.Logging{DestinationARNs: []string{arn("logs", "log-group:aws-waf-logs-"+name)}}
			}
			acls = append(acls, wafv2.WebACL{Meta: meta(arn("wafv2", fmt.Sprintf("regional/webacl/w-%d/%d", i, i))), ID: fmt.Sprint(i),
				Name: fmt.Sprintf("w-%d", i), Scope: wafv2.ScopeRegional, Details: core.Known(wafv2.WebACLDetails{DefaultAction: "ALLOW", Rules: rules}),
				Logging: core.Known(logging)})
			lcName := fmt.Sprintf("lc-%d", i)
			hop, pub := 1+i%2, i%3 == 0
			lcs = append(lcs, autoscaling.LaunchConfiguration{Meta: meta(arn("autoscaling", "launchConfiguration:x:launchConfigurationName/"+lcName)),
				Name: lcName, MetadataHTTPTokens: []string{"required", ""}[i%2], MetadataHopLimit: hop, AssociatePublicIP: &pub})
			g := autoscaling.Group{Meta: meta(arn("autoscaling", fmt.Sprintf("autoScalingGroup:x:autoScalingGroupName/g-%d", i))), Name: fmt.Sprintf("g-%d", i),
				AvailabilityZones: []string{region + "a", region + "b"}, HealthCheckType: []string{"ELB", "EC2"}[i%2],
				TargetGroupARNs: []string{arn("elasticloadbalancing", "targetgroup/tg/1")}}
			if i%2 == 0 {
				g.LaunchTemplate, g.MixedInstances, g.InstanceTypes = &autoscaling.TemplateRef{ID: "lt-1"}, true, []string{"m5.large", "m6i.large"}
			} else {
				g.LaunchConfiguration = lcName
			}
			groups = append(groups, g)
		}
		ddb := synthRegion(&s.DynamoDB, region, func(r *dynamodb.Region) string { return r.Name }, func() dynamodb.Region { return dynamodb.Region{Name: region} })
		if len(ddb.Tables.V) == 0 { // tables another generator made are kept as they are
			synthMerge(&ddb.Tables, tables)
		}
		ek := synthRegion(&s.EKS, region, func(r *eks.Region) string { return r.Name }, func() eks.Region { return eks.Region{Name: region} })
		synthMerge(&ek.Clusters, clusters)
		ac := synthRegion(&s.ACM, region, func(r *acm.Region) string { return r.Name }, func() acm.Region { return acm.Region{Name: region} })
		synthMerge(&ac.Certificates, certs)
		wr := synthRegion(&s.WAFv2.Regions, region, func(r *wafv2.Region) string { return r.Name }, func() wafv2.Region { return wafv2.Region{Name: region} })
		for i := range wr.WebACLs.V { // web ACLs other generators made: give them rules and logging
			w := &wr.WebACLs.V[i]
			if !w.Details.Ok {
				w.Details = acls[i%len(acls)].Details
			}
			if !w.Logging.Ok {
				w.Logging = acls[i%len(acls)].Logging
			}
		}
		if len(wr.WebACLs.V) == 0 {
			synthMerge(&wr.WebACLs, acls)
		}
		as := synthRegion(&s.AutoScaling, region, func(r *autoscaling.Region) string { return r.Name }, func() autoscaling.Region { return autoscaling.Region{Name: region} })
		for i := range as.Groups.V {
			g := &as.Groups.V[i]
			if g.LaunchTemplate == nil && g.LaunchConfiguration == "" {
				g.LaunchConfiguration = lcs[i%len(lcs)].Name
			}
		}
		synthMerge(&as.Groups, groups)
		synthMerge(&as.LaunchConfigurations, lcs)
		if !synthHasRegion(s.SSM, region, func(r ssm.Region) string { return r.Name }) {
			s.SSM = append(s.SSM, syntheticSSM(s, region, ri))
		}
	}
	if !s.WAFv2.CloudFront.Ok {
		s.WAFv2.CloudFront = core.Known([]wafv2.WebACL{})
	}
}

// syntheticSSM registers most running instances of a region with Systems
// Manager, with patch and association compliance for each.
func syntheticSSM(s *model.Snapshot, region string, ri int) ssm.Region {
	r := ssm.Region{Name: region, ManagedInstances: core.Known([]ssm.ManagedInstance{}), Compliance: core.Known([]ssm.ComplianceSummary{})}
	ec := s.EC2Region(region)
	if ec == nil {
		return r
	}
	for i, inst := range ec.Instances.V {
		if inst.State != "running" || (i+ri)%5 == 0 {
			continue
		}
		ping := "Online"
		if i%11 == 0 {
			ping = "ConnectionLost"
		}
		r.ManagedInstances.V = append(r.ManagedInstances.V, ssm.ManagedInstance{Meta: inst.Meta, ID: inst.ID, PingStatus: ping, ResourceType: "EC2Instance"})
		for _, kind := range []string{"Association", "Patch"} {
			st := "COMPLIANT"
			if i%4 == 1 {
				st = "NON_COMPLIANT"
			}
			r.Compliance.V = append(r.Compliance.V, ssm.ComplianceSummary{ResourceID: inst.ID, ResourceType: "ManagedInstance", ComplianceType: kind, Status: st})
		}
	}
	return r
}

func synthHasRegion[R any](list []R, name string, nameOf func(R) string) bool {
	for _, r := range list {
		if nameOf(r) == name {
			return true
		}
	}
	return false
}

// synthRegion returns the region element named region, appending mk() when
// there is none.
func synthRegion[R any](list *[]R, region string, name func(*R) string, mk func() R) *R {
	for i := range *list {
		if name(&(*list)[i]) == region {
			return &(*list)[i]
		}
	}
	*list = append(*list, mk())
	return &(*list)[len(*list)-1]
}

// synthMerge appends items to a known list, or makes the list known.
func synthMerge[T any](v *core.Val[[]T], items []T) {
	if v.Ok {
		v.V = append(v.V, items...)
		return
	}
	*v = core.Known(items)
}
