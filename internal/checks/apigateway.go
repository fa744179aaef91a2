package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/demarc-sec/demarc/internal/model"
	"github.com/demarc-sec/demarc/internal/model/apigateway"
	"github.com/demarc-sec/demarc/internal/model/core"
)

// AWS runs API Gateway; each stage's logging, tracing, cache encryption,
// backend certificate and web ACL, and each route's authorization, are
// settings the customer chooses. The rules follow the Security Hub
// APIGateway controls
// (https://docs.aws.amazon.com/securityhub/latest/userguide/apigateway-controls.html)
// and the AWS Config rules behind them, with Security Hub's default
// parameters.

const apigwControls = "https://docs.aws.amazon.com/securityhub/latest/userguide/apigateway-controls.html"

func apigatewayRules() []Rule {
	return []Rule{
		{
			ID:             "apigateway-execution-logging",
			Title:          "API Gateway REST and WebSocket API stages have execution logging enabled",
			Service:        "apigateway",
			Severity:       Medium,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{FSBP: {"APIGateway.1"}},
			Description: "Execution logging must be ERROR or INFO for every method of a stage (AWS Config " +
				"api-gw-execution-logging-enabled; Security Hub passes either level by default). On a REST stage the " +
				"stage-wide method setting \"*/*\" must log and so must every per-method override; a stage with no \"*/*\" " +
				"setting logs nothing. On a WebSocket stage the default route settings must log and so must every route " +
				"override that sets its own level. HTTP APIs have no execution logging and are not judged.",
			Remediation: "Set the account's CloudWatch Logs role for API Gateway once, then turn logging on for every stage:\n" +
				"  aws apigateway update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=ROLE_ARN\n" +
				"  aws apigateway update-stage --rest-api-id ID --stage-name STAGE --patch-operations op=replace,path=/*/*/logging/loglevel,value=ERROR\n" +
				"  aws apigatewayv2 update-stage --api-id ID --stage-name STAGE --default-route-settings LoggingLevel=ERROR   # WebSocket\n" +
				"Terraform: resource \"aws_api_gateway_method_settings\" \"all\" { rest_api_id = aws_api_gateway_rest_api.a.id\n" +
				"  stage_name = aws_api_gateway_stage.s.stage_name  method_path = \"*/*\"  settings { logging_level = \"ERROR\" } }\n" +
				"  (WebSocket: aws_apigatewayv2_stage { default_route_settings { logging_level = \"ERROR\" } })",
			Links: []string{"https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",
				"https://docs.aws.amazon.com/config/latest/developerguide/api-gw-execution-logging-enabled.html",
				apigwControls + "#apigateway-1"},
			Check: checkAPIGWExecutionLogging,
		},
		{
			ID:             "apigateway-backend-client-certificate",
			Title:          "API Gateway REST API stages use a client certificate to authenticate to HTTP backends",
			Service:        "apigateway",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"APIGateway.2"}},
			Description: "A stage with a client certificate presents it to its HTTP backends, which can then verify that a " +
				"request came from API Gateway. A stage without one FAILs. AWS Config's api-gw-ssl-enabled does not " +
				"apply to APIs whose backends are not HTTP: a REST API whose integrations are all AWS service or Lambda " +
				"(AWS, AWS_PROXY) integrations is not judged; an API with any HTTP, HTTP_PROXY or MOCK integration, no " +
				"integration, or integrations that could not be read is.",
			Remediation: "Generate a client certificate and set it on the stage (then trust it on the backend):\n" +
				"  aws apigateway generate-client-certificate --description backend-auth\n" +
				"  aws apigateway update-stage --rest-api-id ID --stage-name STAGE --patch-operations op=replace,path=/clientCertificateId,value=CERT_ID\n" +
				"Terraform: resource \"aws_api_gateway_client_certificate\" \"c\" {}\n" +
				"  resource \"aws_api_gateway_stage\" \"s\" { ... client_certificate_id = aws_api_gateway_client_certificate.c.id }",
			Links: []string{"https://docs.aws.amazon.com/apigateway/latest/developerguide/getting-started-client-side-ssl-authentication.html",
				"https://docs.aws.amazon.com/config/latest/developerguide/api-gw-ssl-enabled.html",
				apigwControls + "#apigateway-2"},
			Check: eachRestStage(judgeAPIGWClientCert),
		},
		{
			ID:             "apigateway-xray-tracing",
			Title:          "API Gateway REST API stages have AWS X-Ray tracing enabled",
			Service:        "apigateway",
			Severity:       Low,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{FSBP: {"APIGateway.3"}},
			Description: "X-Ray active tracing records each request's path through the stage and its backends, so latency " +
				"and errors can be traced to their source (AWS Config api-gw-xray-enabled).",
			Remediation: "  aws apigateway update-stage --rest-api-id ID --stage-name STAGE --patch-operations op=replace,path=/tracingEnabled,value=true\n" +
				"Terraform: resource \"aws_api_gateway_stage\" \"s\" { ... xray_tracing_enabled = true }",
			Links: []string{"https://docs.aws.amazon.com/xray/latest/devguide/xray-services-apigateway.html",
				"https://docs.aws.amazon.com/config/latest/developerguide/api-gw-xray-enabled.html",
				apigwControls + "#apigateway-3"},
			Check: eachRestStage(func(_ *model.Snapshot, api apigateway.RestAPI, st apigateway.Stage, arn, region string) *Result {
				if st.TracingEnabled {
					return rp(PassR(arn, region, "%s has X-Ray tracing enabled", restStageName(api, st)))
				}
				return rp(FailR(arn, region, "%s does not have X-Ray tracing enabled", restStageName(api, st)))
			}),
		},
		{
			ID:             "apigateway-waf-web-acl",
			Title:          "API Gateway REST API stages are associated with an AWS WAF web ACL",
			Service:        "apigateway",
			Severity:       Medium,
			Responsibility: LayerNetwork,
			Frameworks:     map[string][]string{FSBP: {"APIGateway.4"}},
			Description: "A web ACL in front of a stage filters common web attacks (injection, bad bots, floods) before they " +
				"reach the backend (AWS Config api-gw-associated-with-waf). The stage's own webAclArn decides; an AWS WAF " +
				"(v2) association naming the stage counts too.",
			Remediation: "Associate a regional web ACL with the stage:\n" +
				"  aws wafv2 associate-web-acl --web-acl-arn WEB_ACL_ARN --resource-arn arn:aws:apigateway:REGION::/restapis/ID/stages/STAGE\n" +
				"Terraform: resource \"aws_wafv2_web_acl_association\" \"a\" { resource_arn = aws_api_gateway_stage.s.arn\n" +
				"  web_acl_arn = aws_wafv2_web_acl.w.arn }",
			Links: []string{"https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-aws-waf.html",
				"https://docs.aws.amazon.com/config/latest/developerguide/api-gw-associated-with-waf.html",
				apigwControls + "#apigateway-4"},
			Check: eachRestStage(judgeAPIGWWebACL),
		},
		{
			ID:             "apigateway-cache-encrypted",
			Title:          "API Gateway REST API cache data is encrypted at rest",
			Service:        "apigateway",
			Severity:       Medium,
			Responsibility: LayerData,
			Frameworks:     map[string][]string{FSBP: {"APIGateway.5"}},
			Description: "Cached responses may hold sensitive data. Every method setting of a stage that caches (the " +
				"stage-wide \"*/*\" setting or a per-method override) must encrypt its cache; methods that do not cache " +
				"are not judged, and a stage where no method caches PASSes.",
			Remediation: "  aws apigateway update-stage --rest-api-id ID --stage-name STAGE --patch-operations op=replace,path=/*/*/caching/dataEncrypted,value=true\n" +
				"  (and op=replace,path=/RESOURCE_PATH/METHOD/caching/dataEncrypted,value=true for each override that caches)\n" +
				"Terraform: resource \"aws_api_gateway_method_settings\" \"all\" { ... method_path = \"*/*\"\n" +
				"  settings { caching_enabled = true  cache_data_encrypted = true } }",
			Links: []string{"https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html",
				"https://docs.aws.amazon.com/apigateway/latest/developerguide/data-protection-encryption.html",
				apigwControls + "#apigateway-5"},
			Check: eachRestStage(judgeAPIGWCache),
		},
		{
			ID:             "apigateway-route-authorization",
			Title:          "API Gateway HTTP and WebSocket API routes specify an authorization type",
			Service:        "apigateway",
			Severity:       Medium,
			Responsibility: LayerIAM,
			Frameworks:     map[string][]string{FSBP: {"APIGateway.8"}},
			Description: "A route whose authorization type is NONE is open to anyone who can reach the API (AWS Config " +
				"api-gwv2-authorization-type-configured). AWS_IAM, CUSTOM (Lambda authorizer) and JWT PASS; a route " +
				"created without an authorization type has NONE. WebSocket APIs authorize clients on the $connect route; " +
				"their other routes left at NONE FAIL too, as under the AWS Config rule.",
			Remediation: "  aws apigatewayv2 update-route --api-id ID --route-id ROUTE_ID --authorization-type JWT --authorizer-id AUTHORIZER_ID\n" +
				"  (or --authorization-type AWS_IAM; for WebSocket APIs authorize the $connect route)\n" +
				"Terraform: resource \"aws_apigatewayv2_route\" \"r\" { ... authorization_type = \"JWT\"\n" +
				"  authorizer_id = aws_apigatewayv2_authorizer.a.id }",
			Links: []string{"https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control.html",
				"https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-control-access.html",
				"https://docs.aws.amazon.com/config/latest/developerguide/api-gwv2-authorization-type-configured.html",
				apigwControls + "#apigateway-8"},
			Check: checkAPIGWRouteAuth,
		},
		{
			ID:             "apigateway-v2-access-logging",
			Title:          "API Gateway HTTP and WebSocket API stages have access logging configured",
			Service:        "apigateway",
			Severity:       Medium,
			Responsibility: LayerLogging,
			Frameworks:     map[string][]string{FSBP: {"APIGateway.9"}},
			Description: "Access logs record who called which route and what the API answered, one line per request. A " +
				"stage without access log settings FAILs (AWS Config api-gwv2-access-logs-enabled).",
			Remediation: "  aws apigatewayv2 update-stage --api-id ID --stage-name STAGE \\\n" +
				"      --access-log-settings DestinationArn=LOG_GROUP_ARN,Format='$context.requestId $context.identity.sourceIp $context.routeKey $context.status'\n" +
				"Terraform: resource \"aws_apigatewayv2_stage\" \"s\" { ... access_log_settings {\n" +
				"  destination_arn = aws_cloudwatch_log_group.api.arn  format = jsonencode({ requestId = \"$context.requestId\" }) } }",
			Links: []string{"https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html",
				"https://docs.aws.amazon.com/config/latest/developerguide/api-gwv2-access-logs-enabled.html",
				apigwControls + "#apigateway-9"},
			Check: eachV2Stage(anyAPI,
				func(api apigateway.API, st apigateway.V2Stage, arn, region string) *Result {
					if st.AccessLog != nil && st.AccessLog.DestinationARN != "" {
						return rp(PassR(arn, region, "%s logs access to %s", v2StageName(api, st), st.AccessLog.DestinationARN))
					}
					return rp(FailR(arn, region, "%s has no access logging configured", v2StageName(api, st)))
				}),
		},
	}
}

