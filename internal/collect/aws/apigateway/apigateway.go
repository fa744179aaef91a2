// Package apigateway collects Amazon API Gateway in every region: REST APIs
// (the apigateway API) with their stages and the integration types of their
// methods, and HTTP and WebSocket APIs (the apigatewayv2 API) with their
// stages and routes.
package apigateway

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsapigw "github.com/aws/aws-sdk-go-v2/service/apigateway"
	v1types "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	awsapigwv2 "github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	v2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit"
	"github.com/demarc-sec/demarc/internal/model"
	apigw "github.com/demarc-sec/demarc/internal/model/apigateway"
	"github.com/demarc-sec/demarc/internal/model/core"
)

const service = "apigateway"

// pageSize is the largest page GetRestApis and GetResources accept
// (https://docs.aws.amazon.com/apigateway/latest/api/API_GetRestApis.html).
const pageSize = 500

// RestAPI is the part of the API Gateway (REST) client the collector uses.
type RestAPI interface {
	awsapigw.GetRestApisAPIClient
	awsapigw.GetResourcesAPIClient
	GetStages(context.Context, *awsapigw.GetStagesInput, ...func(*awsapigw.Options)) (*awsapigw.GetStagesOutput, error)
}

// V2API is the part of the API Gateway v2 (HTTP and WebSocket) client the
// collector uses.
type V2API interface {
	GetApis(context.Context, *awsapigwv2.GetApisInput, ...func(*awsapigwv2.Options)) (*awsapigwv2.GetApisOutput, error)
	GetStages(context.Context, *awsapigwv2.GetStagesInput, ...func(*awsapigwv2.Options)) (*awsapigwv2.GetStagesOutput, error)
	GetRoutes(context.Context, *awsapigwv2.GetRoutesInput, ...func(*awsapigwv2.Options)) (*awsapigwv2.GetRoutesOutput, error)
}

type collector struct{}

// New returns the API Gateway collector. It is global to the runner and
// reads every region of the snapshot itself, writing only snap.APIGateway.
func New() aws.Collector { return collector{} }

func (collector) Name() string   { return service }
func (collector) Regional() bool { return false }

func (collector) Collect(ctx context.Context, env *aws.Env, _ string, snap *model.Snapshot) error {
	prefix := snap.ARNPrefix()
	regions, err := kit.PerRegion(ctx, env, service, snap.Regions, kit.RegionConcurrency,
		func(ctx context.Context, region string) (apigw.Region, error) {
			cfg := env.Config(region)
			return CollectRegion(ctx, env, awsapigw.NewFromConfig(cfg), awsapigwv2.NewFromConfig(cfg), prefix, region)
		})
	snap.APIGateway = regions
	return err
}

// CollectRegion reads one region. The error is non-nil only when both API
// lists failed.
func CollectRegion(ctx context.Context, env *aws.Env, rest RestAPI, v2 V2API, arnPrefix, region string) (apigw.Region, error) {
	r := apigw.Region{Name: region}
	var rerr, verr error
	r.RestAPIs, rerr = collectRestAPIs(ctx, env, rest, arnPrefix, region)
	r.APIs, verr = collectV2APIs(ctx, env, v2, arnPrefix, region)
	if rerr != nil && verr != nil {
		return r, rerr
	}
	return r, nil
}

