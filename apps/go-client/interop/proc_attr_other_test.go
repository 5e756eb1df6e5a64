//go:build !linux

package interop

import "syscall"

func childProcAttr() *syscall.SysProcAttr { return nil }