// apigwRegion returns the API Gateway state of a region, or nil.
func apigwRegion(s *model.Snapshot, name string) *apigateway.Region {
	for i := range s.APIGateway {
		if s.APIGateway[i].Name == name {
			return &s.APIGateway[i]
		}
	}
	return nil
}

func restStageName(api apigateway.RestAPI, st apigateway.Stage) string {
	return fmt.Sprintf("REST API %s (%s) stage %s", orStr(api.Name, api.ID), api.ID, st.Name)
}

func v2StageName(api apigateway.API, st apigateway.V2Stage) string {
	return fmt.Sprintf("%s API %s (%s) stage %s", orStr(api.ProtocolType, "v2"), orStr(api.Name, api.ID), api.ID, st.Name)
}

// eachRestStage judges every stage of every REST API in every region. A
// region whose API list, or an API whose stage list, could not be read is
// UNKNOWN; judge may return nil for a stage the control does not apply to.
func eachRestStage(judge func(s *model.Snapshot, api apigateway.RestAPI, st apigateway.Stage, arn, region string) *Result) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		sr := svcRegions[apigateway.Region, apigateway.RestAPI]{
			service: "apigateway", what: "API Gateway REST APIs", wildcard: "/restapis/*", regions: s.APIGateway,
			name: func(r *apigateway.Region) string { return r.Name },
			list: func(r *apigateway.Region) core.Val[[]apigateway.RestAPI] { return r.RestAPIs },
		}
		return sr.each(s, func(region string, apis []apigateway.RestAPI) []Result {
			var out []Result
			for _, api := range apis {
				apiARN := orARN(api.ARN, apigateway.RestAPIARN(s.ARNPrefix(), region, api.ID))
				apiRegion := regionOr(api.Meta, region)
				stages, unk := knownList(api.Stages, apiARN+"/stages/*", apiRegion,
					fmt.Sprintf("stages of REST API %s (%s)", orStr(api.Name, api.ID), api.ID))
				if unk != nil {
					out = append(out, unk...)
					continue
				}
				for _, st := range stages {
					arn := orARN(st.ARN, apigateway.RestStageARN(s.ARNPrefix(), apiRegion, api.ID, st.Name))
					if r := judge(s, api, st, arn, apiRegion); r != nil {
						out = append(out, *r)
					}
				}
			}
			return out
		})
	}
}