func collectRestAPIs(ctx context.Context, env *aws.Env, c RestAPI, arnPrefix, region string) (core.Val[[]apigw.RestAPI], error) {
	p := awsapigw.NewGetRestApisPaginator(c, &awsapigw.GetRestApisInput{Limit: sdk.Int32(pageSize)})
	items, err := kit.All(ctx, p.HasMorePages, p.NextPage, func(o *awsapigw.GetRestApisOutput) []v1types.RestApi { return o.Items })
	if err != nil {
		return core.Unknown[[]apigw.RestAPI](env.Unknown(service, region, "GetRestApis", "", err)), err
	}
	out := make([]apigw.RestAPI, len(items))
	kit.Each(ctx, len(items), kit.ItemConcurrency, func(ctx context.Context, i int) {
		out[i] = readRestAPI(ctx, env, c, arnPrefix, region, items[i])
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return core.Known(out), nil
}

func readRestAPI(ctx context.Context, env *aws.Env, c RestAPI, arnPrefix, region string, in v1types.RestApi) apigw.RestAPI {
	id := sdk.ToString(in.Id)
	arn := apigw.RestAPIARN(arnPrefix, region, id)
	a := apigw.RestAPI{
		Meta:   core.Meta{ARN: arn, Account: env.AccountID, Region: region, Tags: in.Tags},
		ID:     id,
		Name:   sdk.ToString(in.Name),
		Policy: normalizePolicy(sdk.ToString(in.Policy)),
	}
	if ec := in.EndpointConfiguration; ec != nil {
		for _, t := range ec.Types {
			a.EndpointTypes = append(a.EndpointTypes, string(t))
		}
		sort.Strings(a.EndpointTypes)
	}

	st, err := c.GetStages(ctx, &awsapigw.GetStagesInput{RestApiId: in.Id})
	switch {
	case err != nil:
		a.Stages = core.Unknown[[]apigw.Stage](env.Unknown(service, region, "GetStages", arn, err))
	case st == nil:
		a.Stages = core.Unknown[[]apigw.Stage]("not reported (apigateway:GetStages)")
	default:
		stages := make([]apigw.Stage, 0, len(st.Item))
		for _, s := range st.Item {
			stages = append(stages, convStage(arnPrefix, region, id, s))
		}
		sort.Slice(stages, func(i, j int) bool { return stages[i].Name < stages[j].Name })
		a.Stages = core.Known(stages)
	}

	// Which backends the API calls decides whether a client certificate
	// can apply (AWS Config's api-gw-ssl-enabled is NOT_APPLICABLE for
	// non-HTTP integrations); embed=methods returns each method's
	// integration with its resource, one listing per API.
	rp := awsapigw.NewGetResourcesPaginator(c, &awsapigw.GetResourcesInput{RestApiId: in.Id, Embed: []string{"methods"}, Limit: sdk.Int32(pageSize)})
	res, err := kit.All(ctx, rp.HasMorePages, rp.NextPage, func(o *awsapigw.GetResourcesOutput) []v1types.Resource { return o.Items })
	if err != nil {
		a.IntegrationTypes = core.Unknown[[]string](env.Unknown(service, region, "GetResources", arn, err))
	} else {
		a.IntegrationTypes = core.Known(integrationTypes(res))
	}
	return a
}

func convStage(arnPrefix, region, apiID string, s v1types.Stage) apigw.Stage {
	name := sdk.ToString(s.StageName)
	out := apigw.Stage{
		ARN:                 apigw.RestStageARN(arnPrefix, region, apiID, name),
		Name:                name,
		DeploymentID:        sdk.ToString(s.DeploymentId),
		TracingEnabled:      s.TracingEnabled,
		CacheClusterEnabled: s.CacheClusterEnabled,
		ClientCertificateID: sdk.ToString(s.ClientCertificateId),
		WebACLARN:           sdk.ToString(s.WebAclArn),
		AccessLog:           convAccessLog(s.AccessLogSettings),
	}
	if len(s.MethodSettings) > 0 {
		out.MethodSettings = make(map[string]apigw.MethodSetting, len(s.MethodSettings))
		for k, m := range s.MethodSettings {
			out.MethodSettings[k] = apigw.MethodSetting{
				LoggingLevel:       strings.ToUpper(sdk.ToString(m.LoggingLevel)),
				DataTraceEnabled:   m.DataTraceEnabled,
				MetricsEnabled:     m.MetricsEnabled,
				CachingEnabled:     m.CachingEnabled,
				CacheDataEncrypted: m.CacheDataEncrypted,
			}
		}
	}
	return out
}

func convAccessLog(a *v1types.AccessLogSettings) *apigw.AccessLog {
	if a == nil || sdk.ToString(a.DestinationArn) == "" {
		return nil
	}
	return &apigw.AccessLog{DestinationARN: sdk.ToString(a.DestinationArn), Format: sdk.ToString(a.Format)}
}

// integrationTypes returns the distinct integration types of every method,
// sorted (never nil).
func integrationTypes(res []v1types.Resource) []string {
	seen := map[string]bool{}
	for _, r := range res {
		for _, m := range r.ResourceMethods {
			if m.MethodIntegration != nil && m.MethodIntegration.Type != "" {
				seen[string(m.MethodIntegration.Type)] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// normalizePolicy returns the resource policy as JSON. GetRestApis returns
// the document with its quotes backslash-escaped ({\"Version\":…}); a
// policy that is valid JSON already is kept as it is.
func normalizePolicy(p string) string {
	if p == "" || json.Valid([]byte(p)) {
		return p
	}
	if u := strings.ReplaceAll(p, `\"`, `"`); json.Valid([]byte(u)) {
		return u
	}
	return p
}

func collectV2APIs(ctx context.Context, env *aws.Env, c V2API, arnPrefix, region string) (core.Val[[]apigw.API], error) {
	items, err := kit.Tokens(ctx, func(ctx context.Context, token *string) ([]v2types.Api, *string, error) {
		out, err := c.GetApis(ctx, &awsapigwv2.GetApisInput{NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.Items, out.NextToken, nil
	})
	if err != nil {
		return core.Unknown[[]apigw.API](env.Unknown(service, region, "GetApis", "", err)), err
	}
	out := make([]apigw.API, len(items))
	kit.Each(ctx, len(items), kit.ItemConcurrency, func(ctx context.Context, i int) {
		out[i] = readV2API(ctx, env, c, arnPrefix, region, items[i])
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return core.Known(out), nil
}

func readV2API(ctx context.Context, env *aws.Env, c V2API, arnPrefix, region string, in v2types.Api) apigw.API {
	id := sdk.ToString(in.ApiId)
	arn := apigw.APIARN(arnPrefix, region, id)
	a := apigw.API{
		Meta:         core.Meta{ARN: arn, Account: env.AccountID, Region: region, Tags: in.Tags},
		ID:           id,
		Name:         sdk.ToString(in.Name),
		ProtocolType: string(in.ProtocolType),
		Endpoint:     sdk.ToString(in.ApiEndpoint),
	}

	stages, err := kit.Tokens(ctx, func(ctx context.Context, token *string) ([]v2types.Stage, *string, error) {
		out, err := c.GetStages(ctx, &awsapigwv2.GetStagesInput{ApiId: in.ApiId, NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.Items, out.NextToken, nil
	})
	if err != nil {
		a.Stages = core.Unknown[[]apigw.V2Stage](env.Unknown(service, region, "GetStages", arn, err))
	} else {
		list := make([]apigw.V2Stage, 0, len(stages))
		for _, s := range stages {
			list = append(list, convV2Stage(arnPrefix, region, id, s))
		}
		sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
		a.Stages = core.Known(list)
	}

	routes, err := kit.Tokens(ctx, func(ctx context.Context, token *string) ([]v2types.Route, *string, error) {
		out, err := c.GetRoutes(ctx, &awsapigwv2.GetRoutesInput{ApiId: in.ApiId, NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.Items, out.NextToken, nil
	})
	if err != nil {
		a.Routes = core.Unknown[[]apigw.Route](env.Unknown(service, region, "GetRoutes", arn, err))
	} else {
		list := make([]apigw.Route, 0, len(routes))
		for _, rt := range routes {
			list = append(list, convRoute(arnPrefix, region, id, rt))
		}
		sort.Slice(list, func(i, j int) bool {
			return list[i].Key < list[j].Key || list[i].Key == list[j].Key && list[i].ID < list[j].ID
		})
		a.Routes = core.Known(list)
	}
	return a
}

func convV2Stage(arnPrefix, region, apiID string, s v2types.Stage) apigw.V2Stage {
	name := sdk.ToString(s.StageName)
	out := apigw.V2Stage{
		ARN:                  apigw.V2StageARN(arnPrefix, region, apiID, name),
		Name:                 name,
		AutoDeploy:           sdk.ToBool(s.AutoDeploy),
		Managed:              sdk.ToBool(s.ApiGatewayManaged),
		DefaultRouteSettings: convRouteSettings(s.DefaultRouteSettings),
	}
	if a := s.AccessLogSettings; a != nil && sdk.ToString(a.DestinationArn) != "" {
		out.AccessLog = &apigw.AccessLog{DestinationARN: sdk.ToString(a.DestinationArn), Format: sdk.ToString(a.Format)}
	}
	if len(s.RouteSettings) > 0 {
		out.RouteSettings = make(map[string]apigw.RouteSettings, len(s.RouteSettings))
		for k, rs := range s.RouteSettings {
			out.RouteSettings[k] = convRouteSettings(&rs)
		}
	}
	return out
}

func convRouteSettings(rs *v2types.RouteSettings) apigw.RouteSettings {
	if rs == nil {
		return apigw.RouteSettings{}
	}
	return apigw.RouteSettings{
		LoggingLevel:           strings.ToUpper(string(rs.LoggingLevel)),
		DataTraceEnabled:       sdk.ToBool(rs.DataTraceEnabled),
		DetailedMetricsEnabled: sdk.ToBool(rs.DetailedMetricsEnabled),
	}
}

// convRoute records a route. A route created without an authorization type
// has NONE (open access), which the API may leave out of its answer
// (https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-routes-routeid.html).
func convRoute(arnPrefix, region, apiID string, rt v2types.Route) apigw.Route {
	id := sdk.ToString(rt.RouteId)
	auth := strings.ToUpper(string(rt.AuthorizationType))
	if auth == "" {
		auth = "NONE"
	}
	return apigw.Route{
		ARN:               apigw.RouteARN(arnPrefix, region, apiID, id),
		ID:                id,
		Key:               sdk.ToString(rt.RouteKey),
		AuthorizationType: auth,
		AuthorizerID:      sdk.ToString(rt.AuthorizerId),
		Managed:           sdk.ToBool(rt.ApiGatewayManaged),
	}
}
