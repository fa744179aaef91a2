package checks

import (
	"fmt"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/dynamodb"
	"github.com/demarc-sec/demarc/internal/model/ec2"
	"github.com/demarc-sec/demarc/internal/model/ecr"
	"github.com/demarc-sec/demarc/internal/model/eks"
	"github.com/demarc-sec/demarc/internal/model/lambda"
)

// addSyntheticServices fills in what the service rules (Lambda, DynamoDB,
// SNS, SQS, ECR, EKS) read: it completes the functions, queues, topics and
// repositories other generators made, and adds tables and clusters in every
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
	for i := range s.Security {
		if s.Security[i].Inspector.Ok {
			s.Security[i].Inspector.V.LambdaCode = []string{"ENABLED", "DISABLED"}[i%2]
		}
	}

	for _, region := range syntheticRegions {
		arn := func(svc, res string) string { return "arn:aws:" + svc + ":" + region + ":" + acct + ":" + res }
		meta := func(a string) core.Meta { return core.Meta{ARN: a, Account: acct, Region: region} }
		if r := s.EC2Region(region); r != nil && r.Subnets.Ok {
			r.Subnets.V = append(r.Subnets.V,
				ec2.Subnet{Meta: meta(arn("ec2", "subnet/subnet-a")), ID: "subnet-a", VPCID: "vpc-s", CIDR: "10.9.1.0/24", AvailabilityZone: region + "a"},
				ec2.Subnet{Meta: meta(arn("ec2", "subnet/subnet-b")), ID: "subnet-b", VPCID: "vpc-s", CIDR: "10.9.2.0/24", AvailabilityZone: region + "b"})
		}
		var tables []dynamodb.Table
		var clusters []eks.Cluster
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
		}
		ddb := synthRegion(&s.DynamoDB, region, func(r *dynamodb.Region) string { return r.Name }, func() dynamodb.Region { return dynamodb.Region{Name: region} })
		if len(ddb.Tables.V) == 0 { // tables another generator made are kept as they are
			synthMerge(&ddb.Tables, tables)
		}
		ek := synthRegion(&s.EKS, region, func(r *eks.Region) string { return r.Name }, func() eks.Region { return eks.Region{Name: region} })
		synthMerge(&ek.Clusters, clusters)
	}
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