// eachV2API calls fn for every HTTP and WebSocket API in every region; a
// region whose API list could not be read is UNKNOWN.
func eachV2API(s *model.Snapshot, fn func(region string, api apigateway.API) []Result) []Result {
	sr := svcRegions[apigateway.Region, apigateway.API]{
		service: "apigateway", what: "API Gateway HTTP and WebSocket APIs", wildcard: "/apis/*", regions: s.APIGateway,
		name: func(r *apigateway.Region) string { return r.Name },
		list: func(r *apigateway.Region) core.Val[[]apigateway.API] { return r.APIs },
	}
	return sr.each(s, func(region string, apis []apigateway.API) []Result {
		var out []Result
		for _, api := range apis {
			out = append(out, fn(regionOr(api.Meta, region), api)...)
		}
		return out
	})
}

// eachV2Stage judges every stage of the HTTP and WebSocket APIs that match;
// an API whose stages could not be read is UNKNOWN.
func eachV2Stage(match func(apigateway.API) bool, judge func(api apigateway.API, st apigateway.V2Stage, arn, region string) *Result) func(*model.Snapshot) []Result {
	return func(s *model.Snapshot) []Result {
		return eachV2API(s, func(region string, api apigateway.API) []Result {
			if !match(api) {
				return nil
			}
			apiARN := orARN(api.ARN, apigateway.APIARN(s.ARNPrefix(), region, api.ID))
			stages, unk := knownList(api.Stages, apiARN+"/stages/*", region,
				fmt.Sprintf("stages of %s API %s (%s)", orStr(api.ProtocolType, "v2"), orStr(api.Name, api.ID), api.ID))
			if unk != nil {
				return unk
			}
			var out []Result
			for _, st := range stages {
				arn := orARN(st.ARN, apigateway.V2StageARN(s.ARNPrefix(), region, api.ID, st.Name))
				if r := judge(api, st, arn, region); r != nil {
					out = append(out, *r)
				}
			}
			return out
		})
	}
}

