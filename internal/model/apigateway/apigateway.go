// Package apigateway is the snapshot model of Amazon API Gateway, one Region
// at a time: REST APIs (API Gateway v1) with their stages and the
// integration types of their methods, and HTTP and WebSocket APIs (API
// Gateway v2) with their stages and routes.
//
// API Gateway ARNs carry no account ID:
// arn:PARTITION:apigateway:REGION::/restapis/ID/stages/NAME
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/arn-format-reference.html).
package apigateway

import "github.com/demarc-sec/demarc/internal/model/core"

// Protocol types of v2 APIs.
const (
	ProtocolHTTP      = "HTTP"
	ProtocolWebSocket = "WEBSOCKET"
)

// AllMethods is the method-settings key of the stage-wide settings of a REST
// stage ("*/*"); other keys are "{resource_path}/{http_method}" overrides.
const AllMethods = "*/*"

// Region is the API Gateway state of one region.
type Region struct {
	Name string `json:"name"`
	// RestAPIs are the REST APIs (GetRestApis).
	RestAPIs core.Val[[]RestAPI] `json:"rest_apis"`
	// APIs are the HTTP and WebSocket APIs (apigatewayv2 GetApis).
	APIs core.Val[[]API] `json:"apis"`
}

// RestAPI is one REST API. Meta.ARN is arn:…:apigateway:REGION::/restapis/ID.
type RestAPI struct {
	core.Meta
	ID   string `json:"id"`
	Name string `json:"name"`
	// EndpointTypes are EDGE, REGIONAL and/or PRIVATE.
	EndpointTypes []string `json:"endpoint_types,omitempty"`
	// Policy is the resource policy as a JSON document ("" when none).
	Policy string `json:"policy,omitempty"`
	// Stages are the API's stages (GetStages).
	Stages core.Val[[]Stage] `json:"stages"`
	// IntegrationTypes are the distinct integration types of the API's
	// methods (HTTP, HTTP_PROXY, AWS, AWS_PROXY, MOCK), sorted; Known(empty)
	// when no method has an integration.
	IntegrationTypes core.Val[[]string] `json:"integration_types"`
}

// Stage is one stage of a REST API.
type Stage struct {
	// ARN is arn:…:apigateway:REGION::/restapis/ID/stages/NAME.
	ARN                 string `json:"arn"`
	Name                string `json:"name"`
	DeploymentID        string `json:"deployment_id,omitempty"`
	TracingEnabled      bool   `json:"tracing_enabled"`
	CacheClusterEnabled bool   `json:"cache_cluster_enabled"`
	// ClientCertificateID is the certificate API Gateway presents to HTTP
	// backends so they can authenticate it ("" when none).
	ClientCertificateID string `json:"client_certificate_id,omitempty"`
	// WebACLARN is the AWS WAF web ACL associated with the stage ("" when
	// none).
	WebACLARN string `json:"web_acl_arn,omitempty"`
	// AccessLog is nil when access logging is not configured.
	AccessLog *AccessLog `json:"access_log,omitempty"`
	// MethodSettings are keyed by AllMethods or "{resource_path}/{method}".
	MethodSettings map[string]MethodSetting `json:"method_settings,omitempty"`
}

// MethodSetting is the execution settings of all methods (AllMethods) or one
// method of a REST stage.
type MethodSetting struct {
	// LoggingLevel is OFF, ERROR or INFO.
	LoggingLevel       string `json:"logging_level,omitempty"`
	DataTraceEnabled   bool   `json:"data_trace_enabled,omitempty"`
	MetricsEnabled     bool   `json:"metrics_enabled,omitempty"`
	CachingEnabled     bool   `json:"caching_enabled"`
	CacheDataEncrypted bool   `json:"cache_data_encrypted"`
}

// AccessLog is a stage's access log destination.
type AccessLog struct {
	// DestinationARN is a CloudWatch Logs log group or Firehose stream.
	DestinationARN string `json:"destination_arn"`
	Format         string `json:"format,omitempty"`
}

// API is one HTTP or WebSocket API. Meta.ARN is
// arn:…:apigateway:REGION::/apis/ID.
type API struct {
	core.Meta
	ID   string `json:"id"`
	Name string `json:"name"`
	// ProtocolType is HTTP or WEBSOCKET.
	ProtocolType string              `json:"protocol_type"`
	Endpoint     string              `json:"endpoint,omitempty"`
	Stages       core.Val[[]V2Stage] `json:"stages"`
	Routes       core.Val[[]Route]   `json:"routes"`
}

// V2Stage is one stage of an HTTP or WebSocket API.
type V2Stage struct {
	// ARN is arn:…:apigateway:REGION::/apis/ID/stages/NAME.
	ARN        string `json:"arn"`
	Name       string `json:"name"`
	AutoDeploy bool   `json:"auto_deploy,omitempty"`
	// Managed is true for stages API Gateway manages (quick create).
	Managed bool `json:"managed,omitempty"`
	// AccessLog is nil when access logging is not configured.
	AccessLog *AccessLog `json:"access_log,omitempty"`
	// DefaultRouteSettings apply to every route without its own setting.
	DefaultRouteSettings RouteSettings `json:"default_route_settings"`
	// RouteSettings are per-route overrides, keyed by route key.
	RouteSettings map[string]RouteSettings `json:"route_settings,omitempty"`
}

// RouteSettings are the execution settings of a v2 stage or route.
type RouteSettings struct {
	// LoggingLevel is OFF, ERROR or INFO (WebSocket APIs only); "" when not
	// set.
	LoggingLevel           string `json:"logging_level,omitempty"`
	DataTraceEnabled       bool   `json:"data_trace_enabled,omitempty"`
	DetailedMetricsEnabled bool   `json:"detailed_metrics_enabled,omitempty"`
}

// Route is one route of an HTTP or WebSocket API.
type Route struct {
	// ARN is arn:…:apigateway:REGION::/apis/ID/routes/ROUTE_ID.
	ARN string `json:"arn"`
	ID  string `json:"id"`
	// Key is the route key: "GET /pets", "$default", "$connect", …
	Key string `json:"key"`
	// AuthorizationType is NONE, AWS_IAM, CUSTOM or JWT; the API reports
	// nothing for NONE, which the collector records as "NONE".
	AuthorizationType string `json:"authorization_type"`
	AuthorizerID      string `json:"authorizer_id,omitempty"`
	Managed           bool   `json:"managed,omitempty"`
}

// RestAPIARN is the ARN of a REST API.
func RestAPIARN(arnPrefix, region, id string) string {
	return arnPrefix + ":apigateway:" + region + "::/restapis/" + id
}

// RestStageARN is the ARN of a REST API stage, as AWS WAF names it in web
// ACL associations.
func RestStageARN(arnPrefix, region, apiID, stage string) string {
	return RestAPIARN(arnPrefix, region, apiID) + "/stages/" + stage
}

// APIARN is the ARN of an HTTP or WebSocket API.
func APIARN(arnPrefix, region, id string) string {
	return arnPrefix + ":apigateway:" + region + "::/apis/" + id
}

// V2StageARN is the ARN of an HTTP or WebSocket API stage.
func V2StageARN(arnPrefix, region, apiID, stage string) string {
	return APIARN(arnPrefix, region, apiID) + "/stages/" + stage
}

// RouteARN is the ARN of an HTTP or WebSocket API route.
func RouteARN(arnPrefix, region, apiID, routeID string) string {
	return APIARN(arnPrefix, region, apiID) + "/routes/" + routeID
}
