//go:build !unix

package exposure

func processCPU() (int64, bool) { return 0, false }