// isWebSocketAPI selects WebSocket APIs: HTTP APIs have no execution
// logging.
func isWebSocketAPI(api apigateway.API) bool {
	return strings.EqualFold(api.ProtocolType, apigateway.ProtocolWebSocket)
}

func anyAPI(apigateway.API) bool { return true }

// loggingOn reports whether an execution logging level logs: Security Hub
// passes ERROR or INFO unless the control's loggingLevel parameter narrows
// it, and demarc uses the default.
func loggingOn(level string) bool {
	l := strings.ToUpper(level)
	return l == "ERROR" || l == "INFO"
}

func levelText(level string) string { return orStr(strings.ToUpper(level), "not set") }

// checkAPIGWExecutionLogging judges REST stages and WebSocket stages.
func checkAPIGWExecutionLogging(s *model.Snapshot) []Result {
	out := eachRestStage(func(_ *model.Snapshot, api apigateway.RestAPI, st apigateway.Stage, arn, region string) *Result {
		name := restStageName(api, st)
		var v verdict
		all, ok := st.MethodSettings[apigateway.AllMethods]
		switch {
		case !ok:
			v.fail("%s has no stage-wide (*/*) method settings: execution logging is off for its methods", name)
		case !loggingOn(all.LoggingLevel):
			v.fail("%s logs its methods (*/*) at level %s", name, levelText(all.LoggingLevel))
		}
		// An override replaces the stage-wide settings for its method, so
		// one OFF override leaves that method unlogged.
		var off []string
		for _, k := range settingKeys(st.MethodSettings) {
			if k != apigateway.AllMethods && !loggingOn(st.MethodSettings[k].LoggingLevel) {
				off = append(off, k+"="+levelText(st.MethodSettings[k].LoggingLevel))
			}
		}
		if len(off) > 0 {
			v.fail("%s overrides logging for %s", name, strings.Join(off, ", "))
		}
		return rp(v.result(arn, region, fmt.Sprintf("%s logs every method at level %s", name, strings.ToUpper(all.LoggingLevel))))
	})(s)
	ws := eachV2Stage(isWebSocketAPI,
		func(api apigateway.API, st apigateway.V2Stage, arn, region string) *Result {
			name := v2StageName(api, st)
			def := st.DefaultRouteSettings.LoggingLevel
			var v verdict
			if !loggingOn(def) {
				v.fail("%s logs its routes at level %s", name, levelText(def))
			}
			// A route override without its own level keeps the default's.
			var off []string
			for _, k := range settingKeys(st.RouteSettings) {
				if l := st.RouteSettings[k].LoggingLevel; l != "" && !loggingOn(l) {
					off = append(off, k+"="+levelText(l))
				}
			}
			if len(off) > 0 {
				v.fail("%s overrides logging for routes %s", name, strings.Join(off, ", "))
			}
			return rp(v.result(arn, region, fmt.Sprintf("%s logs every route at level %s", name, strings.ToUpper(def))))
		})(s)
	return append(out, ws...)
}

