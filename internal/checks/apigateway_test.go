package checks

import (
	"strings"
	"testing"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/apigateway"
	"github.com/demarc-sec/demarc/internal/model/core"
	"github.com/demarc-sec/demarc/internal/model/wafv2"
)

const (
	restID = "a1b2c3"
	httpID = "h1"
	wsID   = "w1"
)

var (
	restStageARN = apigateway.RestStageARN("arn:aws", svcRegion, restID, "prod")
	httpStageARN = apigateway.V2StageARN("arn:aws", svcRegion, httpID, "$default")
)

// addCompliantAPIGateway gives every region known, empty API lists and puts
// one compliant REST API, HTTP API and WebSocket API in svcRegion.
func addCompliantAPIGateway(s *model.Snapshot) {
	for _, r := range testRegions {
		ensureRegion(&s.APIGateway, r, func(n string) apigateway.Region {
			return apigateway.Region{Name: n, RestAPIs: core.Known([]apigateway.RestAPI{}), APIs: core.Known([]apigateway.API{})}
		}, func(x *apigateway.Region) string { return x.Name })
	}
	r := apigwRegion(s, svcRegion)
	meta := func(arn string) core.Meta { return core.Meta{ARN: arn, Account: acct, Region: svcRegion} }
	logs := "arn:aws:logs:" + svcRegion + ":" + acct + ":log-group:"
	r.RestAPIs.V = append(r.RestAPIs.V, apigateway.RestAPI{
		Meta: meta(apigateway.RestAPIARN("arn:aws", svcRegion, restID)), ID: restID, Name: "shop", EndpointTypes: []string{"REGIONAL"},
		IntegrationTypes: core.Known([]string{"HTTP_PROXY"}),
		Stages: core.Known([]apigateway.Stage{{
			ARN: restStageARN, Name: "prod", TracingEnabled: true, CacheClusterEnabled: true, ClientCertificateID: "cert1",
			WebACLARN: "arn:aws:wafv2:" + svcRegion + ":" + acct + ":regional/webacl/api/1",
			AccessLog: &apigateway.AccessLog{DestinationARN: logs + "shop"},
			MethodSettings: map[string]apigateway.MethodSetting{
				apigateway.AllMethods: {LoggingLevel: "INFO", CachingEnabled: true, CacheDataEncrypted: true},
				"~1pets/GET":          {LoggingLevel: "ERROR", CachingEnabled: false},
			},
		}}),
	})
	r.APIs.V = append(r.APIs.V,
		apigateway.API{
			Meta: meta(apigateway.APIARN("arn:aws", svcRegion, httpID)), ID: httpID, Name: "web", ProtocolType: apigateway.ProtocolHTTP,
			Stages: core.Known([]apigateway.V2Stage{{ARN: httpStageARN, Name: "$default", AutoDeploy: true,
				AccessLog: &apigateway.AccessLog{DestinationARN: logs + "web"}}}),
			Routes: core.Known([]apigateway.Route{{ARN: apigateway.RouteARN("arn:aws", svcRegion, httpID, "r1"), ID: "r1", Key: "GET /pets",
				AuthorizationType: "JWT", AuthorizerID: "au1"}}),
		},
		apigateway.API{
			Meta: meta(apigateway.APIARN("arn:aws", svcRegion, wsID)), ID: wsID, Name: "chat", ProtocolType: apigateway.ProtocolWebSocket,
			Stages: core.Known([]apigateway.V2Stage{{ARN: apigateway.V2StageARN("arn:aws", svcRegion, wsID, "prod"), Name: "prod",
				AccessLog:            &apigateway.AccessLog{DestinationARN: logs + "chat"},
				DefaultRouteSettings: apigateway.RouteSettings{LoggingLevel: "ERROR"},
				RouteSettings:        map[string]apigateway.RouteSettings{"$connect": {LoggingLevel: "INFO"}, "send": {DetailedMetricsEnabled: true}}}}),
			Routes: core.Known([]apigateway.Route{{ARN: apigateway.RouteARN("arn:aws", svcRegion, wsID, "c1"), ID: "c1", Key: "$connect",
				AuthorizationType: "AWS_IAM"}}),
		})
}

