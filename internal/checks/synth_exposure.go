package checks

import (
	"fmt"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/ecr"
	"github.com/demarc-sec/demarc/internal/model/kms"
	"github.com/demarc-sec/demarc/internal/model/lambda"
	"github.com/demarc-sec/demarc/internal/model/rds"
	"github.com/demarc-sec/demarc/internal/model/secretsmanager"
	"github.com/demarc-sec/demarc/internal/model/sns"
	"github.com/demarc-sec/demarc/internal/model/sqs"
)

// addSyntheticExposure gives a synthetic snapshot KMS keys, SQS queues, SNS
// topics, Lambda functions, ECR repositories, secrets and RDS snapshots in
// every region (about one of each per 1,000 resources), a third of them
// public, a third shared with another account and a third private.
func addSyntheticExposure(s *model.Snapshot, acct string, n int) {
	perRegion := max(3, n/1000/len(syntheticRegions))
	const other = "444455556666"
	principal := func(i int) string {
		switch i % 3 {
		case 0:
			return `"*"`
		case 1:
			return `{"AWS":"` + other + `"}`
		}
		return `{"AWS":"arn:aws:iam::` + acct + `:root"}`
	}
	policy := func(i int, action, resource string) string {
		p := principal(i)
		res := ""
		if resource != "" {
			res = `,"Resource":"` + resource + `"`
		}
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + p + `,"Action":"` + action + `"` + res + `}]}`
	}
	for _, region := range syntheticRegions {
		arn := func(svc, res string) string { return "arn:aws:" + svc + ":" + region + ":" + acct + ":" + res }
		meta := func(a string) core.Meta { return core.Meta{ARN: a, Account: acct, Region: region} }
		var keys []kms.Key
		var queues []sqs.Queue
		var topics []sns.Topic
		var fns []lambda.Function
		var repos []ecr.Repository
		var secrets []secretsmanager.Secret
		var snaps, clusterSnaps []rds.Snapshot
		for i := 0; i < perRegion; i++ {
			k := arn("kms", fmt.Sprintf("key/k-%d", i))
			keys = append(keys, kms.Key{Meta: meta(k), ID: fmt.Sprintf("k-%d", i), Policy: core.Known(policy(i, "kms:*", "*"))})
			q := arn("sqs", fmt.Sprintf("q-%d", i))
			queues = append(queues, sqs.Queue{Meta: meta(q), Name: fmt.Sprintf("q-%d", i), Attributes: core.Known(sqs.QueueAttributes{Policy: policy(i, "sqs:SendMessage", q)})})
			t := arn("sns", fmt.Sprintf("t-%d", i))
			topics = append(topics, sns.Topic{Meta: meta(t), Name: fmt.Sprintf("t-%d", i), Attributes: core.Known(sns.TopicAttributes{Policy: policy(i, "sns:Publish", t)})})
			f := arn("lambda", fmt.Sprintf("function:f-%d", i))
			fns = append(fns, lambda.Function{Meta: meta(f), Name: fmt.Sprintf("f-%d", i), Policy: core.Known(policy(i, "lambda:InvokeFunction", f)), URLs: core.Known([]lambda.FunctionURL{})})
			repos = append(repos, ecr.Repository{Meta: meta(arn("ecr", fmt.Sprintf("repository/r-%d", i))), Name: fmt.Sprintf("r-%d", i), Policy: core.Known(policy(i, "ecr:BatchGetImage", ""))})
			secrets = append(secrets, secretsmanager.Secret{Meta: meta(arn("secretsmanager", fmt.Sprintf("secret:s-%d-AbCdEf", i))), Name: fmt.Sprintf("s-%d", i), Policy: core.Known(policy(i, "secretsmanager:GetSecretValue", "*"))})
			restore := [][]string{{"all"}, {other}, {}}[i%3]
			snaps = append(snaps, rds.Snapshot{Meta: meta(arn("rds", fmt.Sprintf("snapshot:db-%d", i))), ID: fmt.Sprintf("db-%d", i), Type: "manual", RestoreAccounts: core.Known(restore)})
			clusterSnaps = append(clusterSnaps, rds.Snapshot{Meta: meta(arn("rds", fmt.Sprintf("cluster-snapshot:cl-%d", i))), ID: fmt.Sprintf("cl-%d", i), Type: "manual", RestoreAccounts: core.Known(restore)})
		}
		s.KMS = append(s.KMS, kms.Region{Name: region, Keys: core.Known(keys)})
		s.SQS = append(s.SQS, sqs.Region{Name: region, Queues: core.Known(queues)})
		s.SNS = append(s.SNS, sns.Region{Name: region, Topics: core.Known(topics), Subscriptions: core.Known([]sns.Subscription{})})
		s.Lambda = append(s.Lambda, lambda.Region{Name: region, Functions: core.Known(fns)})
		s.ECR = append(s.ECR, ecr.Region{Name: region, Repositories: core.Known(repos)})
		s.SecretsManager = append(s.SecretsManager, secretsmanager.Region{Name: region, Secrets: core.Known(secrets)})
		s.RDS = append(s.RDS, rds.Region{Name: region, Instances: core.Known([]rds.Instance{}), Clusters: core.Known([]rds.Cluster{}),
			Snapshots: core.Known(snaps), ClusterSnapshots: core.Known(clusterSnaps)})
	}
}
