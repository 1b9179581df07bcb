//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

var aptMu sync.Mutex

// debianBinary returns the path of a binary that a Debian package provides,
// installing the package with apt-get when it is missing. Where installing is
// impossible (no apt-get, not root, no network), the test is skipped with a
// loud message.
func debianBinary(t *testing.T, pkg, path string) string {
	t.Helper()
	if _, err := os.Stat(path); err == nil {
		return path
	}
	aptMu.Lock()
	defer aptMu.Unlock()
	if _, err := os.Stat(path); err == nil {
		return path
	}
	install := func(args ...string) (string, error) {
		cmd := exec.Command("apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := install("install", "-y", "--no-install-recommends", pkg)
	if err != nil {
		// A fresh machine may have no package lists yet.
		if _, uerr := install("update"); uerr == nil {
			out, err = install("install", "-y", "--no-install-recommends", pkg)
		}
	}
	if _, serr := os.Stat(path); err != nil || serr != nil {
		t.Skipf("\n%s\n!!! SKIPPED: this test needs Debian's %s package (%s) and `apt-get install -y %s` failed: %v\n%s\n%s",
			strings.Repeat("!", 78), pkg, path, pkg, err, lastLines(out, 5), strings.Repeat("!", 78))
	}
	return path
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
