// Package otlpfile reads OTLP trace files as the collector's file exporter and
// the OTLP/HTTP endpoints write them: JSON (one ExportTraceServiceRequest per
// file, or one per line), or protobuf (one request, or the file exporter's
// length-prefixed requests), gzip-compressed when the name ends in .gz. It
// streams: one request is in memory at a time.
package otlpfile

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Error is bad input, with the file and the position it was found at.
type Error struct {
	File string
	// Position is "line L, byte B" for JSON, "byte B" for protobuf.
	Position string
	Err      error
}

func (e *Error) Error() string {
	if e.Position == "" {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s: %s: %v", e.File, e.Position, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Expand turns the arguments into the files to read: a directory gives every
// .json, .jsonl, .pb and .binpb file below it (gzipped or not; not in hidden
// directories or node_modules, not *.expected.json), sorted; "-" is standard
// input.
func Expand(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		if a == "-" {
			files = append(files, a)
			continue
		}
		info, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, a)
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && p != a && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			if !d.IsDir() && isTraceFile(p) {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, nil
}

func isTraceFile(p string) bool {
	p = strings.TrimSuffix(p, ".gz")
	for _, ext := range []string{".json", ".jsonl", ".pb", ".binpb"} {
		if strings.HasSuffix(p, ext) && !strings.HasSuffix(p, ".expected.json") {
			return true
		}
	}
	return false
}

// Read reads one file (or "-", standard input, as JSON) and calls fn with
// each request in order. A request that cannot be read ends the file with an
// *Error; what was read before it has been passed to fn.
func Read(path string, stdin io.Reader, fn func(ptrace.Traces) error) error {
	var r io.Reader
	if path == "-" {
		r = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return &Error{File: path, Err: err}
		}
		defer f.Close()
		r = f
	}
	name := strings.TrimSuffix(path, ".gz")
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(r)
		if err != nil {
			return &Error{File: path, Err: fmt.Errorf("not gzip: %w", err)}
		}
		defer gz.Close()
		r = gz
	}
	if strings.HasSuffix(name, ".pb") || strings.HasSuffix(name, ".binpb") {
		return readProto(path, r, fn)
	}
	return readJSON(path, r, fn)
}

// readJSON reads successive JSON values: one per line (the file exporter's
// output, read line by line, each parsed once), or documents over many lines
// (read with a streaming decoder).
func readJSON(path string, r io.Reader, fn func(ptrace.Traces) error) error {
	br := bufio.NewReaderSize(r, 1<<20)
	first, _ := br.Peek(br.Size())
	if line, _, found := bytes.Cut(first, []byte("\n")); found && json.Valid(line) {
		return readJSONLines(path, br, fn)
	}
	return readJSONStream(path, br, fn)
}

// readJSONLines reads one request per line.
func readJSONLines(path string, br *bufio.Reader, fn func(ptrace.Traces) error) error {
	var u ptrace.JSONUnmarshaler
	var offset int64
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(line) == 0 && err == io.EOF {
			return nil
		}
		if err != nil && err != io.EOF {
			return &Error{File: path, Position: fmt.Sprintf("line %d, byte %d", n, offset), Err: err}
		}
		pos := fmt.Sprintf("line %d, byte %d", n, offset)
		offset += int64(len(line))
		trimmed := bytes.TrimSpace(line)
		if len(trimmed) == 0 {
			continue
		}
		if !json.Valid(trimmed) {
			if err == io.EOF {
				return &Error{File: path, Position: pos, Err: errors.New("truncated JSON (the file ends inside a value)")}
			}
			return &Error{File: path, Position: pos, Err: errors.New("not JSON")}
		}
		if err := looksLikeRequest(trimmed); err != nil {
			return &Error{File: path, Position: pos, Err: err}
		}
		td, uerr := u.UnmarshalTraces(trimmed)
		if uerr != nil {
			return &Error{File: path, Position: pos, Err: fmt.Errorf("not an OTLP ExportTraceServiceRequest: %w", uerr)}
		}
		if err := fn(td); err != nil {
			return err
		}
	}
}

// readJSONStream reads JSON values spread over lines.
func readJSONStream(path string, br *bufio.Reader, fn func(ptrace.Traces) error) error {
	counter := &lineCounter{r: br}
	dec := json.NewDecoder(counter)
	var u ptrace.JSONUnmarshaler
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err == io.EOF {
			return nil
		} else if err != nil {
			return &Error{File: path, Position: counter.position(dec.InputOffset()), Err: jsonError(err)}
		}
		start := dec.InputOffset() - int64(len(raw))
		if err := looksLikeRequest(raw); err != nil {
			return &Error{File: path, Position: counter.position(start), Err: err}
		}
		td, err := u.UnmarshalTraces(raw)
		if err != nil {
			return &Error{File: path, Position: counter.position(start), Err: fmt.Errorf("not an OTLP ExportTraceServiceRequest: %w", err)}
		}
		if err := fn(td); err != nil {
			return err
		}
		counter.forget(dec.InputOffset())
	}
}

