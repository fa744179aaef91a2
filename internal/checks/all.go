package checks

// All returns every built-in rule with default options.
func All() []Rule { return AllWith(Options{}) }

// AllWith returns every built-in rule configured with o. The list is
// explicit: a rule exists when it is named here, never through init() side
// effects.
func AllWith(o Options) []Rule {
	var all []Rule
	for _, set := range [][]Rule{
		iamRules(),
		s3Rules(),
		ec2Rules(),
		cloudtrailRules(),
		securityServiceRules(),
		regionRules(o),
		exposureRules(o),
		networkRules(),
		elbRules(),
		privescRules(),
		monitoringRules(),
		rdsRules(),
		kmsRules(),
		availabilityRules(),
		iamCISRules(),
		lambdaRules(),
		dynamodbRules(),
		snsRules(),
		sqsRules(),
		ecrRules(),
		eksRules(),
		secretsManagerRules(),
		acmRules(),
		wafv2Rules(),
		autoscalingRules(),
		ssmRules(),
		cloudfrontRules(),
		shieldRules(),
		wafClassicRules(),
		identityCenterRules(),
		backupRules(),
		iamPasswordRules(),
		apigatewayRules(),
		efsRules(),
	} {
		all = append(all, set...)
	}
	return all
}

// Default returns the registry of built-in rules; it panics on a programming
// error (duplicate ID), which the tests catch.
func Default() *Registry { return DefaultWith(Options{}) }

// DefaultWith returns the registry of built-in rules configured with o.
func DefaultWith(o Options) *Registry {
	r, err := NewRegistry(AllWith(o))
	if err != nil {
		panic(err)
	}
	return r
}
