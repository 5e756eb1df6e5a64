package interop

import "syscall"

// childProcAttr makes the kernel kill the services if the test binary dies without stopping
// them (a crash, SIGKILL from a timeout).
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
