//go:build !unix

package reach

func processCPU() (int64, bool) { return 0, false }
