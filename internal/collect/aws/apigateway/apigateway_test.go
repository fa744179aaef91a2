package apigateway

import (
	"context"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	awsapigw "github.com/aws/aws-sdk-go-v2/service/apigateway"
	v1types "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	awsapigwv2 "github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	v2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/smithy-go"

	"github.com/demarc-sec/demarc/internal/collect/aws"
	"github.com/demarc-sec/demarc/internal/collect/aws/internal/kit/kittest"
	"github.com/demarc-sec/demarc/internal/model"
	apigw "github.com/demarc-sec/demarc/internal/model/apigateway"
	"github.com/demarc-sec/demarc/internal/model/core"
)

// TestCollectMoto builds a REST API with a stage configured through
// UpdateStage patch operations, an HTTP API and a WebSocket API in moto, and
// reads them back through the collector.
func TestCollectMoto(t *testing.T) {
	m := kittest.Start(t)
	ctx := context.Background()
	s := sdk.String
	const region = "eu-west-1"
	rc := awsapigw.NewFromConfig(m.Config(region))
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"*"}]}`
	api := kittest.Must(rc.CreateRestApi(ctx, &awsapigw.CreateRestApiInput{Name: s("shop"), Policy: s(policy),
		EndpointConfiguration: &v1types.EndpointConfiguration{Types: []v1types.EndpointType{v1types.EndpointTypeRegional}}}))
	root := kittest.Must(rc.GetResources(ctx, &awsapigw.GetResourcesInput{RestApiId: api.Id}))
	pets := kittest.Must(rc.CreateResource(ctx, &awsapigw.CreateResourceInput{RestApiId: api.Id, ParentId: root.Items[0].Id, PathPart: s("pets")}))
	kittest.Must(rc.PutMethod(ctx, &awsapigw.PutMethodInput{RestApiId: api.Id, ResourceId: pets.Id, HttpMethod: s("GET"), AuthorizationType: s("NONE")}))
	kittest.Must(rc.PutIntegration(ctx, &awsapigw.PutIntegrationInput{RestApiId: api.Id, ResourceId: pets.Id, HttpMethod: s("GET"),
		Type: v1types.IntegrationTypeHttpProxy, IntegrationHttpMethod: s("GET"), Uri: s("https://backend.example.com/pets")}))
	kittest.Must(rc.CreateDeployment(ctx, &awsapigw.CreateDeploymentInput{RestApiId: api.Id, StageName: s("prod")}))
	patch := func(path, value string) v1types.PatchOperation {
		return v1types.PatchOperation{Op: v1types.OpReplace, Path: s(path), Value: s(value)}
	}
	kittest.Must(rc.UpdateStage(ctx, &awsapigw.UpdateStageInput{RestApiId: api.Id, StageName: s("prod"), PatchOperations: []v1types.PatchOperation{
		patch("/tracingEnabled", "true"),
		patch("/*/*/logging/loglevel", "INFO"),
		patch("/*/*/caching/enabled", "true"),
		patch("/*/*/caching/dataEncrypted", "false"),
		patch("/~1pets/GET/logging/loglevel", "OFF"),
		patch("/accessLogSettings/destinationArn", "arn:aws:logs:eu-west-1:"+m.Env.AccountID+":log-group:api-access"),
	}}))

	hc := awsapigwv2.NewFromConfig(m.Config(region))
	httpAPI := kittest.Must(hc.CreateApi(ctx, &awsapigwv2.CreateApiInput{Name: s("web"), ProtocolType: v2types.ProtocolTypeHttp}))
	kittest.Must(hc.CreateStage(ctx, &awsapigwv2.CreateStageInput{ApiId: httpAPI.ApiId, StageName: s("live"),
		AccessLogSettings: &v2types.AccessLogSettings{DestinationArn: s("arn:aws:logs:eu-west-1:" + m.Env.AccountID + ":log-group:web"), Format: s("$context.requestId")}}))
	kittest.Must(hc.CreateRoute(ctx, &awsapigwv2.CreateRouteInput{ApiId: httpAPI.ApiId, RouteKey: s("GET /open")}))
	kittest.Must(hc.CreateRoute(ctx, &awsapigwv2.CreateRouteInput{ApiId: httpAPI.ApiId, RouteKey: s("GET /iam"), AuthorizationType: v2types.AuthorizationTypeAwsIam}))
	ws := kittest.Must(hc.CreateApi(ctx, &awsapigwv2.CreateApiInput{Name: s("chat"), ProtocolType: v2types.ProtocolTypeWebsocket,
		RouteSelectionExpression: s("$request.body.action")}))
	kittest.Must(hc.CreateStage(ctx, &awsapigwv2.CreateStageInput{ApiId: ws.ApiId, StageName: s("prod"),
		DefaultRouteSettings: &v2types.RouteSettings{LoggingLevel: v2types.LoggingLevelError},
		RouteSettings:        map[string]v2types.RouteSettings{"$connect": {LoggingLevel: v2types.LoggingLevelOff}}}))

	snap := model.New(m.Env.AccountID, m.Env.Partition, []string{region, "us-east-1"})
	if err := New().Collect(ctx, m.Env, "us-east-1", snap); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	kittest.NoErrors(t, m.Env)
	if len(snap.APIGateway) != 2 || snap.APIGateway[0].Name != region || snap.APIGateway[1].Name != "us-east-1" {
		t.Fatalf("regions = %+v", snap.APIGateway)
	}
	if empty := kittest.Known(t, "us-east-1 REST APIs", snap.APIGateway[1].RestAPIs); len(empty) != 0 {
		t.Errorf("us-east-1 REST APIs = %+v", empty)
	}
	r := snap.APIGateway[0]
	rest := kittest.Known(t, "REST APIs", r.RestAPIs)
	if len(rest) != 1 {
		t.Fatalf("REST APIs = %+v", rest)
	}
	a := rest[0]
	wantARN := "arn:aws:apigateway:eu-west-1::/restapis/" + *api.Id
	if a.ARN != wantARN || a.Name != "shop" || a.Region != region || len(a.EndpointTypes) != 1 || a.EndpointTypes[0] != "REGIONAL" ||
		!strings.Contains(a.Policy, `"execute-api:Invoke"`) {
		t.Errorf("REST API = %+v", a)
	}
	if it := kittest.Known(t, "integrations", a.IntegrationTypes); len(it) != 1 || it[0] != "HTTP_PROXY" {
		t.Errorf("integration types = %v", it)
	}
	stages := kittest.Known(t, "stages", a.Stages)
	if len(stages) != 1 {
		t.Fatalf("stages = %+v", stages)
	}
	st := stages[0]
	if st.ARN != wantARN+"/stages/prod" || st.Name != "prod" || !st.TracingEnabled || st.ClientCertificateID != "" || st.WebACLARN != "" ||
		st.AccessLog == nil || !strings.HasSuffix(st.AccessLog.DestinationARN, ":log-group:api-access") {
		t.Errorf("stage = %+v", st)
	}
	all, ok := st.MethodSettings[apigw.AllMethods]
	if !ok || all.LoggingLevel != "INFO" || !all.CachingEnabled || all.CacheDataEncrypted {
		t.Errorf("*/* settings = %+v (%v)", all, st.MethodSettings)
	}
	if len(st.MethodSettings) != 2 {
		t.Errorf("method settings = %+v, want */* and the pets/GET override", st.MethodSettings)
	}
	for k, ms := range st.MethodSettings {
		if k != apigw.AllMethods && ms.LoggingLevel != "OFF" {
			t.Errorf("override %s = %+v", k, ms)
		}
	}

	v2 := kittest.Known(t, "v2 APIs", r.APIs)
	if len(v2) != 2 {
		t.Fatalf("v2 APIs = %+v", v2)
	}
	byName := map[string]apigw.API{}
	for _, x := range v2 {
		byName[x.Name] = x
	}
	web, chat := byName["web"], byName["chat"]
	if web.ProtocolType != apigw.ProtocolHTTP || web.ARN != "arn:aws:apigateway:eu-west-1::/apis/"+*httpAPI.ApiId {
		t.Errorf("web = %+v", web)
	}
	if ws := kittest.Known(t, "web stages", web.Stages); len(ws) != 1 || ws[0].AccessLog == nil || ws[0].AccessLog.Format != "$context.requestId" ||
		ws[0].ARN != web.ARN+"/stages/live" {
		t.Errorf("web stages = %+v", ws)
	}
	routes := kittest.Known(t, "web routes", web.Routes)
	if len(routes) != 2 || routes[0].Key != "GET /iam" || routes[0].AuthorizationType != "AWS_IAM" ||
		routes[1].Key != "GET /open" || routes[1].AuthorizationType != "NONE" || !strings.HasPrefix(routes[1].ARN, web.ARN+"/routes/") {
		t.Errorf("web routes = %+v", routes)
	}
	if chat.ProtocolType != apigw.ProtocolWebSocket {
		t.Errorf("chat = %+v", chat)
	}
	cs := kittest.Known(t, "chat stages", chat.Stages)
	if len(cs) != 1 || cs[0].AccessLog != nil || cs[0].DefaultRouteSettings.LoggingLevel != "ERROR" || cs[0].RouteSettings["$connect"].LoggingLevel != "OFF" {
		t.Errorf("chat stages = %+v", cs)
	}
}

func denied(op string) error {
	return &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User is not authorized to perform: apigateway:" + op}
}

// restFake pages two REST APIs, answers stages for one and denies them for
// the other, and denies the resource listing of the second.
type restFake struct{ calls int }

func (f *restFake) GetRestApis(_ context.Context, in *awsapigw.GetRestApisInput, _ ...func(*awsapigw.Options)) (*awsapigw.GetRestApisOutput, error) {
	f.calls++
	if in.Position == nil {
		return &awsapigw.GetRestApisOutput{Position: sdk.String("p2"), Items: []v1types.RestApi{{Id: sdk.String("b"), Name: sdk.String("denied"),
			Policy: sdk.String(`{\"Version\":\"2012-10-17\",\"Statement\":[]}`)}}}, nil
	}
	return &awsapigw.GetRestApisOutput{Items: []v1types.RestApi{{Id: sdk.String("a"), Name: sdk.String("ok"),
		EndpointConfiguration: &v1types.EndpointConfiguration{Types: []v1types.EndpointType{v1types.EndpointTypePrivate}}}}}, nil
}

