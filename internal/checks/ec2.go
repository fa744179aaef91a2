package checks

func ec2Rules() []Rule { return nil }
