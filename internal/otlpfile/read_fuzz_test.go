package otlpfile

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/engine"
	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/traceview/pdataview"
)

// fuzzNames are the names a file is read under: each format, gzipped or not,
// and standard input. A .gz name gets the fuzzer's bytes gzipped when the
// kind's high bit is clear, as they are when it is set.
var fuzzNames = []string{"traces.json", "traces.jsonl", "traces.pb", "traces.binpb", "traces.json.gz", "traces.pb.gz", "-", "traces.txt"}

const (
	kindJSON, kindPB, kindJSONGz, kindPBGz = 0, 2, 4, 5
	rawGz                                  = 0x80 // the bytes of a .gz as they are
)

var errStop = errors.New("stop")

// fuzzReadSeeds adds the testdata traces as every format reads them, whole
// and cut short, and inputs no exporter writes.
func fuzzReadSeeds(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "testdata", "*", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	// The smallest trace of each source (ORM and instrumentation).
	smallest := map[string][]byte{}
	var sources []string
	for _, p := range paths {
		if strings.HasSuffix(p, ".expected.json") {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		source := filepath.Base(filepath.Dir(p))
		if old, ok := smallest[source]; !ok || len(data) < len(old) {
			if !ok {
				sources = append(sources, source)
			}
			smallest[source] = data
		}
	}
	var u ptrace.JSONUnmarshaler
	var m ptrace.ProtoMarshaler
	for _, source := range sources {
		data := smallest[source]
		f.Add(uint8(kindJSON), data)
		f.Add(uint8(kindJSON), data[:len(data)*2/3])
		f.Add(uint8(kindJSONGz), data)
		var framed []byte
		for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
			var pretty bytes.Buffer
			if json.Indent(&pretty, line, "", "  ") == nil {
				f.Add(uint8(kindJSON), pretty.Bytes())
			}
			td, err := u.UnmarshalTraces(line)
			if err != nil {
				f.Fatal(err)
			}
			pb, err := m.MarshalTraces(td)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(uint8(kindPB), pb)
			framed = binary.BigEndian.AppendUint32(framed, uint32(len(pb)))
			framed = append(framed, pb...)
		}
		f.Add(uint8(kindPB), framed)
		f.Add(uint8(kindPB), framed[:len(framed)-3])
		f.Add(uint8(kindPBGz), framed)
	}
	for _, bad := range []string{"", "\n\n", "{}", "[]", "null", `{"resourceSpans":`, `{"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"zz"}]}]}]}`,
		`{"resourceSpans":[]}` + "\n" + `{"other":1}`, `{"resource_spans":[]}`, strings.Repeat("[", 10000), strings.Repeat(`{"a":`, 5000),
		"\x00\x00\x00\x05\x0a\x03\x0a\x01", "\xff\xff\xff\xff", "\x1f\x8b\x08\x00", "\xef\xbb\xbf{\"resourceSpans\":[]}", "\"\xff\xfe\""} {
		for kind := range len(fuzzNames) {
			f.Add(uint8(kind), []byte(bad))
			f.Add(uint8(kind|rawGz), []byte(bad))
		}
	}
}

// FuzzRead reads the fuzzer's bytes as a file of each format (and standard
// input): it never panics, and either every request reaches the callback or
// the error is an *Error that names the file; an error of the callback comes
// back as it is; standard input reads as a .json file does; the memory a read
// allocates is bounded by the size of the input. Each request
// read goes on through the trace view and the engine, as in querylens
// analyze.
func FuzzRead(f *testing.F) {
	fuzzReadSeeds(f)
	dir := f.TempDir()
	norm, _ := sqlnorm.NewCache(1000, 4096)
	e, _ := engine.New(detect.DefaultConfig(), nil)
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		name := fuzzNames[int(kind&^rawGz)%len(fuzzNames)]
		content := data
		if strings.HasSuffix(name, ".gz") && kind&rawGz == 0 {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			_, _ = zw.Write(data)
			_ = zw.Close()
			content = b.Bytes()
		}
		path := "-"
		if name != "-" {
			path = filepath.Join(dir, name)
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		read := func(path string, stop bool) (int, error) {
			n := 0
			err := Read(path, bytes.NewReader(content), DefaultLimits, func(td ptrace.Traces) error {
				n++
				if stop {
					return errStop
				}
				view, _ := pdataview.Build(td, norm)
				e.Analyze(view)
				return nil
			})
			if err != nil && !errors.Is(err, errStop) {
				var fe *Error
				if !errors.As(err, &fe) || fe.File != path || !strings.HasPrefix(err.Error(), path+": ") {
					t.Fatalf("%s: error %q (%T) is not an *Error naming the file", name, err, err)
				}
			}
			return n, err
		}
		size := len(data)
		if strings.HasSuffix(name, ".gz") && kind&rawGz != 0 { // what it decompresses to
			if zr, err := gzip.NewReader(bytes.NewReader(data)); err == nil {
				k, _ := io.Copy(io.Discard, io.LimitReader(zr, 1<<30))
				size = max(size, int(k))
			}
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		n, err := read(path, false)
		runtime.ReadMemStats(&after)
		// Memory follows what the file holds, not what its bytes claim: the
		// 1 MB read buffer, and a small multiple of the (decompressed) input.
		if allocated, bound := after.TotalAlloc-before.TotalAlloc, uint64(8<<20+256*size); allocated > bound {
			t.Fatalf("%s: reading %d bytes allocated %d bytes", name, len(content), allocated)
		}
		if errors.Is(err, errStop) {
			t.Fatalf("%s: the callback's error came back from a callback that returned none", name)
		}
		if n > 0 {
			if k, err := read(path, true); k != 1 || err != errStop {
				t.Fatalf("%s: a callback that stops at the first request: %d requests, error %v", name, k, err)
			}
		}
		if name == "traces.json" {
			k, stdinErr := read("-", false)
			if k != n || (err == nil) != (stdinErr == nil) ||
				err != nil && strings.TrimPrefix(err.Error(), path) != strings.TrimPrefix(stdinErr.Error(), "-") {
				t.Fatalf("standard input reads %d requests (%v), the file %d (%v)", k, stdinErr, n, err)
			}
		}
	})
}
