package checks

import (
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/acm"
	"github.com/demarc-sec/demarc/internal/model/autoscaling"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/dynamodb"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/ecr"
	"github.com/demarc-sec/demarc/internal/model/eks"
	"github.com/demarc-sec/demarc/internal/model/lambda"
	"github.com/demarc-sec/demarc/internal/model/secretsmanager"
	"github.com/demarc-sec/demarc/internal/model/sns"
	"github.com/demarc-sec/demarc/internal/model/sqs"
	"github.com/demarc-sec/demarc/internal/model/ssm"
	"github.com/demarc-sec/demarc/internal/model/wafv2"
)

// svcRegion is the region where the compliant world keeps its sample
// resources for the service rules (Lambda, DynamoDB, ECR, EKS, …).
const svcRegion = "eu-west-1"

// addCompliantServices makes the compliant world hold for the service rules:
// every region has (possibly empty) known lists for each service, every
// resource other helpers put in the world is patched to comply, and a
// sample resource exists where a rule needs one to answer. It runs after
// the other addCompliant* helpers and only adds a sample when the world has
// none of that kind, so it composes with them.
func addCompliantServices(s *model.Snapshot) {
	for _, r := range testRegions {
		addCompliantSubnets(s, r)
		ensureRegion(&s.Lambda, r, func(n string) lambda.Region {
			return lambda.Region{Name: n, Functions: core.Known([]lambda.Function{})}
		}, func(x *lambda.Region) string { return x.Name })
		ensureRegion(&s.DynamoDB, r, func(n string) dynamodb.Region {
			return dynamodb.Region{Name: n, Tables: core.Known([]dynamodb.Table{})}
		}, func(x *dynamodb.Region) string { return x.Name })
		ensureRegion(&s.SNS, r, func(n string) sns.Region {
			return sns.Region{Name: n, Topics: core.Known([]sns.Topic{}), Subscriptions: core.Known([]sns.Subscription{})}
		}, func(x *sns.Region) string { return x.Name })
		ensureRegion(&s.SQS, r, func(n string) sqs.Region {
			return sqs.Region{Name: n, Queues: core.Known([]sqs.Queue{})}
		}, func(x *sqs.Region) string { return x.Name })
		ensureRegion(&s.ECR, r, func(n string) ecr.Region {
			return ecr.Region{Name: n, Repositories: core.Known([]ecr.Repository{})}
		}, func(x *ecr.Region) string { return x.Name })
		ensureRegion(&s.EKS, r, func(n string) eks.Region {
			return eks.Region{Name: n, Clusters: core.Known([]eks.Cluster{})}
		}, func(x *eks.Region) string { return x.Name })
		ensureRegion(&s.SecretsManager, r, func(n string) secretsmanager.Region {
			return secretsmanager.Region{Name: n, Secrets: core.Known([]secretsmanager.Secret{})}
		}, func(x *secretsmanager.Region) string { return x.Name })
		ensureRegion(&s.ACM, r, func(n string) acm.Region {
			return acm.Region{Name: n, Certificates: core.Known([]acm.Certificate{})}
		}, func(x *acm.Region) string { return x.Name })
		ensureRegion(&s.AutoScaling, r, func(n string) autoscaling.Region {
			return autoscaling.Region{Name: n, Groups: core.Known([]autoscaling.Group{}), LaunchConfigurations: core.Known([]autoscaling.LaunchConfiguration{})}
		}, func(x *autoscaling.Region) string { return x.Name })
		ensureRegion(&s.SSM, r, func(n string) ssm.Region {
			return ssm.Region{Name: n, ManagedInstances: core.Known([]ssm.ManagedInstance{}), Compliance: core.Known([]ssm.ComplianceSummary{})}
		}, func(x *ssm.Region) string { return x.Name })
		ensureRegion(&s.WAFv2.Regions, r, func(n string) wafv2.Region {
			return wafv2.Region{Name: n, WebACLs: core.Known([]wafv2.WebACL{})}
		}, func(x *wafv2.Region) string { return x.Name })
	}
	if !s.WAFv2.CloudFront.Ok {
		s.WAFv2.CloudFront = core.Known([]wafv2.WebACL{})
	}
	for i := range s.Security {
		if s.Security[i].Inspector.Ok {
			s.Security[i].Inspector.V.LambdaCode = "ENABLED"
		}
	}
	patchCompliantLambda(s)
	patchCompliantMessaging(s)
	patchCompliantECR(s)
	patchCompliantSecrets(s)
	patchCompliantWAF(s)
	patchCompliantSSM(s)
	addSampleTable(s)
	addSampleCluster(s)
	addSampleCertificate(s)
	addSampleAutoScaling(s)
}