func (f *restFake) GetStages(_ context.Context, in *awsapigw.GetStagesInput, _ ...func(*awsapigw.Options)) (*awsapigw.GetStagesOutput, error) {
	if *in.RestApiId == "b" {
		return nil, denied("GET")
	}
	return &awsapigw.GetStagesOutput{Item: []v1types.Stage{
		{StageName: sdk.String("z"), ClientCertificateId: sdk.String("cert"), WebAclArn: sdk.String("arn:aws:wafv2:acl"),
			MethodSettings: map[string]v1types.MethodSetting{"*/*": {LoggingLevel: sdk.String("error"), CachingEnabled: true, CacheDataEncrypted: true}}},
		{StageName: sdk.String("a"), AccessLogSettings: &v1types.AccessLogSettings{Format: sdk.String("x")}},
	}}, nil
}

func (f *restFake) GetResources(_ context.Context, in *awsapigw.GetResourcesInput, _ ...func(*awsapigw.Options)) (*awsapigw.GetResourcesOutput, error) {
	if *in.RestApiId == "b" {
		return nil, denied("GET")
	}
	if len(in.Embed) != 1 || in.Embed[0] != "methods" {
		return nil, &smithy.GenericAPIError{Code: "BadRequestException", Message: "want embed=methods"}
	}
	lambda := v1types.Method{MethodIntegration: &v1types.Integration{Type: v1types.IntegrationTypeAwsProxy}}
	return &awsapigw.GetResourcesOutput{Items: []v1types.Resource{
		{Path: sdk.String("/")},
		{Path: sdk.String("/x"), ResourceMethods: map[string]v1types.Method{"GET": lambda, "POST": lambda, "OPTIONS": {}}},
	}}, nil
}

