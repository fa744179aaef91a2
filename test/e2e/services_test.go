package e2e

// The services beyond IAM, S3, EC2 and CloudTrail: every collector that moto
// implements is exercised by building its resources in the two e2e
// accounts. The misconfigured account gets the classic mistakes (public
// policies, no encryption, no rotation, deprecated runtimes); the
// well-configured account gets what a careful customer builds, so a FAIL
// there is either a demarc false positive or a documented moto gap.

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	ag2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	bktypes "github.com/aws/aws-sdk-go-v2/service/backup/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/dax"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	efstypes "github.com/aws/aws-sdk-go-v2/service/efs/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
	waftypes "github.com/aws/aws-sdk-go-v2/service/wafv2/types"

	"github.com/demarc-sec/demarc/internal/checks"
	"github.com/demarc-sec/demarc/internal/collect/aws/logs"
)

// primary is the region the service resources live in.
const primary = "us-east-1"

// serviceRole creates a role that AWS service svc assumes, with the given
// AWS-managed policies, and returns its ARN.
func (b *builder) serviceRole(name, svc string, managed ...string) string {
	ic := b.iam()
	trust := policyJSON(map[string]any{"Effect": "Allow", "Action": "sts:AssumeRole",
		"Principal": map[string]any{"Service": svc}})
	out, err := ic.CreateRole(b.ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	b.must(err, "role "+name)
	for _, p := range managed {
		_, err = ic.AttachRolePolicy(b.ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(b.awsPolicy(p))})
		b.must(err, "role policy "+name)
	}
	return aws.ToString(out.Role.Arn)
}

// twoSubnets returns two default subnets of the region in different AZs.
func (b *builder) twoSubnets(region string) []string {
	vpc, _, _, _ := b.defaultVPC(region)
	out, err := b.ec2(region).DescribeSubnets(b.ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpc}}}})
	b.must(err, "subnets "+region)
	seen := map[string]bool{}
	var ids []string
	for _, sn := range out.Subnets {
		if az := aws.ToString(sn.AvailabilityZone); !seen[az] {
			seen[az] = true
			ids = append(ids, aws.ToString(sn.SubnetId))
		}
	}
	if len(ids) < 2 {
		b.t.Fatalf("region %s: want default subnets in two AZs, got %d", region, len(ids))
	}
	return ids[:2]
}

// lambdaZip is a deployment package with one Python handler.
func lambdaZip(b *builder) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.Create("index.py")
	b.must(err, "lambda zip")
	_, err = f.Write([]byte("def handler(event, context):\n    return 'ok'\n"))
	b.must(err, "lambda zip")
	b.must(w.Close(), "lambda zip")
	return buf.Bytes()
}

// selfSignedCert returns a PEM certificate and key for name, valid for the
// given duration, with an RSA key of the given size.
func selfSignedCert(b *builder, name string, bits int, valid time.Duration) (certPEM, keyPEM []byte) {
	key, err := rsa.GenerateKey(rand.Reader, bits)
	b.must(err, "certificate key")
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     []string{name},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(valid),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	b.must(err, "certificate")
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
}

func (b *builder) importCert(name string, bits int, valid time.Duration) {
	cert, key := selfSignedCert(b, name, bits, valid)
	out, err := acm.NewFromConfig(b.cfg(primary)).ImportCertificate(b.ctx, &acm.ImportCertificateInput{Certificate: cert, PrivateKey: key})
	b.must(err, "import certificate "+name)
	b.name(lastSegment(aws.ToString(out.CertificateArn)), "cert-"+name)
}

func lastSegment(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == '/' {
			return arn[i+1:]
		}
	}
	return arn
}