// ensureRegion appends a region element built by mk when none is named r.
func ensureRegion[R any](list *[]R, r string, mk func(string) R, name func(*R) string) {
	for i := range *list {
		if name(&(*list)[i]) == r {
			return
		}
	}
	*list = append(*list, mk(r))
}

// addCompliantSubnets gives every subnet of the VPC an Availability Zone and
// adds a second subnet in another zone, so VPC-attached resources can span
// two zones.
func addCompliantSubnets(s *model.Snapshot, region string) {
	r := s.EC2Region(region)
	if r == nil || !r.Subnets.Ok {
		return
	}
	for i := range r.Subnets.V {
		if r.Subnets.V[i].AvailabilityZone == "" {
			r.Subnets.V[i].AvailabilityZone = region + "a"
		}
	}
	for _, sn := range r.Subnets.V {
		if sn.ID == "subnet-2" {
			return
		}
	}
	r.Subnets.V = append(r.Subnets.V, ec2.Subnet{
		Meta: core.Meta{ARN: regionalARNOf("ec2", region, "subnet/subnet-2"), Account: acct, Region: region},
		ID:   "subnet-2", VPCID: "vpc-1", CIDR: "10.0.2.0/24", AvailabilityZone: region + "b",
	})
	if r.NetworkACLs.Ok {
		for i := range r.NetworkACLs.V {
			if r.NetworkACLs.V[i].IsDefault && r.NetworkACLs.V[i].VPCID == "vpc-1" {
				r.NetworkACLs.V[i].SubnetIDs = append(r.NetworkACLs.V[i].SubnetIDs, "subnet-2")
			}
		}
	}
}

func patchCompliantLambda(s *model.Snapshot) {
	for ri := range s.Lambda {
		fns := &s.Lambda[ri].Functions
		for i := range fns.V {
			f := &fns.V[i]
			f.Runtime, f.PackageType = "python3.13", "Zip"
			f.VPC = &lambda.VPCConfig{VPCID: "vpc-1", SubnetIDs: []string{"subnet-1", "subnet-2"}, SecurityGroupIDs: []string{"sg-web"}}
		}
	}
	// One function somewhere, so the Lambda rules have something to judge.
	for _, r := range s.Lambda {
		if len(r.Functions.V) > 0 {
			return
		}
	}
	for ri := range s.Lambda {
		if s.Lambda[ri].Name == svcRegion {
			fn := regionalARNOf("lambda", svcRegion, "function:worker")
			s.Lambda[ri].Functions = core.Known([]lambda.Function{{
				Meta: core.Meta{ARN: fn, Account: acct, Region: svcRegion}, Name: "worker", Runtime: "python3.13", PackageType: "Zip",
				VPC:    &lambda.VPCConfig{VPCID: "vpc-1", SubnetIDs: []string{"subnet-1", "subnet-2"}, SecurityGroupIDs: []string{"sg-web"}},
				Policy: core.Known(""), URLs: core.Known([]lambda.FunctionURL{}),
			}})
		}
	}
}

func patchCompliantMessaging(s *model.Snapshot) {
	for ri := range s.SNS {
		for i := range s.SNS[ri].Topics.V {
			s.SNS[ri].Topics.V[i].Attributes.V.KMSMasterKeyID = "alias/aws/sns"
		}
	}
	for ri := range s.SQS {
		for i := range s.SQS[ri].Queues.V {
			s.SQS[ri].Queues.V[i].Attributes.V.SQSManagedSSE = true
		}
	}
}

const compliantLifecycle = `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}`