// Mutation helpers into the compliant world's API Gateway sample.
func restStage(s *model.Snapshot) *apigateway.Stage {
	return &apigwRegion(s, svcRegion).RestAPIs.V[0].Stages.V[0]
}

func v2API(s *model.Snapshot, id string) *apigateway.API {
	r := apigwRegion(s, svcRegion)
	for i := range r.APIs.V {
		if r.APIs.V[i].ID == id {
			return &r.APIs.V[i]
		}
	}
	panic("no API " + id)
}

func apigatewayFixtures() map[string]fixture {
	return map[string]fixture{
		"apigateway-execution-logging": failWhen(func(s *model.Snapshot) {
			m := restStage(s).MethodSettings[apigateway.AllMethods]
			m.LoggingLevel = "OFF"
			restStage(s).MethodSettings[apigateway.AllMethods] = m
		}),
		"apigateway-backend-client-certificate": failWhen(func(s *model.Snapshot) { restStage(s).ClientCertificateID = "" }),
		"apigateway-xray-tracing":               failWhen(func(s *model.Snapshot) { restStage(s).TracingEnabled = false }),
		"apigateway-waf-web-acl":                failWhen(func(s *model.Snapshot) { restStage(s).WebACLARN = "" }),
		"apigateway-cache-encrypted": failWhen(func(s *model.Snapshot) {
			restStage(s).MethodSettings[apigateway.AllMethods] = apigateway.MethodSetting{LoggingLevel: "INFO", CachingEnabled: true}
		}),
		"apigateway-route-authorization": failWhen(func(s *model.Snapshot) { v2API(s, httpID).Routes.V[0].AuthorizationType = "NONE" }),
		"apigateway-v2-access-logging":   failWhen(func(s *model.Snapshot) { v2API(s, httpID).Stages.V[0].AccessLog = nil }),
	}
}

// apigwResults runs a rule and returns its results by resource ARN.
func apigwResults(t *testing.T, id string, s *model.Snapshot) map[string]Result {
	t.Helper()
	out := map[string]Result{}
	for _, r := range ruleByID(t, id).Check(s) {
		if _, dup := out[r.ResourceARN]; dup {
			t.Fatalf("%s: two results for %s", id, r.ResourceARN)
		}
		out[r.ResourceARN] = r
	}
	return out
}

func TestAPIGWExecutionLogging(t *testing.T) {
	wsStage := apigateway.V2StageARN("arn:aws", svcRegion, wsID, "prod")
	tests := []struct {
		name   string
		mutate func(s *model.Snapshot)
		arn    string
		want   Status
		msg    string
	}{
		{"rest compliant", func(*model.Snapshot) {}, restStageARN, Pass, "every method at level INFO"},
		{"rest no stage-wide setting", func(s *model.Snapshot) {
			restStage(s).MethodSettings = map[string]apigateway.MethodSetting{"~1pets/GET": {LoggingLevel: "INFO"}}
		}, restStageARN, Fail, "no stage-wide (*/*)"},
		{"rest no method settings at all", func(s *model.Snapshot) { restStage(s).MethodSettings = nil }, restStageARN, Fail, "no stage-wide"},
		{"rest override off", func(s *model.Snapshot) {
			restStage(s).MethodSettings["~1pets/GET"] = apigateway.MethodSetting{LoggingLevel: "OFF"}
		}, restStageARN, Fail, "~1pets/GET=OFF"},
		{"rest override level missing", func(s *model.Snapshot) {
			restStage(s).MethodSettings["~1pets/GET"] = apigateway.MethodSetting{}
		}, restStageARN, Fail, "~1pets/GET=not set"},
		{"rest lower-case error", func(s *model.Snapshot) {
			restStage(s).MethodSettings[apigateway.AllMethods] = apigateway.MethodSetting{LoggingLevel: "error"}
		}, restStageARN, Pass, ""},
		{"websocket compliant", func(*model.Snapshot) {}, wsStage, Pass, "every route at level ERROR"},
		{"websocket default off", func(s *model.Snapshot) { v2API(s, wsID).Stages.V[0].DefaultRouteSettings.LoggingLevel = "OFF" }, wsStage, Fail, "level OFF"},
		{"websocket default unset", func(s *model.Snapshot) { v2API(s, wsID).Stages.V[0].DefaultRouteSettings = apigateway.RouteSettings{} }, wsStage, Fail, "not set"},
		{"websocket route override off", func(s *model.Snapshot) {
			v2API(s, wsID).Stages.V[0].RouteSettings["$connect"] = apigateway.RouteSettings{LoggingLevel: "OFF"}
		}, wsStage, Fail, "$connect=OFF"},
		{"websocket stages unreadable", func(s *model.Snapshot) {
			v2API(s, wsID).Stages = core.Unknown[[]apigateway.V2Stage]("access denied (apigateway:GetStages)")
		}, apigateway.APIARN("arn:aws", svcRegion, wsID) + "/stages/*", Unknown, "access denied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := compliantSnapshot()
			tc.mutate(s)
			got := apigwResults(t, "apigateway-execution-logging", s)
			r, ok := got[tc.arn]
			if !ok {
				t.Fatalf("no result for %s: %+v", tc.arn, got)
			}
			if r.Status != tc.want || !strings.Contains(r.Message, tc.msg) {
				t.Errorf("%s %q, want %s containing %q", r.Status, r.Message, tc.want, tc.msg)
			}
			// HTTP APIs have no execution logging: never judged.
			if _, ok := got[httpStageARN]; ok {
				t.Errorf("HTTP API stage judged: %+v", got[httpStageARN])
			}
		})
	}
}