// v2Denied denies every v2 call.
type v2Denied struct{}

func (v2Denied) GetApis(context.Context, *awsapigwv2.GetApisInput, ...func(*awsapigwv2.Options)) (*awsapigwv2.GetApisOutput, error) {
	return nil, denied("GET")
}

func (v2Denied) GetStages(context.Context, *awsapigwv2.GetStagesInput, ...func(*awsapigwv2.Options)) (*awsapigwv2.GetStagesOutput, error) {
	return nil, denied("GET")
}

func (v2Denied) GetRoutes(context.Context, *awsapigwv2.GetRoutesInput, ...func(*awsapigwv2.Options)) (*awsapigwv2.GetRoutesOutput, error) {
	return nil, denied("GET")
}

// TestCollectRegionDenied: every denied read is unknown with the reason and
// recorded; what could be read is kept.
func TestCollectRegionDenied(t *testing.T) {
	env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
	f := &restFake{}
	r, err := CollectRegion(context.Background(), env, f, v2Denied{}, "arn:aws", "eu-west-1")
	if err != nil {
		t.Fatalf("one list was read, yet: %v", err)
	}
	if r.APIs.Ok || r.APIs.Why() != "access denied (apigateway:GetApis)" {
		t.Errorf("v2 APIs = %+v, want unknown access denied", r.APIs)
	}
	rest := kittest.Known(t, "REST APIs", r.RestAPIs)
	if f.calls != 2 || len(rest) != 2 || rest[0].ID != "a" || rest[1].ID != "b" {
		t.Fatalf("REST APIs = %+v after %d calls", rest, f.calls)
	}
	a, b := rest[0], rest[1]
	if a.ARN != "arn:aws:apigateway:eu-west-1::/restapis/a" || a.EndpointTypes[0] != "PRIVATE" || a.Policy != "" {
		t.Errorf("a = %+v", a)
	}
	if it := kittest.Known(t, "a integrations", a.IntegrationTypes); len(it) != 1 || it[0] != "AWS_PROXY" {
		t.Errorf("a integrations = %v", it)
	}
	stages := kittest.Known(t, "a stages", a.Stages)
	if len(stages) != 2 || stages[0].Name != "a" || stages[1].Name != "z" {
		t.Fatalf("stages = %+v", stages)
	}
	// An access log setting without a destination is no access log.
	if stages[0].AccessLog != nil || stages[0].MethodSettings != nil {
		t.Errorf("stage a = %+v", stages[0])
	}
	z := stages[1]
	if z.ClientCertificateID != "cert" || z.WebACLARN != "arn:aws:wafv2:acl" || z.MethodSettings["*/*"].LoggingLevel != "ERROR" ||
		!z.MethodSettings["*/*"].CacheDataEncrypted || z.ARN != "arn:aws:apigateway:eu-west-1::/restapis/a/stages/z" {
		t.Errorf("stage z = %+v", z)
	}
	if b.Stages.Ok || !strings.HasPrefix(b.Stages.Why(), core.ReasonAccessDenied) ||
		b.IntegrationTypes.Ok || !strings.HasPrefix(b.IntegrationTypes.Why(), core.ReasonAccessDenied) {
		t.Errorf("b = %+v, want stages and integrations unknown", b)
	}
	if b.Policy != `{"Version":"2012-10-17","Statement":[]}` {
		t.Errorf("escaped policy = %q", b.Policy)
	}
	errs := env.Errors()
	if len(errs) != 3 {
		t.Fatalf("errors = %+v", errs)
	}
	for _, e := range errs {
		if e.Reason != core.ReasonAccessDenied || e.Service != service || e.Region != "eu-west-1" {
			t.Errorf("error = %+v", e)
		}
	}

	// Both lists denied: the region failed as a whole.
	if _, err := CollectRegion(context.Background(), env, restDenied{}, v2Denied{}, "arn:aws", "eu-west-1"); err == nil {
		t.Error("every list denied but no error")
	}
}

