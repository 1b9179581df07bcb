//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The moods of a moodySink.
const (
	moodUnsteady = "unsteady" // refuses a request in four, to be retried
	moodFlaky    = "flaky"    // refuses a request in four, to be retried, and one in twenty for good
	moodFull     = "full"     // refuses every request, to be retried
	moodWell     = "well"     // takes every request
)

// moodySink is a trace store, an OTLP gRPC trace receiver, in one of the
// moods above. It keeps what it took and what it refused for good, and counts
// the requests it refused to be retried.
type moodySink struct {
	ptraceotlp.UnimplementedGRPCServer
	mu        sync.Mutex
	rng       *rand.Rand
	mood      string
	retryable int
	took      []ptrace.Traces
	refused   []ptrace.Traces
}

func (s *moodySink) Export(_ context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	td := ptrace.NewTraces()
	req.Traces().CopyTo(td)
	retry, refuse := s.mood == moodFull, false
	switch s.mood {
	case moodUnsteady:
		retry = s.rng.IntN(4) == 0
	case moodFlaky:
		r := s.rng.IntN(20)
		retry, refuse = r < 5, r == 5
	}
	switch {
	case retry:
		s.retryable++
		return ptraceotlp.NewExportResponse(), status.Error(codes.Unavailable, "full, try again")
	case refuse:
		s.refused = append(s.refused, td)
		return ptraceotlp.NewExportResponse(), status.Error(codes.InvalidArgument, "refused for good")
	}
	s.took = append(s.took, td)
	return ptraceotlp.NewExportResponse(), nil
}

func (s *moodySink) setMood(m string) {
	s.mu.Lock()
	s.mood = m
	s.mu.Unlock()
}

// serve serves the sink on a loopback port until the test ends, and returns
// its address.
func (s *moodySink) serve(t *testing.T) net.Addr {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	ptraceotlp.RegisterGRPCServer(srv, s)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return lis.Addr()
}

// exporter serves the sink until the test ends and returns the YAML entry of
// an otlp_grpc exporter that sends to it, with the exporter's settings given.
func (s *moodySink) exporter(t *testing.T, settings string) string {
	t.Helper()
	return fmt.Sprintf(`
  otlp_grpc:
    endpoint: %s
    tls:
      insecure: true%s`, s.serve(t), settings)
}