// looksLikeRequest refuses JSON that pdata would read as an empty request: a
// value that is not an object, or an object with other keys and no
// resourceSpans.
func looksLikeRequest(raw json.RawMessage) error {
	if bytes.Contains(raw, []byte(`"resourceSpans"`)) { // the usual case, without a second parse
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return errors.New("not an OTLP ExportTraceServiceRequest: the value is not a JSON object")
	}
	if _, ok := fields["resourceSpans"]; ok || len(fields) == 0 {
		return nil
	}
	if _, ok := fields["resource_spans"]; ok {
		return nil
	}
	return errors.New("not an OTLP ExportTraceServiceRequest: no resourceSpans")
}

func jsonError(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("truncated JSON (the file ends inside a value)")
	}
	return fmt.Errorf("not JSON: %w", err)
}

// lineCounter counts newlines as the decoder reads, to turn an offset into a
// line number. It keeps the offsets of the newlines the decoder may still
// report an error before, and only a count of the others: memory does not
// grow with the file.
type lineCounter struct {
	r         io.Reader
	read      int64
	forgotten int     // newlines before newline[0]
	newline   []int64 // offsets of the newlines not yet forgotten
}

// forget drops the newlines before offset, keeping their count.
func (l *lineCounter) forget(offset int64) {
	k := sort.Search(len(l.newline), func(i int) bool { return l.newline[i] >= offset })
	l.forgotten += k
	l.newline = append(l.newline[:0], l.newline[k:]...)
}

func (l *lineCounter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			l.newline = append(l.newline, l.read+int64(i))
		}
	}
	l.read += int64(n)
	return n, err
}

func (l *lineCounter) position(offset int64) string {
	line := l.forgotten + sort.Search(len(l.newline), func(i int) bool { return l.newline[i] >= offset }) + 1
	return fmt.Sprintf("line %d, byte %d", line, offset)
}

// maxFrame is the largest length prefix believed: a file whose first four
// bytes say more is read as one request.
const maxFrame = 256 << 20

// readProto reads the file exporter's length-prefixed requests (a 4-byte
// big-endian size before each), or, when the file is not that, one request.
func readProto(path string, r io.Reader, fn func(ptrace.Traces) error) error {
	var u ptrace.ProtoUnmarshaler
	br := bufio.NewReaderSize(r, 1<<20)
	var offset int64
	for n := 0; ; n++ {
		var size [4]byte
		if k, err := io.ReadFull(br, size[:]); err == io.EOF {
			return nil
		} else if err != nil {
			if n == 0 {
				return readOneProto(path, size[:k], br, fn)
			}
			return &Error{File: path, Position: fmt.Sprintf("byte %d", offset), Err: errors.New("truncated: a length prefix is cut short")}
		}
		length := binary.BigEndian.Uint32(size[:])
		if n == 0 && length > maxFrame {
			return readOneProto(path, size[:], br, fn)
		}
		// Read what the file holds, up to length: a length prefix is not
		// believed for memory before its bytes are there (the first four
		// bytes of a single request can read as a prefix of 170 MB).
		msg, err := io.ReadAll(io.LimitReader(br, int64(length)))
		if err == nil && len(msg) < int(length) {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			if n == 0 {
				return readOneProto(path, append(size[:], msg...), br, fn)
			}
			return &Error{File: path, Position: fmt.Sprintf("byte %d", offset), Err: fmt.Errorf("truncated: a request of %d bytes is cut short", length)}
		}
		td, err := u.UnmarshalTraces(msg)
		if err != nil {
			if n == 0 {
				return readOneProto(path, append(size[:], msg...), br, fn)
			}
			return &Error{File: path, Position: fmt.Sprintf("byte %d", offset), Err: fmt.Errorf("not an OTLP ExportTraceServiceRequest: %w", err)}
		}
		if err := fn(td); err != nil {
			return err
		}
		offset += 4 + int64(length)
	}
}

// readOneProto reads a whole file as one request, its first bytes already read.
func readOneProto(path string, head []byte, rest io.Reader, fn func(ptrace.Traces) error) error {
	tail, err := io.ReadAll(rest)
	if err != nil {
		return &Error{File: path, Err: err}
	}
	var u ptrace.ProtoUnmarshaler
	td, err := u.UnmarshalTraces(append(bytes.Clone(head), tail...))
	if err != nil {
		return &Error{File: path, Position: "byte 0", Err: fmt.Errorf("not OTLP protobuf: %w", err)}
	}
	return fn(td)
}