// buildMisconfiguredServices adds the classic service mistakes to the
// misconfigured account.
func buildMisconfiguredServices(b *builder) {
	r := primary
	cfg := b.cfg(r)
	vpc, subnet, defSG, _ := b.defaultVPC(r)
	subnets := b.twoSubnets(r)
	everyone := func(action, resource string) string {
		return policyJSON(map[string]any{"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": action, "Resource": resource})
	}

	// RDS: a public, unencrypted MySQL instance with the default admin
	// user name, no backups, single-AZ.
	_, err := rds.NewFromConfig(cfg).CreateDBInstance(b.ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String("legacy-db"), DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String("mysql"),
		MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("hunter2hunter2"), AllocatedStorage: aws.Int32(20),
		PubliclyAccessible: aws.Bool(true), StorageEncrypted: aws.Bool(false), BackupRetentionPeriod: aws.Int32(0),
		VpcSecurityGroupIds: []string{defSG},
	})
	b.must(err, "rds instance")
	// moto takes an automated snapshot named after the clock.
	snaps, err := rds.NewFromConfig(cfg).DescribeDBSnapshots(b.ctx, &rds.DescribeDBSnapshotsInput{DBInstanceIdentifier: aws.String("legacy-db")})
	b.must(err, "rds snapshots")
	for _, sn := range snaps.DBSnapshots {
		b.name(aws.ToString(sn.DBSnapshotIdentifier), "rds-snapshot-legacy-db")
	}

	// Lambda: a deprecated runtime outside any VPC, invocable by anyone.
	role := b.serviceRole("legacy-lambda", "lambda.amazonaws.com", "service-role/AWSLambdaBasicExecutionRole")
	lc := lambda.NewFromConfig(cfg)
	_, err = lc.CreateFunction(b.ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("legacy-fn"), Runtime: lambdatypes.RuntimePython37, Role: aws.String(role),
		Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: lambdaZip(b)},
		Environment: &lambdatypes.Environment{Variables: map[string]string{"DB_PASSWORD": "hunter2"}},
	})
	b.must(err, "lambda function")
	_, err = lc.AddPermission(b.ctx, &lambda.AddPermissionInput{FunctionName: aws.String("legacy-fn"), StatementId: aws.String("public"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*")})
	b.must(err, "lambda public permission")

	// DynamoDB: provisioned capacity, no PITR, no deletion protection.
	_, err = dynamodb.NewFromConfig(cfg).CreateTable(b.ctx, &dynamodb.CreateTableInput{
		TableName:             aws.String("sessions"),
		AttributeDefinitions:  []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:             []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
		ProvisionedThroughput: &ddbtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)},
	})
	b.must(err, "dynamodb table")

	// SNS and SQS: unencrypted, open to everyone.
	topic, err := sns.NewFromConfig(cfg).CreateTopic(b.ctx, &sns.CreateTopicInput{Name: aws.String("open-topic")})
	b.must(err, "sns topic")
	_, err = sns.NewFromConfig(cfg).SetTopicAttributes(b.ctx, &sns.SetTopicAttributesInput{TopicArn: topic.TopicArn,
		AttributeName: aws.String("Policy"), AttributeValue: aws.String(everyone("sns:Publish", aws.ToString(topic.TopicArn)))})
	b.must(err, "sns topic policy")
	q, err := sqs.NewFromConfig(cfg).CreateQueue(b.ctx, &sqs.CreateQueueInput{QueueName: aws.String("open-queue"),
		Attributes: map[string]string{"SqsManagedSseEnabled": "false"}})
	b.must(err, "sqs queue")
	_, err = sqs.NewFromConfig(cfg).SetQueueAttributes(b.ctx, &sqs.SetQueueAttributesInput{QueueUrl: q.QueueUrl,
		Attributes: map[string]string{string(sqstypes.QueueAttributeNamePolicy): everyone("sqs:SendMessage",
			"arn:aws:sqs:"+r+":"+b.account+":open-queue")}})
	b.must(err, "sqs queue policy")

	// ECR: mutable tags, no scanning, no lifecycle, pullable by anyone.
	ec := ecr.NewFromConfig(cfg)
	_, err = ec.CreateRepository(b.ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("public-images"),
		ImageTagMutability: ecrtypes.ImageTagMutabilityMutable})
	b.must(err, "ecr repository")
	_, err = ec.SetRepositoryPolicy(b.ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String("public-images"),
		PolicyText: aws.String(policyJSON(map[string]any{"Sid": "Public", "Effect": "Allow", "Principal": "*",
			"Action": []string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}}))})
	b.must(err, "ecr repository policy")

	// EKS: an unsupported Kubernetes version, a public endpoint, no secrets
	// encryption, no control-plane logs.
	_, err = eks.NewFromConfig(cfg).CreateCluster(b.ctx, &eks.CreateClusterInput{
		Name: aws.String("legacy-cluster"), Version: aws.String("1.24"),
		RoleArn:            aws.String(b.serviceRole("eks-cluster", "eks.amazonaws.com", "AmazonEKSClusterPolicy")),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: subnets, EndpointPublicAccess: aws.Bool(true), EndpointPrivateAccess: aws.Bool(false)},
	})
	b.must(err, "eks cluster")

	// Secrets Manager: a secret that is never rotated.
	sec, err := secretsmanager.NewFromConfig(cfg).CreateSecret(b.ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("db-password"), SecretString: aws.String("hunter2")})
	b.must(err, "secret")
	// The ARN ends in the name and six random characters.
	if arn := aws.ToString(sec.ARN); len(arn) > 7 {
		b.name(arn[strings.LastIndex(arn, ":")+1:], "secret-db-password")
	}

	// ACM: an imported certificate with a 1024-bit key that expires in ten days.
	b.importCert("weak.example.com", 1024, 10*24*time.Hour)

	// WAFv2: a web ACL without rules, not logging.
	_, err = wafv2.NewFromConfig(cfg).CreateWebACL(b.ctx, &wafv2.CreateWebACLInput{
		Name: aws.String("empty-acl"), Scope: waftypes.ScopeRegional,
		DefaultAction:    &waftypes.DefaultAction{Allow: &waftypes.AllowAction{}},
		VisibilityConfig: &waftypes.VisibilityConfig{SampledRequestsEnabled: false, CloudWatchMetricsEnabled: false, MetricName: aws.String("empty-acl")},
	})
	b.must(err, "wafv2 web acl")

	// Auto Scaling: a launch configuration with public IPs and IMDSv1, in
	// one AZ.
	asc := autoscaling.NewFromConfig(cfg)
	_, err = asc.CreateLaunchConfiguration(b.ctx, &autoscaling.CreateLaunchConfigurationInput{
		LaunchConfigurationName: aws.String("legacy-lc"), ImageId: aws.String(amiID), InstanceType: aws.String("t3.micro"),
		AssociatePublicIpAddress: aws.Bool(true),
		MetadataOptions:          &astypes.InstanceMetadataOptions{HttpTokens: astypes.InstanceMetadataHttpTokensStateOptional, HttpEndpoint: astypes.InstanceMetadataEndpointStateEnabled},
	})
	b.must(err, "launch configuration")
	_, err = asc.CreateAutoScalingGroup(b.ctx, &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String("legacy-asg"), LaunchConfigurationName: aws.String("legacy-lc"),
		MinSize: aws.Int32(0), MaxSize: aws.Int32(1), DesiredCapacity: aws.Int32(0), VPCZoneIdentifier: aws.String(subnet),
	})
	b.must(err, "auto scaling group")

	// Classic Load Balancer: plain HTTP, one AZ.
	sg := b.createSG(r, vpc, "clb", []ec2types.IpPermission{tcp(80, "0.0.0.0/0", "")})
	_, err = elb.NewFromConfig(cfg).CreateLoadBalancer(b.ctx, &elb.CreateLoadBalancerInput{
		LoadBalancerName: aws.String("legacy-clb"), Subnets: []string{subnet}, SecurityGroups: []string{sg},
		Listeners: []elbtypes.Listener{{Protocol: aws.String("HTTP"), LoadBalancerPort: 80, InstanceProtocol: aws.String("HTTP"), InstancePort: aws.Int32(80)}},
	})
	b.must(err, "classic load balancer")
}

