package checks

func securityServiceRules() []Rule { return nil }
