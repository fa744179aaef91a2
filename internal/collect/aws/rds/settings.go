package rds

import (
	"context"
	"sort"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsrds "github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model/core"
	rdsm "github.com/demarc-sec/demarc/internal/model/rds"
)

// watchedParameters are the DB parameters rules read. A parameter group
// has hundreds; the snapshot keeps only these, so it stays small and a
// rule that needs another parameter adds it here.
var watchedParameters = map[string]bool{
	"rds.force_ssl":            true, // PostgreSQL (and SQL Server): FSBP RDS.38
	"require_secure_transport": true, // MySQL and MariaDB: FSBP RDS.39
}

func convEventSubscription(s scope, in types.EventSubscription) rdsm.EventSubscription {
	name := sdk.ToString(in.CustSubscriptionId)
	return rdsm.EventSubscription{
		Meta:            s.meta(sdk.ToString(in.EventSubscriptionArn), "es", name, nil),
		Name:            name,
		SNSTopicARN:     sdk.ToString(in.SnsTopicArn),
		SourceType:      sdk.ToString(in.SourceType),
		SourceIDs:       sorted(in.SourceIdsList),
		EventCategories: sorted(in.EventCategoriesList),
		Enabled:         sdk.ToBool(in.Enabled),
		Status:          sdk.ToString(in.Status),
	}
}

// parameterGroups reads the watched parameters of every DB parameter group
// attached to an instance, each group once. A group that cannot be read is
// listed with unknown parameters, so a rule can say which group it could
// not see.
func parameterGroups(ctx context.Context, env *aws.Env, c API, s scope, instances core.Val[[]rdsm.Instance]) core.Val[[]rdsm.ParameterGroup] {
	insts, ok := instances.Get()
	if !ok {
		return core.Unknown[[]rdsm.ParameterGroup]("DB instances unreadable: " + instances.Why())
	}
	seen := map[string]bool{}
	var names []string
	for _, i := range insts {
		for _, n := range i.ParameterGroups {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)
	out := make([]rdsm.ParameterGroup, len(names))
	kit.Each(ctx, len(names), kit.ItemConcurrency, func(ctx context.Context, i int) {
		g := rdsm.ParameterGroup{Meta: s.meta("", "pg", names[i], nil), Name: names[i]}
		p := awsrds.NewDescribeDBParametersPaginator(c, &awsrds.DescribeDBParametersInput{DBParameterGroupName: sdk.String(names[i])})
		params, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsrds.DescribeDBParametersOutput) []types.Parameter { return o.Parameters })
		if err != nil {
			g.Parameters = core.Unknown[map[string]string](env.Unknown(service, s.region, "DescribeDBParameters", g.ARN, err))
		} else {
			g.Parameters = core.Known(watched(params))
		}
		out[i] = g
	})
	return core.Known(out)
}

// watched keeps the watched parameters that have a value. Names are
// matched case-insensitively (RDS reports them in lower case) and stored
// as watchedParameters spells them.
func watched(params []types.Parameter) map[string]string {
	m := map[string]string{}
	for _, p := range params {
		name := strings.ToLower(sdk.ToString(p.ParameterName))
		if watchedParameters[name] && p.ParameterValue != nil {
			m[name] = *p.ParameterValue
		}
	}
	return m
}
