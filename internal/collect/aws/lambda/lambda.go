// Package lambda collects AWS Lambda functions in every region: runtime,
// execution role, VPC attachment, environment variable names, the
// resource-based policy and function URLs.
//
// Environment variable values are dropped as soon as the SDK returns them:
// they often hold secrets and must never reach a snapshot.
package lambda

import (
	"context"
	"sort"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/core"
	lambdam "github.com/demarc-sec/demarc/internal/model/lambda"
)

const service = "lambda"

// API is the part of the Lambda client the collector uses.
type API interface {
	awslambda.ListFunctionsAPIClient
	awslambda.ListFunctionUrlConfigsAPIClient
	GetPolicy(context.Context, *awslambda.GetPolicyInput, ...func(*awslambda.Options)) (*awslambda.GetPolicyOutput, error)
}

type collector struct{}

// New returns the Lambda collector. It is global to the runner and reads
// every region of the snapshot itself, writing only snap.Lambda.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return service }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	prefix := snap.ARNPrefix()
	regions, err := kit.PerRegion(ctx, env, service, snap.Regions, kit.RegionConcurrency,
		func(ctx context.Context, region string) (lambdam.Region, error) {
			return CollectRegion(ctx, env, awslambda.NewFromConfig(env.Config(region)), prefix, region)
		})
	snap.Lambda = regions
	return err
}

// CollectRegion reads the functions of one region. The error is non-nil
// only when the functions could not be listed.
func CollectRegion(ctx context.Context, env *aws.Env, c API, arnPrefix, region string) (lambdam.Region, error) {
	r := lambdam.Region{Name: region}
	p := awslambda.NewListFunctionsPaginator(c, &awslambda.ListFunctionsInput{})
	list, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awslambda.ListFunctionsOutput) []types.FunctionConfiguration { return o.Functions })
	if err != nil {
		r.Functions = core.Unknown[[]lambdam.Function](env.Unknown(service, region, "ListFunctions", "", err))
		return r, err
	}
	fns := make([]lambdam.Function, len(list))
	for i, f := range list {
		fns[i] = convFunction(arnPrefix, env.AccountID, region, f)
		list[i].Environment = nil // drop the values now; only names are kept
	}
	kit.Each(ctx, len(fns), kit.ItemConcurrency, func(ctx context.Context, i int) {
		f := &fns[i]
		f.Policy = readPolicy(ctx, env, c, region, f)
		f.URLs = readURLs(ctx, env, c, region, f)
	})
	sort.Slice(fns, func(i, j int) bool { return fns[i].Name < fns[j].Name })
	r.Functions = core.Known(fns)
	return r, nil
}

// readPolicy reads the resource-based policy of the unqualified function.
// Lambda answers ResourceNotFoundException when the function has no policy
// (https://docs.aws.amazon.com/lambda/latest/api/API_GetPolicy.html); the
// function itself was just listed, so that means "no policy".
func readPolicy(ctx context.Context, env *aws.Env, c API, region string, f *lambdam.Function) core.Val[string] {
	out, err := c.GetPolicy(ctx, &awslambda.GetPolicyInput{FunctionName: sdk.String(f.ARN)})
	switch {
	case kit.IsCode(err, "ResourceNotFoundException"):
		return core.Known("")
	case err != nil:
		return core.Unknown[string](env.Unknown(service, region, "GetPolicy", f.ARN, err))
	case out == nil:
		return core.Unknown[string]("not reported (lambda:GetPolicy)")
	}
	return core.Known(sdk.ToString(out.Policy))
}

// readURLs lists the function URLs of the function and its aliases.
func readURLs(ctx context.Context, env *aws.Env, c API, region string, f *lambdam.Function) core.Val[[]lambdam.FunctionURL] {
	p := awslambda.NewListFunctionUrlConfigsPaginator(c, &awslambda.ListFunctionUrlConfigsInput{FunctionName: sdk.String(f.ARN)})
	list, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awslambda.ListFunctionUrlConfigsOutput) []types.FunctionUrlConfig {
		return o.FunctionUrlConfigs
	})
	if err != nil {
		return core.Unknown[[]lambdam.FunctionURL](env.Unknown(service, region, "ListFunctionUrlConfigs", f.ARN, err))
	}
	out := []lambdam.FunctionURL{}
	for _, u := range list {
		out = append(out, lambdam.FunctionURL{
			FunctionARN: sdk.ToString(u.FunctionArn),
			URL:         sdk.ToString(u.FunctionUrl),
			AuthType:    string(u.AuthType),
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FunctionARN < out[j].FunctionARN })
	return core.Known(out)
}

// convFunction converts a listed function. It reads only the names of the
// environment variables.
func convFunction(arnPrefix, account, region string, f types.FunctionConfiguration) lambdam.Function {
	name := sdk.ToString(f.FunctionName)
	arn := sdk.ToString(f.FunctionArn)
	if arn == "" {
		arn = arnPrefix + ":lambda:" + region + ":" + account + ":function:" + name
	}
	out := lambdam.Function{
		Meta:         core.Meta{ARN: arn, Account: account, Region: region},
		Name:         name,
		Runtime:      string(f.Runtime),
		PackageType:  string(f.PackageType),
		Role:         sdk.ToString(f.Role),
		KMSKeyARN:    sdk.ToString(f.KMSKeyArn),
		LastModified: sdk.ToString(f.LastModified),
	}
	for _, a := range f.Architectures {
		out.Architectures = append(out.Architectures, string(a))
	}
	if v := f.VpcConfig; v != nil && (sdk.ToString(v.VpcId) != "" || len(v.SubnetIds) > 0) {
		// Lambda reports an empty VpcConfig for functions outside a VPC.
		out.VPC = &lambdam.VPCConfig{
			VPCID:            sdk.ToString(v.VpcId),
			SubnetIDs:        sortedCopy(v.SubnetIds),
			SecurityGroupIDs: sortedCopy(v.SecurityGroupIds),
		}
	}
	if f.Environment != nil {
		for k := range f.Environment.Variables {
			out.EnvVarNames = append(out.EnvVarNames, k)
		}
		sort.Strings(out.EnvVarNames)
	}
	if f.TracingConfig != nil {
		out.TracingMode = string(f.TracingConfig.Mode)
	}
	for _, l := range f.Layers {
		if a := sdk.ToString(l.Arn); a != "" {
			out.Layers = append(out.Layers, a)
		}
	}
	if f.DeadLetterConfig != nil {
		out.DeadLetterTarget = sdk.ToString(f.DeadLetterConfig.TargetArn)
	}
	return out
}

func sortedCopy(ss []string) []string {
	out := append([]string{}, ss...)
	sort.Strings(out)
	return out
}