func TestAPIGWClientCertificateScope(t *testing.T) {
	tests := []struct {
		name  string
		types core.Val[[]string]
		want  Status // "" = not judged
	}{
		{"lambda proxy only", core.Known([]string{"AWS_PROXY"}), ""},
		{"aws service and lambda", core.Known([]string{"AWS", "AWS_PROXY"}), ""},
		{"http backend", core.Known([]string{"HTTP"}), Fail},
		{"mixed", core.Known([]string{"AWS_PROXY", "HTTP_PROXY"}), Fail},
		{"mock", core.Known([]string{"MOCK"}), Fail},
		{"no integrations", core.Known([]string{}), Fail},
		{"integrations unreadable", core.Unknown[[]string]("access denied (apigateway:GetResources)"), Fail},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := compliantSnapshot()
			restStage(s).ClientCertificateID = ""
			apigwRegion(s, svcRegion).RestAPIs.V[0].IntegrationTypes = tc.types
			r, ok := apigwResults(t, "apigateway-backend-client-certificate", s)[restStageARN]
			if tc.want == "" {
				if ok {
					t.Errorf("judged an API without HTTP backends: %+v", r)
				}
				return
			}
			if !ok || r.Status != tc.want {
				t.Errorf("got %+v (found %v), want %s", r, ok, tc.want)
			}
		})
	}
	// With a certificate the stage passes whatever its backends.
	s := compliantSnapshot()
	apigwRegion(s, svcRegion).RestAPIs.V[0].IntegrationTypes = core.Known([]string{"AWS_PROXY"})
	if r := apigwResults(t, "apigateway-backend-client-certificate", s)[restStageARN]; r.Status != Pass {
		t.Errorf("%+v", r)
	}
}

func TestAPIGWWebACLFromWAFv2Association(t *testing.T) {
	s := compliantSnapshot()
	restStage(s).WebACLARN = ""
	for i := range s.WAFv2.Regions {
		if s.WAFv2.Regions[i].Name == svcRegion {
			s.WAFv2.Regions[i].WebACLs.V = append(s.WAFv2.Regions[i].WebACLs.V, wafv2.WebACL{Name: "api-acl", Scope: wafv2.ScopeRegional,
				Associations: map[string]core.Val[[]string]{"API_GATEWAY": core.Known([]string{restStageARN})}})
		}
	}
	if r := apigwResults(t, "apigateway-waf-web-acl", s)[restStageARN]; r.Status != Pass || !strings.Contains(r.Message, "api-acl") {
		t.Errorf("%+v", r)
	}
	// An association in another region does not protect this stage.
	s = compliantSnapshot()
	restStage(s).WebACLARN = ""
	for i := range s.WAFv2.Regions {
		if s.WAFv2.Regions[i].Name != svcRegion {
			s.WAFv2.Regions[i].WebACLs.V = append(s.WAFv2.Regions[i].WebACLs.V, wafv2.WebACL{Name: "elsewhere",
				Associations: map[string]core.Val[[]string]{"API_GATEWAY": core.Known([]string{restStageARN})}})
		}
	}
	if r := apigwResults(t, "apigateway-waf-web-acl", s)[restStageARN]; r.Status != Fail {
		t.Errorf("%+v", r)
	}
}