// buildWellConfiguredServices adds carefully configured services to the
// well-configured account. keyARN is the account's rotating KMS key,
// instance its one EC2 instance and web that instance's security group.
func buildWellConfiguredServices(b *builder, keyARN, instance, web string) {
	r := primary
	cfg := b.cfg(r)
	subnets := b.twoSubnets(r)

	// An interface endpoint for the EC2 API in every VPC (FSBP EC2.10).
	for _, region := range scanRegions {
		vpc, sub, _, _ := b.defaultVPC(region)
		ep, err := b.ec2(region).CreateVpcEndpoint(b.ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc),
			ServiceName: aws.String("com.amazonaws." + region + ".ec2"), VpcEndpointType: ec2types.VpcEndpointTypeInterface,
			SubnetIds: []string{sub}, PrivateDnsEnabled: aws.Bool(true)})
		b.must(err, "ec2 endpoint "+region)
		b.name(aws.ToString(ep.VpcEndpoint.VpcEndpointId), "vpce-ec2@"+region)
	}

	// The instance gets a role through an instance profile (FSBP EC2.x,
	// least privilege for the guest: no long-term keys on the instance).
	ic := b.iam()
	b.serviceRole("app-instance", "ec2.amazonaws.com", "AmazonSSMManagedInstanceCore")
	_, err := ic.CreateInstanceProfile(b.ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("app-instance")})
	b.must(err, "instance profile")
	_, err = ic.AddRoleToInstanceProfile(b.ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("app-instance"), RoleName: aws.String("app-instance")})
	b.must(err, "instance profile role")
	_, err = b.ec2(r).AssociateIamInstanceProfile(b.ctx, &ec2.AssociateIamInstanceProfileInput{InstanceId: aws.String(instance),
		IamInstanceProfile: &ec2types.IamInstanceProfileSpecification{Name: aws.String("app-instance")}})
	b.must(err, "associate instance profile")

	// CIS 4.1–4.15: a metric filter per control on the trail's log group,
	// an alarm on each metric, notifying an encrypted SNS topic with a
	// confirmed (SQS) subscription.
	queue, err := sqs.NewFromConfig(cfg).CreateQueue(b.ctx, &sqs.CreateQueueInput{QueueName: aws.String("security-alarms"),
		Attributes: map[string]string{"KmsMasterKeyId": keyARN}})
	b.must(err, "alarm queue")
	qa, err := sqs.NewFromConfig(cfg).GetQueueAttributes(b.ctx, &sqs.GetQueueAttributesInput{QueueUrl: queue.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	b.must(err, "alarm queue ARN")
	sc := sns.NewFromConfig(cfg)
	// Delivery status logging for the SQS protocol (FSBP SNS.2).
	feedback := b.serviceRole("sns-delivery-logs", "sns.amazonaws.com")
	topic, err := sc.CreateTopic(b.ctx, &sns.CreateTopicInput{Name: aws.String("security-alarms"),
		Attributes: map[string]string{"KmsMasterKeyId": keyARN, "SQSSuccessFeedbackRoleArn": feedback,
			"SQSFailureFeedbackRoleArn": feedback, "SQSSuccessFeedbackSampleRate": "100"}})
	b.must(err, "alarm topic")
	_, err = sc.Subscribe(b.ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(qa.Attributes[string(sqstypes.QueueAttributeNameQueueArn)])})
	b.must(err, "alarm subscription")
	cwl := cloudwatchlogs.NewFromConfig(cfg)
	cw := logs.AlarmsClient(cfg)
	for _, m := range checks.CISMetricFilters() {
		name := "cis-" + m.Control + "-" + m.Name
		_, err = cwl.PutMetricFilter(b.ctx, &cloudwatchlogs.PutMetricFilterInput{
			LogGroupName: aws.String("cloudtrail"), FilterName: aws.String(name), FilterPattern: aws.String(m.Pattern),
			MetricTransformations: []cwltypes.MetricTransformation{{MetricName: aws.String(name), MetricNamespace: aws.String("CISBenchmark"), MetricValue: aws.String("1")}},
		})
		b.must(err, "metric filter "+name)
		_, err = cw.PutMetricAlarm(b.ctx, &cloudwatch.PutMetricAlarmInput{
			AlarmName: aws.String(name), MetricName: aws.String(name), Namespace: aws.String("CISBenchmark"),
			Statistic: cwtypes.StatisticSum, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
			ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold, ActionsEnabled: aws.Bool(true),
			AlarmActions: []string{aws.ToString(topic.TopicArn)},
		})
		b.must(err, "alarm "+name)
	}

	// S3 (FSBP S3.10, S3.11, S3.13): a lifecycle configuration and event
	// notifications to an encrypted queue on both buckets.
	events, err := sqs.NewFromConfig(cfg).CreateQueue(b.ctx, &sqs.CreateQueueInput{QueueName: aws.String("s3-events"),
		Attributes: map[string]string{"SqsManagedSseEnabled": "true"}})
	b.must(err, "s3 events queue")
	eventsARN := "arn:aws:sqs:" + r + ":" + b.account + ":s3-events"
	_, err = sqs.NewFromConfig(cfg).SetQueueAttributes(b.ctx, &sqs.SetQueueAttributesInput{QueueUrl: events.QueueUrl,
		Attributes: map[string]string{string(sqstypes.QueueAttributeNamePolicy): policyJSON(map[string]any{
			"Effect": "Allow", "Principal": map[string]any{"Service": "s3.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": eventsARN,
			"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": b.account}}})}})
	b.must(err, "s3 events queue policy")
	for _, bucket := range []string{"logs-" + b.account, "data-" + b.account} {
		_, err = b.s3().PutBucketLifecycleConfiguration(b.ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(bucket),
			LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{{
				ID: aws.String("tidy"), Status: s3types.ExpirationStatusEnabled, Filter: &s3types.LifecycleRuleFilter{Prefix: aws.String("")},
				NoncurrentVersionExpiration:    &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(90)},
				AbortIncompleteMultipartUpload: &s3types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(7)},
			}}}})
		b.must(err, "bucket lifecycle "+bucket)
		_, err = b.s3().PutBucketNotificationConfiguration(b.ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(bucket),
			NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
				QueueArn: aws.String(eventsARN), Events: []s3types.Event{s3types.EventS3ObjectRemoved, s3types.EventS3ObjectCreated}}}}})
		b.must(err, "bucket notifications "+bucket)
	}

	// DynamoDB: on-demand capacity, PITR, deletion protection, KMS.
	dc := dynamodb.NewFromConfig(cfg)
	_, err = dc.CreateTable(b.ctx, &dynamodb.CreateTableInput{
		TableName:                 aws.String("orders"),
		AttributeDefinitions:      []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:                 []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:               ddbtypes.BillingModePayPerRequest,
		DeletionProtectionEnabled: aws.Bool(true),
		SSESpecification:          &ddbtypes.SSESpecification{Enabled: aws.Bool(true), SSEType: ddbtypes.SSETypeKms, KMSMasterKeyId: aws.String(keyARN)},
	})
	b.must(err, "dynamodb table")
	_, err = dc.UpdateContinuousBackups(b.ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String("orders"),
		PointInTimeRecoverySpecification: &ddbtypes.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}})
	b.must(err, "dynamodb PITR")

	// AWS Backup: an encrypted vault and a daily plan selecting every EBS
	// volume, RDS instance and DynamoDB table.
	bc := backup.NewFromConfig(cfg)
	_, err = bc.CreateBackupVault(b.ctx, &backup.CreateBackupVaultInput{BackupVaultName: aws.String("main"), EncryptionKeyArn: aws.String(keyARN)})
	b.must(err, "backup vault")
	plan, err := bc.CreateBackupPlan(b.ctx, &backup.CreateBackupPlanInput{BackupPlan: &bktypes.BackupPlanInput{
		BackupPlanName: aws.String("daily"),
		Rules: []bktypes.BackupRuleInput{{RuleName: aws.String("daily"), TargetBackupVaultName: aws.String("main"),
			ScheduleExpression: aws.String("cron(0 5 ? * * *)"), Lifecycle: &bktypes.Lifecycle{DeleteAfterDays: aws.Int64(35)}}},
	}})
	b.must(err, "backup plan")
	// Through the front: moto has no backup selections (serveSelections).
	_, err = backup.NewFromConfig(b.front.config(r)).CreateBackupSelection(b.ctx, &backup.CreateBackupSelectionInput{BackupPlanId: plan.BackupPlanId, BackupSelection: &bktypes.BackupSelection{
		SelectionName: aws.String("stateful"),
		IamRoleArn:    aws.String(b.serviceRole("backup", "backup.amazonaws.com", "service-role/AWSBackupServiceRolePolicyForBackup")),
		Resources:     []string{"arn:aws:ec2:*:*:volume/*", "arn:aws:rds:*:*:db:*", "arn:aws:dynamodb:*:*:table/*"},
	}})
	b.must(err, "backup selection")

	// Lambda: a supported runtime, in the VPC across two AZs, no resource
	// policy. It shares the instance's SG: moto creates no Lambda ENI, so a
	// group of its own would look unused (FSBP EC2.22).
	lsg := web
	_, err = lambda.NewFromConfig(cfg).CreateFunction(b.ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("app-fn"), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("index.handler"),
		Role:      aws.String(b.serviceRole("app-lambda", "lambda.amazonaws.com", "service-role/AWSLambdaVPCAccessExecutionRole")),
		Code:      &lambdatypes.FunctionCode{ZipFile: lambdaZip(b)},
		VpcConfig: &lambdatypes.VpcConfig{SubnetIds: subnets, SecurityGroupIds: []string{lsg}},
	})
	b.must(err, "lambda function")

	// ECR: immutable tags, scan on push, KMS, a lifecycle policy.
	ec := ecr.NewFromConfig(cfg)
	_, err = ec.CreateRepository(b.ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("app"),
		ImageTagMutability:         ecrtypes.ImageTagMutabilityImmutable,
		ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: true},
		EncryptionConfiguration:    &ecrtypes.EncryptionConfiguration{EncryptionType: ecrtypes.EncryptionTypeKms, KmsKey: aws.String(keyARN)},
	})
	b.must(err, "ecr repository")
	_, err = ec.PutLifecyclePolicy(b.ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String("app"),
		LifecyclePolicyText: aws.String(`{"rules":[{"rulePriority":1,"description":"expire untagged","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}`)})
	b.must(err, "ecr lifecycle policy")

	// EKS: a supported version, private endpoint, secrets encrypted with
	// KMS, every control-plane log type.
	_, err = eks.NewFromConfig(cfg).CreateCluster(b.ctx, &eks.CreateClusterInput{
		Name: aws.String("app-cluster"), Version: aws.String("1.35"),
		RoleArn:            aws.String(b.serviceRole("eks-cluster", "eks.amazonaws.com", "AmazonEKSClusterPolicy")),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: subnets, EndpointPublicAccess: aws.Bool(false), EndpointPrivateAccess: aws.Bool(true)},
		EncryptionConfig:   []ekstypes.EncryptionConfig{{Resources: []string{"secrets"}, Provider: &ekstypes.Provider{KeyArn: aws.String(keyARN)}}},
		Logging: &ekstypes.Logging{ClusterLogging: []ekstypes.LogSetup{{Enabled: aws.Bool(true), Types: []ekstypes.LogType{
			ekstypes.LogTypeApi, ekstypes.LogTypeAudit, ekstypes.LogTypeAuthenticator, ekstypes.LogTypeControllerManager, ekstypes.LogTypeScheduler}}}},
	})
	b.must(err, "eks cluster")

	// ACM: an imported RSA-2048 certificate valid for a year.
	b.importCert("app.example.com", 2048, 365*24*time.Hour)

	// WAFv2: a web ACL with a managed rule group, metrics on, logging to a
	// CloudWatch Logs group named as AWS WAF requires (aws-waf-logs-…).
	wc := wafv2.NewFromConfig(cfg)
	acl, err := wc.CreateWebACL(b.ctx, &wafv2.CreateWebACLInput{
		Name: aws.String("app-acl"), Scope: waftypes.ScopeRegional,
		DefaultAction: &waftypes.DefaultAction{Allow: &waftypes.AllowAction{}},
		Rules: []waftypes.Rule{{
			Name: aws.String("common"), Priority: 0,
			Statement:        &waftypes.Statement{ManagedRuleGroupStatement: &waftypes.ManagedRuleGroupStatement{VendorName: aws.String("AWS"), Name: aws.String("AWSManagedRulesCommonRuleSet")}},
			OverrideAction:   &waftypes.OverrideAction{None: &waftypes.NoneAction{}},
			VisibilityConfig: &waftypes.VisibilityConfig{SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: aws.String("common")},
		}},
		VisibilityConfig: &waftypes.VisibilityConfig{SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: aws.String("app-acl")},
	})
	b.must(err, "wafv2 web acl")
	_, err = cwl.CreateLogGroup(b.ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("aws-waf-logs-app")})
	b.must(err, "waf log group")
	_, err = wc.PutLoggingConfiguration(b.ctx, &wafv2.PutLoggingConfigurationInput{LoggingConfiguration: &waftypes.LoggingConfiguration{
		ResourceArn:           acl.Summary.ARN,
		LogDestinationConfigs: []string{fmt.Sprintf("arn:aws:logs:%s:%s:log-group:aws-waf-logs-app", r, b.account)},
	}})
	b.must(err, "wafv2 logging")
}