// settingKeys returns the keys of a method or route settings map, sorted.
func settingKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// awsOnlyIntegrations reports whether every integration of the API calls an
// AWS service or Lambda, where a client certificate cannot apply.
func awsOnlyIntegrations(types []string) bool {
	if len(types) == 0 {
		return false
	}
	for _, t := range types {
		if t != "AWS" && t != "AWS_PROXY" {
			return false
		}
	}
	return true
}

func judgeAPIGWClientCert(_ *model.Snapshot, api apigateway.RestAPI, st apigateway.Stage, arn, region string) *Result {
	name := restStageName(api, st)
	if st.ClientCertificateID != "" {
		return rp(PassR(arn, region, "%s presents client certificate %s to its backends", name, st.ClientCertificateID))
	}
	types, known := api.IntegrationTypes.Get()
	switch {
	case known && awsOnlyIntegrations(types):
		return nil // no HTTP backend to authenticate to
	case !known:
		return rp(FailR(arn, region, "%s has no client certificate for backend authentication (integration types unreadable: %s)",
			name, api.IntegrationTypes.Why()))
	}
	return rp(FailR(arn, region, "%s has no client certificate for backend authentication", name))
}

// stageWebACLs maps the stage ARNs that regional AWS WAF (v2) web ACLs of
// the region name as associated API_GATEWAY resources to the web ACL.
func stageWebACLs(s *model.Snapshot, region string) map[string]string {
	out := map[string]string{}
	for _, r := range s.WAFv2.Regions {
		if r.Name != region {
			continue
		}
		for _, w := range r.WebACLs.V { // an unknown list has none
			if v, ok := w.Associations["API_GATEWAY"]; ok && v.Ok {
				for _, a := range v.V {
					out[a] = orStr(w.Name, w.ARN)
				}
			}
		}
	}
	return out
}

func judgeAPIGWWebACL(s *model.Snapshot, api apigateway.RestAPI, st apigateway.Stage, arn, region string) *Result {
	name := restStageName(api, st)
	if st.WebACLARN != "" {
		return rp(PassR(arn, region, "%s is associated with web ACL %s", name, st.WebACLARN))
	}
	if acl, ok := stageWebACLs(s, region)[arn]; ok {
		return rp(PassR(arn, region, "%s is associated with AWS WAF web ACL %s", name, acl))
	}
	return rp(FailR(arn, region, "%s is not associated with an AWS WAF web ACL", name))
}

func judgeAPIGWCache(_ *model.Snapshot, api apigateway.RestAPI, st apigateway.Stage, arn, region string) *Result {
	name := restStageName(api, st)
	var plain, cached []string
	for _, k := range settingKeys(st.MethodSettings) {
		m := st.MethodSettings[k]
		if !m.CachingEnabled {
			continue
		}
		cached = append(cached, k)
		if !m.CacheDataEncrypted {
			plain = append(plain, k)
		}
	}
	switch {
	case len(plain) > 0:
		return rp(FailR(arn, region, "%s caches responses unencrypted for %s", name, strings.Join(plain, ", ")))
	case len(cached) == 0:
		return rp(PassR(arn, region, "%s does not cache responses", name))
	}
	return rp(PassR(arn, region, "%s encrypts its cache (%s)", name, strings.Join(cached, ", ")))
}