type restDenied struct{ RestAPI }

func (restDenied) GetRestApis(context.Context, *awsapigw.GetRestApisInput, ...func(*awsapigw.Options)) (*awsapigw.GetRestApisOutput, error) {
	return nil, denied("GET")
}

// v2Pages pages APIs, stages and routes by NextToken; routes of one API are
// denied.
type v2Pages struct{}

func (v2Pages) GetApis(_ context.Context, in *awsapigwv2.GetApisInput, _ ...func(*awsapigwv2.Options)) (*awsapigwv2.GetApisOutput, error) {
	if in.NextToken == nil {
		return &awsapigwv2.GetApisOutput{NextToken: sdk.String("t"), Items: []v2types.Api{{ApiId: sdk.String("w"), Name: sdk.String("ws"), ProtocolType: v2types.ProtocolTypeWebsocket}}}, nil
	}
	return &awsapigwv2.GetApisOutput{Items: []v2types.Api{{ApiId: sdk.String("h"), Name: sdk.String("http"), ProtocolType: v2types.ProtocolTypeHttp}}}, nil
}

func (v2Pages) GetStages(_ context.Context, in *awsapigwv2.GetStagesInput, _ ...func(*awsapigwv2.Options)) (*awsapigwv2.GetStagesOutput, error) {
	if in.NextToken == nil {
		return &awsapigwv2.GetStagesOutput{NextToken: sdk.String("s"), Items: []v2types.Stage{{StageName: sdk.String("b"), ApiGatewayManaged: sdk.Bool(true),
			AccessLogSettings: &v2types.AccessLogSettings{DestinationArn: sdk.String("arn:aws:firehose:x")}}}}, nil
	}
	return &awsapigwv2.GetStagesOutput{Items: []v2types.Stage{{StageName: sdk.String("a"),
		DefaultRouteSettings: &v2types.RouteSettings{LoggingLevel: v2types.LoggingLevelInfo}}}}, nil
}