// buildMisconfiguredEdge adds the services of the second coverage round to
// the misconfigured account: EFS, CloudFront, API Gateway, DAX, an S3
// access point and an IAM Identity Center permission set.
func buildMisconfiguredEdge(b *builder) {
	r := primary
	cfg := b.cfg(r)
	_, subnet, _, _ := b.defaultVPC(r)

	// EFS: unencrypted, no backups, a mount target in a subnet that maps
	// public IPs, an access point at "/" without a POSIX user.
	ec := efs.NewFromConfig(cfg)
	fs, err := ec.CreateFileSystem(b.ctx, &efs.CreateFileSystemInput{CreationToken: aws.String("shared-fs"), Encrypted: aws.Bool(false),
		Tags: []efstypes.Tag{{Key: aws.String("Name"), Value: aws.String("shared-fs")}}})
	b.must(err, "efs file system")
	b.name(aws.ToString(fs.FileSystemId), "fs-shared")
	// A file system policy letting every principal mount and write.
	fsARN := "arn:aws:elasticfilesystem:" + r + ":" + b.account + ":file-system/" + aws.ToString(fs.FileSystemId)
	_, err = ec.PutFileSystemPolicy(b.ctx, &efs.PutFileSystemPolicyInput{FileSystemId: fs.FileSystemId, BypassPolicyLockoutSafetyCheck: true,
		Policy: aws.String(policyJSON(map[string]any{"Sid": "Open", "Effect": "Allow", "Principal": map[string]any{"AWS": "*"},
			"Action": []string{"elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"}, "Resource": fsARN}))})
	b.must(err, "efs file system policy")
	mt, err := ec.CreateMountTarget(b.ctx, &efs.CreateMountTargetInput{FileSystemId: fs.FileSystemId, SubnetId: aws.String(subnet)})
	b.must(err, "efs mount target")
	b.name(aws.ToString(mt.MountTargetId), "fsmt-shared")
	ap, err := ec.CreateAccessPoint(b.ctx, &efs.CreateAccessPointInput{FileSystemId: fs.FileSystemId, ClientToken: aws.String("root-ap"),
		RootDirectory: &efstypes.RootDirectory{Path: aws.String("/")}})
	b.must(err, "efs access point")
	b.name(aws.ToString(ap.AccessPointId), "fsap-root")

	// CloudFront: an S3 origin without origin access control, viewers on
	// plain HTTP, the default certificate, no logging, no WAF, no root
	// object, no failover.
	dist, err := cloudfront.NewFromConfig(cfg).CreateDistribution(b.ctx, &cloudfront.CreateDistributionInput{DistributionConfig: &cftypes.DistributionConfig{
		CallerReference: aws.String("legacy-cdn"), Comment: aws.String("legacy"), Enabled: aws.Bool(true),
		Origins: &cftypes.Origins{Quantity: aws.Int32(1), Items: []cftypes.Origin{{
			Id: aws.String("public-bucket"), DomainName: aws.String("public-" + b.account + ".s3.amazonaws.com"),
			S3OriginConfig: &cftypes.S3OriginConfig{OriginAccessIdentity: aws.String("")},
		}}},
		DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{
			TargetOriginId: aws.String("public-bucket"), ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyAllowAll,
			MinTTL:          aws.Int64(0),
			ForwardedValues: &cftypes.ForwardedValues{QueryString: aws.Bool(false), Cookies: &cftypes.CookiePreference{Forward: cftypes.ItemSelectionNone}},
			TrustedSigners:  &cftypes.TrustedSigners{Enabled: aws.Bool(false), Quantity: aws.Int32(0)},
		},
	}})
	b.must(err, "cloudfront distribution")
	b.name(aws.ToString(dist.Distribution.Id), "cf-legacy")

	// API Gateway: a REST API stage without logging, tracing, client
	// certificate or WAF; an HTTP API with an unauthenticated route and no
	// access log.
	ag := apigateway.NewFromConfig(cfg)
	api, err := ag.CreateRestApi(b.ctx, &apigateway.CreateRestApiInput{Name: aws.String("legacy-api")})
	b.must(err, "rest api")
	b.name(aws.ToString(api.Id), "restapi-legacy")
	res, err := ag.GetResources(b.ctx, &apigateway.GetResourcesInput{RestApiId: api.Id})
	b.must(err, "rest api resources")
	root := res.Items[0].Id
	_, err = ag.PutMethod(b.ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: root, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
	b.must(err, "rest api method")
	_, err = ag.PutIntegration(b.ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: root, HttpMethod: aws.String("GET"),
		Type: agtypes.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("GET"), Uri: aws.String("http://backend.example.com/")})
	b.must(err, "rest api integration")
	_, err = ag.CreateDeployment(b.ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")})
	b.must(err, "rest api deployment")
	g2 := apigatewayv2.NewFromConfig(cfg)
	httpAPI, err := g2.CreateApi(b.ctx, &apigatewayv2.CreateApiInput{Name: aws.String("legacy-http"), ProtocolType: ag2types.ProtocolTypeHttp})
	b.must(err, "http api")
	b.name(aws.ToString(httpAPI.ApiId), "httpapi-legacy")
	route, err := g2.CreateRoute(b.ctx, &apigatewayv2.CreateRouteInput{ApiId: httpAPI.ApiId, RouteKey: aws.String("GET /items"),
		AuthorizationType: ag2types.AuthorizationTypeNone})
	b.must(err, "http api route")
	b.name(aws.ToString(route.RouteId), "route-get-items")
	_, err = g2.CreateStage(b.ctx, &apigatewayv2.CreateStageInput{ApiId: httpAPI.ApiId, StageName: aws.String("$default")})
	b.must(err, "http api stage")

	// DAX: a cluster encrypted neither at rest nor in transit.
	_, err = dax.NewFromConfig(cfg).CreateCluster(b.ctx, &dax.CreateClusterInput{ClusterName: aws.String("legacy-dax"),
		NodeType: aws.String("dax.t3.small"), ReplicationFactor: 1,
		IamRoleArn: aws.String(b.serviceRole("dax-access", "dax.amazonaws.com"))})
	b.must(err, "dax cluster")

	// S3 access point without Block Public Access.
	_, err = s3control.NewFromConfig(cfg).CreateAccessPoint(b.ctx, &s3control.CreateAccessPointInput{AccountId: aws.String(b.account),
		Bucket: aws.String("public-" + b.account), Name: aws.String("open-ap"),
		PublicAccessBlockConfiguration: &s3ctypes.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(false),
			BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}})
	b.must(err, "s3 access point")

	// IAM Identity Center: a permission set granting AdministratorAccess
	// (moto gives every region an instance).
	sso := ssoadmin.NewFromConfig(cfg)
	inst, err := sso.ListInstances(b.ctx, &ssoadmin.ListInstancesInput{})
	b.must(err, "identity center instances")
	if len(inst.Instances) > 0 {
		ps, err := sso.CreatePermissionSet(b.ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: inst.Instances[0].InstanceArn,
			Name: aws.String("Admins"), SessionDuration: aws.String("PT1H")})
		b.must(err, "permission set")
		b.name(lastSegment(aws.ToString(inst.Instances[0].InstanceArn)), "ssoins-moto")
		b.name(lastSegment(aws.ToString(ps.PermissionSet.PermissionSetArn)), "ps-admins")
		_, err = sso.AttachManagedPolicyToPermissionSet(b.ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{
			InstanceArn: inst.Instances[0].InstanceArn, PermissionSetArn: ps.PermissionSet.PermissionSetArn,
			ManagedPolicyArn: aws.String(b.awsPolicy("AdministratorAccess"))})
		b.must(err, "permission set policy")
	}
}
