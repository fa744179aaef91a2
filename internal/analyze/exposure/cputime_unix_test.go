//go:build unix

package exposure

import "syscall"

// processCPU is the CPU time the test process has used (user + system), so
// benchmarks can report it next to wall time on a shared, loaded machine.
func processCPU() (int64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return ru.Utime.Nano() + ru.Stime.Nano(), true
}
