package checks

func cloudtrailRules() []Rule { return nil }
