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

// Input is a file to read, and whether it was found in a directory rather
// than named.
type Input struct {
	Path  string
	InDir bool
}

// Expand turns the arguments into the files to read: a directory gives every
// .json, .jsonl, .pb and .binpb file below it (gzipped or not; not in hidden
// directories or node_modules, not *.expected.json), sorted; "-" is standard
// input.
func Expand(args []string) ([]Input, error) {
	var files []Input
	for _, a := range args {
		if a == "-" {
			files = append(files, Input{Path: a})
			continue
		}
		info, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, Input{Path: a})
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
		for _, p := range found {
			files = append(files, Input{Path: p, InDir: true})
		}
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

// Limits bound what one request may take. A JSON value or line, a
// protobuf request or frame longer than MaxRequestBytes, or nesting deeper
// than MaxDepth, is refused with an *Error: pdata's decoders recurse per
// level of nesting, and a request of a million levels overflows the stack
// (README, "Limits").
type Limits struct {
	MaxRequestBytes int64
	MaxDepth        int
}

// DefaultLimits: 64 MiB a request, 64 levels of nested attribute values.
var DefaultLimits = Limits{MaxRequestBytes: 64 << 20, MaxDepth: 64}

// maxBrackets is how deep JSON of depth attribute values nests: three
// brackets a value ({"arrayValue":{"values":[), and OTLP's own structure.
func maxBrackets(depth int) int { return 3*depth + 16 }

// Read reads one file (or "-", standard input, as JSON) and calls fn with
// each request in order. A request that cannot be read ends the file with an
// *Error; what was read before it has been passed to fn. A file that holds
// no request with a resource (only whitespace, zero bytes, empty requests)
// is an *Error too.
func Read(path string, stdin io.Reader, limits Limits, fn func(ptrace.Traces) error) error {
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
	requests := 0
	count := func(td ptrace.Traces) error {
		if td.ResourceSpans().Len() > 0 {
			requests++
		}
		return fn(td)
	}
	var err error
	if strings.HasSuffix(name, ".pb") || strings.HasSuffix(name, ".binpb") {
		err = readProto(path, r, limits, count)
	} else {
		err = readJSON(path, r, limits, count)
	}
	if err == nil && requests == 0 {
		return &Error{File: path, Err: errors.New("holds no OTLP request: no resourceSpans in it (an empty file, whitespace, zero bytes or empty requests)")}
	}
	return err
}

// readJSON reads successive JSON values, one per line (the file exporter's
// output) or spread over lines, each at most limits.MaxRequestBytes:
// whitespace between them is never held.
func readJSON(path string, r io.Reader, limits Limits, fn func(ptrace.Traces) error) error {
	sp := &jsonSplitter{br: bufio.NewReaderSize(r, 1<<20), line: 1, limits: limits}
	var u ptrace.JSONUnmarshaler
	for {
		value, pos, err := sp.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return &Error{File: path, Position: pos, Err: err}
		}
		if !json.Valid(value) {
			var raw json.RawMessage
			return &Error{File: path, Position: pos, Err: jsonError(json.Unmarshal(value, &raw))}
		}
		if err := looksLikeRequest(value); err != nil {
			return &Error{File: path, Position: pos, Err: err}
		}
		td, err := u.UnmarshalTraces(value)
		if err != nil {
			return &Error{File: path, Position: pos, Err: fmt.Errorf("not an OTLP ExportTraceServiceRequest: %w", err)}
		}
		if err := fn(td); err != nil {
			return err
		}
	}
}

// jsonSplitter cuts a stream into JSON values: an object or array to its
// closing bracket (strings and escapes read), anything else to the end of
// its line. It holds one value at a time.
type jsonSplitter struct {
	br     *bufio.Reader
	limits Limits
	line   int
	offset int64
	value  []byte
}

// next returns the next value and where it starts, io.EOF after the last.
func (s *jsonSplitter) next() ([]byte, string, error) {
	s.value = s.value[:0]
	// whitespace before the value
	for {
		c, err := s.br.ReadByte()
		if err != nil {
			return nil, s.position(), io.EOF
		}
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			s.advance(c)
			continue
		}
		_ = s.br.UnreadByte()
		break
	}
	pos := s.position()
	first, _ := s.br.Peek(1)
	bracketed := first[0] == '{' || first[0] == '['
	depth, inString, escaped := 0, false, false
	for {
		chunk, err := s.br.Peek(max(s.br.Buffered(), 1))
		if len(chunk) == 0 {
			if err == io.EOF && !bracketed && len(s.value) > 0 {
				return s.value, pos, nil
			}
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil, pos, errors.New("truncated JSON (the file ends inside a value)")
			}
			return nil, pos, err
		}
		end, done := -1, false
		for i, c := range chunk {
			if !bracketed {
				if c == '\n' {
					end, done = i, true
					break
				}
				continue
			}
			switch {
			case escaped:
				escaped = false
			case inString:
				if c == '\\' {
					escaped = true
				} else if c == '"' {
					inString = false
				}
			case c == '"':
				inString = true
			case c == '{' || c == '[':
				depth++
				if depth > maxBrackets(s.limits.MaxDepth) {
					return nil, pos, fmt.Errorf("nested deeper than %d levels of JSON (%d of attribute values): refused, as the decoder would recurse that deep",
						maxBrackets(s.limits.MaxDepth), s.limits.MaxDepth)
				}
			case c == '}' || c == ']':
				depth--
				if depth == 0 {
					end, done = i+1, true
				}
			}
			if done {
				break
			}
		}
		if !done {
			end = len(chunk)
		}
		if int64(len(s.value)+end) > s.limits.MaxRequestBytes {
			return nil, pos, fmt.Errorf("a request longer than %d bytes: refused (--max-line-bytes)", s.limits.MaxRequestBytes)
		}
		s.value = append(s.value, chunk[:end]...)
		for _, c := range chunk[:end] {
			s.advance(c)
		}
		_, _ = s.br.Discard(end)
		if done {
			return s.value, pos, nil
		}
	}
}