func (v2Pages) GetRoutes(_ context.Context, in *awsapigwv2.GetRoutesInput, _ ...func(*awsapigwv2.Options)) (*awsapigwv2.GetRoutesOutput, error) {
	if *in.ApiId == "h" {
		return nil, denied("GET")
	}
	return &awsapigwv2.GetRoutesOutput{Items: []v2types.Route{
		{RouteId: sdk.String("r2"), RouteKey: sdk.String("$default")},
		{RouteId: sdk.String("r1"), RouteKey: sdk.String("$connect"), AuthorizationType: v2types.AuthorizationTypeCustom, AuthorizerId: sdk.String("au")},
	}}, nil
}

func TestCollectV2Paging(t *testing.T) {
	env := &aws.Env{AccountID: "111122223333", Partition: "aws"}
	r, err := CollectRegion(context.Background(), env, restDenied{}, v2Pages{}, "arn:aws", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	apis := kittest.Known(t, "apis", r.APIs)
	if len(apis) != 2 || apis[0].ID != "h" || apis[1].ID != "w" || apis[1].ARN != "arn:aws:apigateway:us-east-1::/apis/w" {
		t.Fatalf("apis = %+v", apis)
	}
	h, w := apis[0], apis[1]
	if h.Routes.Ok || !strings.HasPrefix(h.Routes.Why(), core.ReasonAccessDenied) {
		t.Errorf("h routes = %+v, want unknown", h.Routes)
	}
	st := kittest.Known(t, "w stages", w.Stages)
	if len(st) != 2 || st[0].Name != "a" || st[0].DefaultRouteSettings.LoggingLevel != "INFO" || st[0].AccessLog != nil ||
		st[1].Name != "b" || !st[1].Managed || st[1].AccessLog == nil || st[1].ARN != "arn:aws:apigateway:us-east-1::/apis/w/stages/b" {
		t.Errorf("w stages = %+v", st)
	}
	routes := kittest.Known(t, "w routes", w.Routes)
	if len(routes) != 2 || routes[0].Key != "$connect" || routes[0].AuthorizationType != "CUSTOM" || routes[0].AuthorizerID != "au" ||
		routes[1].Key != "$default" || routes[1].AuthorizationType != "NONE" || routes[1].ARN != "arn:aws:apigateway:us-east-1::/apis/w/routes/r2" {
		t.Errorf("w routes = %+v", routes)
	}
	if r.RestAPIs.Ok {
		t.Errorf("REST APIs = %+v, want unknown", r.RestAPIs)
	}
}
