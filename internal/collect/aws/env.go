package aws

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"golang.org/x/time/rate"

	"github.com/demarc-sec/demarc/internal/model/core"
)

// Options select the credentials, regions and limits of a collection.
type Options struct {
	Profile    string
	Regions    []string // empty: every enabled region (DescribeRegions)
	RoleARN    string
	ExternalID string
	// Endpoint overrides every service endpoint (AWS_ENDPOINT_URL is honoured
	// by the SDK too; this is the explicit form, used by tests).
	Endpoint string
	// Concurrency bounds the number of (collector, region) tasks in flight.
	Concurrency int
	// RatePerService is the steady request rate allowed per service (req/s).
	RatePerService float64
	// MaxAttempts for the adaptive retryer (throttling, 5xx).
	MaxAttempts int
	// HTTPClient replaces the SDK's HTTP client (tests: fault injection).
	HTTPClient aws.HTTPClient
	// Progress, when set, is called after each task finishes.
	Progress func(done, total int, task string)
}

// Env is what a collector receives: the SDK configuration, the account, and
// a place to record what could not be read. It is safe for concurrent use.
type Env struct {
	Cfg       aws.Config
	AccountID string
	Partition string
	CallerARN string
	// EndpointOverride is true when a custom endpoint is in use (S3 must
	// then use path-style addressing).
	EndpointOverride bool

	mu       sync.Mutex
	errs     []core.CollectError
	limiters map[string]*rate.Limiter
	rps      float64
}

// Config returns the SDK configuration for a region.
func (e *Env) Config(region string) aws.Config {
	c := e.Cfg.Copy()
	c.Region = region
	return c
}

// Unknown records a failed read and returns the reason to store in a
// core.Val: the classified reason plus the operation, e.g.
// "access denied (s3:GetBucketPolicy)".
func (e *Env) Unknown(service, region, op, resource string, err error) string {
	reason := Classify(err)
	e.mu.Lock()
	e.errs = append(e.errs, core.CollectError{
		Service: service, Region: region, Operation: op, Resource: resource,
		Reason: reason, Detail: truncate(err.Error(), 300),
	})
	e.mu.Unlock()
	return fmt.Sprintf("%s (%s:%s)", reason, service, op)
}

// Errors returns the recorded failures.
func (e *Env) Errors() []core.CollectError {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]core.CollectError(nil), e.errs...)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Classify maps an SDK error to one of the core.Reason* words.
func Classify(err error) string {
	if err == nil {
		return ""
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return core.ReasonCanceled
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code := ae.ErrorCode()
		switch {
		case code == "OptInRequired" || code == "UnrecognizedClientException" && strings.Contains(ae.ErrorMessage(), "region"):
			return core.ReasonRegionOptOut
		case strings.Contains(code, "AccessDenied") || code == "UnauthorizedOperation" ||
			code == "AuthorizationError" || code == "AuthFailure" || code == "Forbidden" ||
			code == "UnauthorizedException" || code == "InvalidClientTokenId" ||
			code == "AuthorizationErrorException" || code == "UnrecognizedClientException":
			return core.ReasonAccessDenied
		case strings.Contains(code, "Throttl") || code == "TooManyRequestsException" ||
			code == "RequestLimitExceeded" || code == "SlowDown":
			return core.ReasonThrottled
		case code == "NotImplemented" || code == "InvalidAction" || code == "UnknownOperationException" ||
			code == "UnsupportedOperation" || code == "InvalidRequest" && strings.Contains(strings.ToLower(ae.ErrorMessage()), "not supported"):
			return core.ReasonNotSupported
		}
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		switch re.HTTPStatusCode() {
		case http.StatusForbidden:
			return core.ReasonAccessDenied
		case http.StatusNotFound, http.StatusNotImplemented, http.StatusMethodNotAllowed:
			return core.ReasonNotSupported
		case http.StatusTooManyRequests:
			return core.ReasonThrottled
		}
	}
	return core.ReasonServiceError
}

// ErrorCode returns the AWS error code of err, or "".
func ErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// readOnlyPrefixes are the operation-name prefixes demarc may call. The guard
// middleware refuses anything else before it is signed or sent.
var readOnlyPrefixes = []string{"Get", "List", "Describe", "Generate", "Lookup", "BatchGet", "Search", "Head"}

