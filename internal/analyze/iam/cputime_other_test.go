//go:build !unix

package iam

func processCPU() (int64, bool) { return 0, false }
