package checks

// All returns every built-in rule. The list is explicit: a rule exists when
// it is named here, never through init() side effects.
func All() []Rule {
	var all []Rule
	for _, set := range [][]Rule{
		iamRules(),
		s3Rules(),
		ec2Rules(),
		cloudtrailRules(),
		securityServiceRules(),
	} {
		all = append(all, set...)
	}
	return all
}

// Default returns the registry of built-in rules; it panics on a programming
// error (duplicate ID), which the tests catch.
func Default() *Registry {
	r, err := NewRegistry(All())
	if err != nil {
		panic(err)
	}
	return r
}
