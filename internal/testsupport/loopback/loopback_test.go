package loopback

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestFreePortIsBindable(t *testing.T) {
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	if port < 10000 || port >= ephemeralLow() {
		t.Errorf("port %d is not below the ephemeral range (%d)", port, ephemeralLow())
	}
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("port %d: %v", port, err)
	}
	l.Close()
}

func TestWaitReady(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer ok.Close()
	if err := WaitReady(func() bool { return Answers(ok.URL) }, nil, time.Second); err != nil {
		t.Errorf("a server that answers: %v", err)
	}
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer down.Close()
	if err := WaitReady(func() bool { return Answers(down.URL) }, nil, 200*time.Millisecond); err == nil || !strings.Contains(err.Error(), "not ready after 200ms") {
		t.Errorf("a server answering 503: %v", err)
	}
	exited := make(chan error, 1)
	exited <- errors.New("exit status 1")
	if err := WaitReady(func() bool { return false }, exited, time.Second); err == nil || !strings.Contains(err.Error(), "exited at start: exit status 1") {
		t.Errorf("a program that exited: %v", err)
	}
}
