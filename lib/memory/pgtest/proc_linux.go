package pgtest

import "syscall"

// procAttr runs the server as cred, and stops it (immediate shutdown)
// should the tests die without stopping it.
func procAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
}