// IsReadOnlyOperation reports whether an AWS operation name is read-only by
// demarc's definition. GenerateCredentialReport is allowed: it only asks IAM
// to build a report of existing data.
func IsReadOnlyOperation(op string) bool {
	if op == "AssumeRole" { // sts: needed for --role-arn; creates no resource
		return true
	}
	for _, p := range readOnlyPrefixes {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// ErrMutatingCall is returned if code ever tries a non-read-only operation.
var ErrMutatingCall = errors.New("demarc refused a mutating AWS operation")

func readOnlyGuard(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("demarcReadOnlyGuard",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			op := middleware.GetOperationName(ctx)
			if !IsReadOnlyOperation(op) {
				return middleware.InitializeOutput{}, middleware.Metadata{}, fmt.Errorf("%w: %s", ErrMutatingCall, op)
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
}

func (e *Env) limiter(service string) *rate.Limiter {
	e.mu.Lock()
	defer e.mu.Unlock()
	l, ok := e.limiters[service]
	if !ok {
		l = rate.NewLimiter(rate.Limit(e.rps), int(e.rps)+1)
		e.limiters[service] = l
	}
	return l
}

func (e *Env) rateLimit(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("demarcRateLimit",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if err := e.limiter(middleware.GetServiceID(ctx)).Wait(ctx); err != nil {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, err
			}
			return next.HandleFinalize(ctx, in)
		}), middleware.Before)
}

// NewEnv loads the SDK configuration (standard credential chain: env,
// shared config/--profile, SSO, IMDS), optionally assumes a role, and
// resolves the caller's account with sts:GetCallerIdentity.
func NewEnv(ctx context.Context, o Options) (*Env, error) {
	if o.RatePerService <= 0 {
		o.RatePerService = 20
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	e := &Env{limiters: map[string]*rate.Limiter{}, rps: o.RatePerService}
	var loaders []func(*config.LoadOptions) error
	if o.Profile != "" {
		loaders = append(loaders, config.WithSharedConfigProfile(o.Profile))
	}
	endpoint := o.Endpoint
	if endpoint == "" {
		endpoint = os.Getenv("AWS_ENDPOINT_URL")
	}
	if endpoint != "" {
		e.EndpointOverride = true
		loaders = append(loaders, config.WithBaseEndpoint(endpoint))
	}
	if o.HTTPClient != nil {
		loaders = append(loaders, config.WithHTTPClient(o.HTTPClient))
	} else if endpoint != "" {
		loaders = append(loaders, config.WithHTTPClient(endpointClient(endpoint)))
	}
	loaders = append(loaders,
		config.WithRetryer(func() aws.Retryer {
			return retry.NewAdaptiveMode(func(a *retry.AdaptiveModeOptions) {
				a.StandardOptions = append(a.StandardOptions, func(s *retry.StandardOptions) {
					s.MaxAttempts = o.MaxAttempts
					s.MaxBackoff = 20 * time.Second
				})
			})
		}),
		config.WithAPIOptions([]func(*middleware.Stack) error{readOnlyGuard, e.rateLimit}),
	)
	cfg, err := config.LoadDefaultConfig(ctx, loaders...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if o.RoleARN != "" {
		prov := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), o.RoleARN, func(a *stscreds.AssumeRoleOptions) {
			a.RoleSessionName = "demarc"
			if o.ExternalID != "" {
				a.ExternalID = aws.String(o.ExternalID)
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(prov)
	}
	e.Cfg = cfg
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("identify caller (sts:GetCallerIdentity): %w", err)
	}
	e.AccountID = aws.ToString(id.Account)
	e.CallerARN = aws.ToString(id.Arn)
	e.Partition = "aws"
	if parts := strings.SplitN(e.CallerARN, ":", 3); len(parts) == 3 && parts[1] != "" {
		e.Partition = parts[1]
	}
	return e, nil
}

// endpointClient dials the override endpoint's host for every request: the
// SDK prefixes some hosts (S3 Control puts the account ID in front), which a
// local emulator cannot resolve. It is a BuildableClient so the SDK can
// still apply AWS_CA_BUNDLE and its other transport options.
func endpointClient(endpoint string) aws.HTTPClient {
	host := endpoint
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	host = strings.SplitN(host, "/", 2)[0]
	if !strings.Contains(host, ":") {
		if strings.HasPrefix(endpoint, "https") {
			host += ":443"
		} else {
			host += ":80"
		}
	}
	d := &net.Dialer{Timeout: 10 * time.Second}
	return awshttp.NewBuildableClient().WithTimeout(2 * time.Minute).WithTransportOptions(func(tr *http.Transport) {
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, host)
		}
	})
}