func checkAPIGWRouteAuth(s *model.Snapshot) []Result {
	return eachV2API(s, func(region string, api apigateway.API) []Result {
		apiARN := orARN(api.ARN, apigateway.APIARN(s.ARNPrefix(), region, api.ID))
		apiName := fmt.Sprintf("%s API %s (%s)", orStr(api.ProtocolType, "v2"), orStr(api.Name, api.ID), api.ID)
		routes, unk := knownList(api.Routes, apiARN+"/routes/*", region, "routes of "+apiName)
		if unk != nil {
			return unk
		}
		out := make([]Result, 0, len(routes))
		for _, rt := range routes {
			arn := orARN(rt.ARN, apigateway.RouteARN(s.ARNPrefix(), region, api.ID, rt.ID))
			auth := strings.ToUpper(orStr(rt.AuthorizationType, "NONE"))
			if auth == "NONE" {
				out = append(out, FailR(arn, region, "%s route %q has no authorization (NONE)", apiName, rt.Key))
				continue
			}
			out = append(out, PassR(arn, region, "%s route %q uses %s authorization", apiName, rt.Key, auth))
		}
		return out
	})
}

// addSyntheticAPIGateway gives every synthetic region REST, HTTP and
// WebSocket APIs (a few per 1,000 resources) whose stages and routes mix
// compliant and non-compliant settings, so every API Gateway rule has both
// outcomes in SyntheticSnapshot.
func addSyntheticAPIGateway(s *model.Snapshot, acct string, n int) {
	perRegion := max(2, n/2000/len(syntheticRegions))
	prefix := s.ARNPrefix()
	for _, region := range syntheticRegions {
		meta := func(arn string) core.Meta { return core.Meta{ARN: arn, Account: acct, Region: region} }
		var rest []apigateway.RestAPI
		var v2 []apigateway.API
		for i := 0; i < perRegion; i++ {
			id := fmt.Sprintf("r%d%s", i, region[:2])
			level := []string{"INFO", "ERROR", "OFF"}[i%3]
			st := apigateway.Stage{ARN: apigateway.RestStageARN(prefix, region, id, "prod"), Name: "prod", TracingEnabled: i%2 == 0,
				MethodSettings: map[string]apigateway.MethodSetting{apigateway.AllMethods: {LoggingLevel: level, CachingEnabled: i%2 == 1, CacheDataEncrypted: i%4 == 1}}}
			if i%3 != 2 {
				st.ClientCertificateID, st.WebACLARN = "cert-"+id, prefix+":wafv2:"+region+":"+acct+":regional/webacl/w-0/0"
			}
			rest = append(rest, apigateway.RestAPI{Meta: meta(apigateway.RestAPIARN(prefix, region, id)), ID: id, Name: "rest-" + id,
				EndpointTypes: []string{"REGIONAL"}, Stages: core.Known([]apigateway.Stage{st}),
				IntegrationTypes: core.Known([][]string{{"HTTP_PROXY"}, {"AWS_PROXY", "HTTP"}}[i%2])})
			for p, proto := range []string{apigateway.ProtocolHTTP, apigateway.ProtocolWebSocket} {
				id := fmt.Sprintf("v%d%d%s", i, p, region[:2])
				vs := apigateway.V2Stage{ARN: apigateway.V2StageARN(prefix, region, id, "$default"), Name: "$default"}
				if (i+p)%2 == 0 {
					vs.AccessLog = &apigateway.AccessLog{DestinationARN: prefix + ":logs:" + region + ":" + acct + ":log-group:api-" + id}
				}
				if proto == apigateway.ProtocolWebSocket {
					vs.DefaultRouteSettings.LoggingLevel = level
				}
				auth := []string{"JWT", "NONE", "AWS_IAM"}[(i+p)%3]
				v2 = append(v2, apigateway.API{Meta: meta(apigateway.APIARN(prefix, region, id)), ID: id, Name: "api-" + id, ProtocolType: proto,
					Stages: core.Known([]apigateway.V2Stage{vs}),
					Routes: core.Known([]apigateway.Route{{ARN: apigateway.RouteARN(prefix, region, id, "rt"), ID: "rt", Key: "$default", AuthorizationType: auth}})})
			}
		}
		r := synthRegion(&s.APIGateway, region, func(r *apigateway.Region) string { return r.Name },
			func() apigateway.Region { return apigateway.Region{Name: region} })
		synthMerge(&r.RestAPIs, rest)
		synthMerge(&r.APIs, v2)
	}
}