func patchCompliantECR(s *model.Snapshot) {
	for ri := range s.ECR {
		r := &s.ECR[ri]
		r.Scanning = core.Known(ecr.RegistryScanning{ScanType: "ENHANCED", Rules: []ecr.ScanningRule{{Frequency: "CONTINUOUS_SCAN", Filters: []string{"*"}}}})
		for i := range r.Repositories.V {
			repo := &r.Repositories.V[i]
			repo.TagMutability = "IMMUTABLE"
			repo.LifecyclePolicy = core.Known(compliantLifecycle)
		}
	}
}

func patchCompliantSecrets(s *model.Snapshot) {
	for ri := range s.SecretsManager {
		for i := range s.SecretsManager[ri].Secrets.V {
			sec := &s.SecretsManager[ri].Secrets.V[i]
			sec.RotationEnabled, sec.RotationDays = true, 30
			sec.Created, sec.LastRotated, sec.LastAccessed = agoP(300), agoP(10), agoP(1)
			sec.NextRotation = agoP(-20)
		}
	}
}

func patchCompliantWAF(s *model.Snapshot) {
	patch := func(w *wafv2.WebACL) {
		w.Details = core.Known(wafv2.WebACLDetails{
			DefaultAction: "ALLOW", MetricsEnabled: true, SampledRequests: true,
			Rules: []wafv2.Rule{{Name: "common", Priority: 1, OverrideAction: "NONE", Statement: "ManagedRuleGroup",
				ManagedRuleGroup: "AWS/AWSManagedRulesCommonRuleSet", MetricsEnabled: true}},
		})
		w.Logging = core.Known(&wafv2.Logging{DestinationARNs: []string{
			"arn:aws:logs:" + orStr(w.Region, "us-east-1") + ":" + acct + ":log-group:aws-waf-logs-" + w.Name}})
	}
	for ri := range s.WAFv2.Regions {
		for i := range s.WAFv2.Regions[ri].WebACLs.V {
			patch(&s.WAFv2.Regions[ri].WebACLs.V[i])
		}
	}
	for i := range s.WAFv2.CloudFront.V {
		patch(&s.WAFv2.CloudFront.V[i])
	}
}

// patchCompliantSSM registers every running instance with Systems Manager,
// patch and association compliant.
func patchCompliantSSM(s *model.Snapshot) {
	for _, r := range testRegions {
		ec := s.EC2Region(r)
		sr := ssmRegion(s, r)
		if ec == nil || sr == nil || !sr.ManagedInstances.Ok || !sr.Compliance.Ok {
			continue
		}
		have := map[string]bool{}
		for _, m := range sr.ManagedInstances.V {
			have[m.ID] = true
		}
		for _, i := range ec.Instances.V {
			if i.State != "running" || have[i.ID] {
				continue
			}
			sr.ManagedInstances.V = append(sr.ManagedInstances.V, ssm.ManagedInstance{
				Meta: core.Meta{ARN: regionalARNOf("ec2", r, "instance/"+i.ID), Account: acct, Region: r},
				ID:   i.ID, PingStatus: "Online", ResourceType: "EC2Instance", PlatformType: "Linux", AgentLatest: true,
			})
			for _, kind := range []string{"Association", "Patch"} {
				sr.Compliance.V = append(sr.Compliance.V, ssm.ComplianceSummary{
					ResourceID: i.ID, ResourceType: "ManagedInstance", ComplianceType: kind, Status: "COMPLIANT", CompliantCount: 3,
				})
			}
		}
	}
}

// sampleRegion returns the region element named svcRegion when no region of
// the service holds a resource yet (count), else nil.
func sampleRegion[R any](list []R, name func(*R) string, count func(*R) int) *R {
	var at *R
	for i := range list {
		if count(&list[i]) > 0 {
			return nil
		}
		if name(&list[i]) == svcRegion {
			at = &list[i]
		}
	}
	return at
}