func (s *jsonSplitter) advance(c byte) {
	s.offset++
	if c == '\n' {
		s.line++
	}
}

func (s *jsonSplitter) position() string { return fmt.Sprintf("line %d, byte %d", s.line, s.offset) }

// looksLikeRequest refuses JSON that pdata would read as an empty request: a
// value that is not an object, or an object with other keys and no
// resourceSpans.
// ErrNotTraces is the error of a JSON value that is no OTLP trace request
// at all (a package.json, a config file), as against a request that is
// broken.
var ErrNotTraces = errors.New("not an OTLP ExportTraceServiceRequest")

func looksLikeRequest(raw json.RawMessage) error {
	if bytes.Contains(raw, []byte(`"resourceSpans"`)) { // the usual case, without a second parse
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return fmt.Errorf("%w: the value is not a JSON object", ErrNotTraces)
	}
	if _, ok := fields["resourceSpans"]; ok || len(fields) == 0 {
		return nil
	}
	if _, ok := fields["resource_spans"]; ok {
		return nil
	}
	return fmt.Errorf("%w: no resourceSpans", ErrNotTraces)
}

func jsonError(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("truncated JSON (the file ends inside a value)")
	}
	return fmt.Errorf("not JSON: %w", err)
}

// maxFrame is the largest length prefix believed: a file whose first four
// bytes say more is read as one request.
const maxFrame = 256 << 20

// readProto reads the file exporter's length-prefixed requests (a 4-byte
// big-endian size before each), or, when the file is not that, one request.
func readProto(path string, r io.Reader, limits Limits, fn func(ptrace.Traces) error) error {
	var u ptrace.ProtoUnmarshaler
	br := bufio.NewReaderSize(r, 1<<20)
	var offset int64
	for n := 0; ; n++ {
		var size [4]byte
		if k, err := io.ReadFull(br, size[:]); err == io.EOF {
			return nil
		} else if err != nil {
			if n == 0 {
				return readOneProto(path, size[:k], br, limits, fn)
			}
			return &Error{File: path, Position: fmt.Sprintf("byte %d", offset), Err: errors.New("truncated: a length prefix is cut short")}
		}
		length := binary.BigEndian.Uint32(size[:])
		if n == 0 && length == 0 { // zeros: one request, or nothing
			if err := readOneProto(path, size[:], br, limits, fn); err != nil {
				return &Error{File: path, Position: "byte 0", Err: errors.New("a length prefix of 0: no request, and no protobuf request either")}
			}
			return nil
		}
		if n == 0 && (length > maxFrame || int64(length) > limits.MaxRequestBytes) {
			return readOneProto(path, size[:], br, limits, fn)
		}
		if length == 0 {
			return &Error{File: path, Position: fmt.Sprintf("byte %d", offset), Err: errors.New("a length prefix of 0: no request")}
		}
		if int64(length) > limits.MaxRequestBytes {
			return &Error{File: path, Position: fmt.Sprintf("byte %d", offset),
				Err: fmt.Errorf("a request of %d bytes, longer than %d: refused (--max-line-bytes)", length, limits.MaxRequestBytes)}
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
				return readOneProto(path, append(size[:], msg...), br, limits, fn)
			}
			return &Error{File: path, Position: fmt.Sprintf("byte %d", offset), Err: fmt.Errorf("truncated: a request of %d bytes is cut short", length)}
		}
		if err := checkProtoDepth(msg, limits.MaxDepth); err != nil {
			var deep *tooDeep
			if n == 0 && !errors.As(err, &deep) {
				return readOneProto(path, append(size[:], msg...), br, limits, fn)
			}
			return &Error{File: path, Position: fmt.Sprintf("byte %d", offset), Err: err}
		}
		td, err := u.UnmarshalTraces(msg)
		if err != nil {
			if n == 0 {
				return readOneProto(path, append(size[:], msg...), br, limits, fn)
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
func readOneProto(path string, head []byte, rest io.Reader, limits Limits, fn func(ptrace.Traces) error) error {
	tail, err := io.ReadAll(io.LimitReader(rest, limits.MaxRequestBytes-int64(len(head))+1))
	if err != nil {
		return &Error{File: path, Err: err}
	}
	msg := append(bytes.Clone(head), tail...)
	if int64(len(msg)) > limits.MaxRequestBytes {
		return &Error{File: path, Position: "byte 0", Err: fmt.Errorf("a request longer than %d bytes: refused (--max-line-bytes)", limits.MaxRequestBytes)}
	}
	if err := checkProtoDepth(msg, limits.MaxDepth); err != nil {
		return &Error{File: path, Position: "byte 0", Err: fmt.Errorf("not OTLP protobuf: %w", err)}
	}
	var u ptrace.ProtoUnmarshaler
	td, err := u.UnmarshalTraces(msg)
	if err != nil {
		return &Error{File: path, Position: "byte 0", Err: fmt.Errorf("not OTLP protobuf: %w", err)}
	}
	return fn(td)
}
