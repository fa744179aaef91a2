package checks

func s3Rules() []Rule { return nil }