func addSampleTable(s *model.Snapshot) {
	for ri := range s.DynamoDB {
		for i := range s.DynamoDB[ri].Tables.V {
			t := &s.DynamoDB[ri].Tables.V[i]
			t.PITR = core.Known(true)
			t.Details.V.DeletionProtection = true
		}
	}
	r := sampleRegion(s.DynamoDB, func(x *dynamodb.Region) string { return x.Name }, func(x *dynamodb.Region) int { return len(x.Tables.V) })
	if r == nil {
		return
	}
	r.Tables = core.Known([]dynamodb.Table{{
		Meta: core.Meta{ARN: regionalARNOf("dynamodb", svcRegion, "table/orders"), Account: acct, Region: svcRegion}, Name: "orders",
		Details: core.Known(dynamodb.TableDetails{Status: "ACTIVE", Encryption: dynamodb.EncryptionKMS, DeletionProtection: true,
			BillingMode: "PAY_PER_REQUEST", CreationTime: agoP(200)}),
		PITR: core.Known(true),
	}})
}

func compliantCluster() eks.Cluster {
	return eks.Cluster{
		Meta: core.Meta{ARN: regionalARNOf("eks", svcRegion, "cluster/prod"), Account: acct, Region: svcRegion}, Name: "prod",
		Details: core.Known(eks.ClusterDetails{
			Version: "1.32", Status: "ACTIVE", EndpointPublic: false, EndpointPrivate: true, VPCID: "vpc-1",
			SubnetIDs: []string{"subnet-1", "subnet-2"}, EnabledLogTypes: []string{"api", "audit", "authenticator"},
			Encryption: []eks.EncryptionConfig{{Resources: []string{"secrets"}, KeyARN: regionalARNOf("kms", svcRegion, "key/eks")}},
		}),
	}
}

func addSampleCluster(s *model.Snapshot) {
	r := sampleRegion(s.EKS, func(x *eks.Region) string { return x.Name }, func(x *eks.Region) int { return len(x.Clusters.V) })
	if r != nil {
		r.Clusters = core.Known([]eks.Cluster{compliantCluster()})
	}
}

func addSampleCertificate(s *model.Snapshot) {
	r := sampleRegion(s.ACM, func(x *acm.Region) string { return x.Name }, func(x *acm.Region) int { return len(x.Certificates.V) })
	if r == nil {
		return
	}
	r.Certificates = core.Known([]acm.Certificate{{
		Meta:   core.Meta{ARN: regionalARNOf("acm", svcRegion, "certificate/c1"), Account: acct, Region: svcRegion},
		Domain: "www.example.com",
		Details: core.Known(acm.CertificateDetails{Status: "ISSUED", Type: "AMAZON_ISSUED", NotBefore: agoP(100), NotAfter: agoP(-295),
			KeyAlgorithm: "RSA_2048", RenewalEligibility: "ELIGIBLE"}),
	}})
}

func addSampleAutoScaling(s *model.Snapshot) {
	r := sampleRegion(s.AutoScaling, func(x *autoscaling.Region) string { return x.Name },
		func(x *autoscaling.Region) int { return len(x.Groups.V) + len(x.LaunchConfigurations.V) })
	if r == nil {
		return
	}
	no := false
	r.Groups = core.Known([]autoscaling.Group{{
		Meta: core.Meta{ARN: regionalARNOf("autoscaling", svcRegion, "autoScalingGroup:1:autoScalingGroupName/web"), Account: acct, Region: svcRegion},
		Name: "web", AvailabilityZones: []string{svcRegion + "a", svcRegion + "b"}, SubnetIDs: []string{"subnet-1", "subnet-2"},
		LaunchTemplate: &autoscaling.TemplateRef{ID: "lt-1", Name: "web", Version: "$Default"}, MixedInstances: true,
		InstanceTypes: []string{"m5.large", "m6i.large"}, HealthCheckType: "ELB", HealthCheckGracePeriod: 300,
		TargetGroupARNs: []string{regionalARNOf("elasticloadbalancing", svcRegion, "targetgroup/web/1")},
		MinSize:         2, MaxSize: 4, DesiredCapacity: 2,
	}})
	r.LaunchConfigurations = core.Known([]autoscaling.LaunchConfiguration{{
		Meta: core.Meta{ARN: regionalARNOf("autoscaling", svcRegion, "launchConfiguration:1:launchConfigurationName/legacy"), Account: acct, Region: svcRegion},
		Name: "legacy", ImageID: "ami-1", InstanceType: "m5.large", AssociatePublicIP: &no,
		MetadataHTTPTokens: "required", MetadataHTTPEndpoint: "enabled", MetadataHopLimit: 1,
	}})
}

