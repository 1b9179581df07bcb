// Package loopback is what the end-to-end tests and the load benchmark need
// to run real programs on loopback: free ports, and waiting until a program
// started answers.
package loopback

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort() (int, error) {
	// Below the kernel's ephemeral range: a port the system hands out (":0")
	// and closed again is soon the source port of some outgoing connection,
	// before the program under test binds it ("address already in use");
	// ports below that range are only ever taken by a listener that asks for
	// them.
	low := ephemeralLow()
	for tries := 0; tries < 1000; tries++ {
		port := 10000 + int(nextPort.Add(1))%(low-10000)
		if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			l.Close()
			return port, nil
		}
	}
	return 0, fmt.Errorf("no free port below the ephemeral range (%d)", low)
}

// nextPort walks the ports below the ephemeral range from a random start, so
// that processes running at once seldom try the same ones.
var nextPort = func() *atomic.Int64 {
	var n atomic.Int64
	n.Store(rand.Int64N(20000))
	return &n
}()

// ephemeralLow is the first port of the kernel's ephemeral range (Linux's
// ip_local_port_range; 32768 where it cannot be read).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	var low, high int
	if _, err := fmt.Sscan(string(b), &low, &high); err != nil || low <= 11000 {
		return 32768
	}
	return low
}

// WaitReady asks ready every 50 ms until it says yes, the program exits
// (exited delivers its end) or timeout passes.
func WaitReady(ready func() bool, exited <-chan error, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("exited at start: %v", err)
		default:
		}
		if ready() {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %s", timeout)
}

// Answers reports whether a GET of url answers 200 OK.
func Answers(url string) bool {
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