func TestAPIGWCacheEncryption(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]apigateway.MethodSetting
		want     Status
		msg      string
	}{
		{"no caching anywhere", map[string]apigateway.MethodSetting{apigateway.AllMethods: {LoggingLevel: "INFO"}}, Pass, "does not cache"},
		{"no method settings", nil, Pass, "does not cache"},
		{"stage-wide unencrypted", map[string]apigateway.MethodSetting{apigateway.AllMethods: {CachingEnabled: true}}, Fail, "*/*"},
		{"override unencrypted", map[string]apigateway.MethodSetting{
			apigateway.AllMethods: {CachingEnabled: true, CacheDataEncrypted: true},
			"~1pets/GET":          {CachingEnabled: true},
		}, Fail, "~1pets/GET"},
		// Encryption of a method that does not cache is not judged.
		{"unencrypted but not caching", map[string]apigateway.MethodSetting{
			apigateway.AllMethods: {CachingEnabled: true, CacheDataEncrypted: true},
			"~1pets/GET":          {CachingEnabled: false, CacheDataEncrypted: false},
		}, Pass, "encrypts its cache (*/*)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := compliantSnapshot()
			restStage(s).MethodSettings = tc.settings
			r := apigwResults(t, "apigateway-cache-encrypted", s)[restStageARN]
			if r.Status != tc.want || !strings.Contains(r.Message, tc.msg) {
				t.Errorf("%s %q, want %s containing %q", r.Status, r.Message, tc.want, tc.msg)
			}
		})
	}
}

func TestAPIGWRouteAuthorization(t *testing.T) {
	routeARN := apigateway.RouteARN("arn:aws", svcRegion, httpID, "r1")
	for auth, want := range map[string]Status{"NONE": Fail, "": Fail, "none": Fail, "AWS_IAM": Pass, "CUSTOM": Pass, "JWT": Pass} {
		s := compliantSnapshot()
		v2API(s, httpID).Routes.V[0].AuthorizationType = auth
		if r := apigwResults(t, "apigateway-route-authorization", s)[routeARN]; r.Status != want {
			t.Errorf("authorization %q: %+v, want %s", auth, r, want)
		}
	}
	s := compliantSnapshot()
	v2API(s, httpID).Routes = core.Unknown[[]apigateway.Route]("throttled (apigateway:GetRoutes)")
	r := apigwResults(t, "apigateway-route-authorization", s)[apigateway.APIARN("arn:aws", svcRegion, httpID)+"/routes/*"]
	if r.Status != Unknown || !strings.Contains(r.Message, "throttled") {
		t.Errorf("%+v", r)
	}
}

// A region whose API list could not be read, or was not collected, is
// UNKNOWN for every API Gateway rule: never a silent pass.
func TestAPIGWUnreadableRegion(t *testing.T) {
	s := compliantSnapshot()
	for i := range s.APIGateway {
		if s.APIGateway[i].Name == "us-east-1" {
			s.APIGateway[i].RestAPIs = core.Unknown[[]apigateway.RestAPI]("access denied (apigateway:GetRestApis)")
			s.APIGateway[i].APIs = core.Unknown[[]apigateway.API]("access denied (apigateway:GetApis)")
		}
	}
	s.APIGateway = append(s.APIGateway[:0:0], *apigwRegion(s, "us-east-1")) // eu-west-1 not collected
	for _, rule := range apigatewayRules() {
		byRegion := map[string][]Result{}
		for _, r := range rule.Check(s) {
			byRegion[r.Region] = append(byRegion[r.Region], r)
		}
		for _, region := range testRegions {
			rs := byRegion[region]
			if len(rs) == 0 {
				t.Errorf("%s: no result in %s", rule.ID, region)
			}
			for _, r := range rs {
				if r.Status != Unknown || r.Message == "" {
					t.Errorf("%s: %+v", rule.ID, r)
				}
			}
		}
	}
}