// Mutation helpers for the service fixtures.

func lambdaFn(s *model.Snapshot) *lambda.Function {
	for ri := range s.Lambda {
		if len(s.Lambda[ri].Functions.V) > 0 {
			return &s.Lambda[ri].Functions.V[0]
		}
	}
	panic("no Lambda function in the compliant world")
}

func dynamoTable(s *model.Snapshot) *dynamodb.Table {
	for ri := range s.DynamoDB {
		if len(s.DynamoDB[ri].Tables.V) > 0 {
			return &s.DynamoDB[ri].Tables.V[0]
		}
	}
	panic("no DynamoDB table in the compliant world")
}

func ecrRepo(s *model.Snapshot) (*ecr.Region, *ecr.Repository) {
	for ri := range s.ECR {
		if len(s.ECR[ri].Repositories.V) > 0 {
			return &s.ECR[ri], &s.ECR[ri].Repositories.V[0]
		}
	}
	panic("no ECR repository in the compliant world")
}

func eksCluster(s *model.Snapshot) *eks.ClusterDetails {
	for ri := range s.EKS {
		if len(s.EKS[ri].Clusters.V) > 0 {
			return &s.EKS[ri].Clusters.V[0].Details.V
		}
	}
	panic("no EKS cluster in the compliant world")
}

func secretAt(s *model.Snapshot) *secretsmanager.Secret {
	for ri := range s.SecretsManager {
		if len(s.SecretsManager[ri].Secrets.V) > 0 {
			return &s.SecretsManager[ri].Secrets.V[0]
		}
	}
	panic("no secret in the compliant world")
}

func certAt(s *model.Snapshot) *acm.CertificateDetails {
	for ri := range s.ACM {
		if len(s.ACM[ri].Certificates.V) > 0 {
			return &s.ACM[ri].Certificates.V[0].Details.V
		}
	}
	panic("no ACM certificate in the compliant world")
}

func webACL(s *model.Snapshot) *wafv2.WebACL {
	for ri := range s.WAFv2.Regions {
		if len(s.WAFv2.Regions[ri].WebACLs.V) > 0 {
			return &s.WAFv2.Regions[ri].WebACLs.V[0]
		}
	}
	panic("no web ACL in the compliant world")
}

func asgRegion(s *model.Snapshot) *autoscaling.Region {
	for ri := range s.AutoScaling {
		if len(s.AutoScaling[ri].Groups.V) > 0 {
			return &s.AutoScaling[ri]
		}
	}
	panic("no Auto Scaling group in the compliant world")
}

// servicesFixtures merges the fixtures of the service rules (Lambda,
// DynamoDB, SNS, SQS, ECR, EKS, Secrets Manager, ACM, WAF, Auto Scaling,
// Systems Manager).
func servicesFixtures() map[string]fixture {
	return mergeFixtures(lambdaFixtures(), dynamodbFixtures(), messagingFixtures(), ecrFixtures(), eksFixtures(),
		secretsManagerFixtures(), acmFixtures(), wafv2Fixtures(), autoscalingFixtures(), ssmFixtures(), apigatewayFixtures(), efsFixtures(),
		backupFixtures(), iamPasswordFixtures(), wafIdentityFixtures(), edgeFixtures())
}

func TestSvcRegionsUncollectedRegion(t *testing.T) {
	s := compliantSnapshot()
	s.EKS = s.EKS[:0]
	s.EKS = append(s.EKS, eks.Region{Name: "eu-west-1", Clusters: core.Unknown[[]eks.Cluster]("access denied")})
	res := eksRegions(s).each(s, func(string, []eks.Cluster) []Result { t.Fatal("judged an unknown list"); return nil })
	if len(res) != len(testRegions) {
		t.Fatalf("want one UNKNOWN per region, got %+v", res)
	}
	for _, r := range res {
		if r.Status != Unknown || r.Message == "" {
			t.Errorf("%+v", r)
		}
	}
	if res[0].Message != "EKS clusters in eu-west-1 unreadable: access denied" || res[1].Message != "EKS clusters in region us-east-1 were not collected" {
		t.Errorf("messages: %q / %q", res[0].Message, res[1].Message)
	}
}
