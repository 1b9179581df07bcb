package hostile

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"strings"
)

// NestedProto is an OTLP ExportTraceServiceRequest of one span whose one
// attribute value nests depth arrays, in protobuf, written byte by byte
// (pdata could not write it: its marshaler recurses as its decoder does).
// Arrays are the most stack for the fewest bytes: a million levels take
// 9.5 MB, and from 1.25 million (about 12 MB) pdata's decoder overflows the
// goroutine stack.
func NestedProto(depth int) []byte {
	// sizes from the inside out: the AnyValue at level k holds an ArrayValue
	// holding the AnyValue at level k-1; level 0 is a string "x"
	any := make([]int, depth+1)
	array := make([]int, depth+1)
	any[0] = 3
	for k := 1; k <= depth; k++ {
		array[k] = 1 + uvarintLen(any[k-1]) + any[k-1]
		any[k] = 1 + uvarintLen(array[k]) + array[k]
	}
	value := make([]byte, 0, any[depth])
	for k := depth; k >= 1; k-- {
		value = append(value, 5<<3|2) // AnyValue.array_value
		value = binary.AppendUvarint(value, uint64(array[k]))
		value = append(value, 1<<3|2) // ArrayValue.values
		value = binary.AppendUvarint(value, uint64(any[k-1]))
	}
	value = append(value, 1<<3|2, 1, 'x') // AnyValue.string_value
	kv := append(field(1, []byte("nested")), field(2, value)...)
	traceID, spanID := make([]byte, 16), make([]byte, 8)
	traceID[0], spanID[0] = 0x9e, 0x9e
	span := append(append(append(field(1, traceID), field(2, spanID)...), field(5, []byte("nested"))...), field(9, kv)...)
	return field(1, field(2, field(2, span))) // request.resource_spans.scope_spans.spans
}

// NestedJSON is the same request in OTLP JSON.
func NestedJSON(depth int) []byte {
	var b strings.Builder
	b.Grow(28*depth + 256)
	b.WriteString(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"9e000000000000000000000000000000","spanId":"9e00000000000000",` +
		`"name":"nested","attributes":[{"key":"nested","value":`)
	for range depth {
		b.WriteString(`{"arrayValue":{"values":[`)
	}
	b.WriteString(`{"stringValue":"x"}`)
	for range depth {
		b.WriteString(`]}}`)
	}
	b.WriteString("}]}]}]}]}")
	return []byte(b.String())
}

func field(tag int, payload []byte) []byte {
	out := binary.AppendUvarint([]byte{byte(tag<<3 | 2)}, uint64(len(payload)))
	return append(out, payload...)
}

func uvarintLen(n int) int {
	k := 1
	for ; n >= 0x80; n >>= 7 {
		k++
	}
	return k
}

// BadFile is an input querylens analyze once died on, filled its memory
// with, or called clean: it must be bad input, exit 2, with Reason in the
// message.
type BadFile struct {
	Name   string
	Data   []byte
	Reason string
}

// BadFiles are those inputs: the million-level request (protobuf, framed by
// the file exporter, JSON), 100 KB of gzip that decompress to 100 MB of
// newlines, 8 MB of zeros named .pb, an empty file, empty requests.
func BadFiles() []BadFile {
	proto := NestedProto(1_000_000)
	framed := binary.BigEndian.AppendUint32(nil, uint32(len(proto)))
	var newlines bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&newlines, gzip.BestCompression)
	_, _ = zw.Write(bytes.Repeat([]byte("\n"), 100<<20))
	_ = zw.Close()
	return []BadFile{
		{"million-levels.pb", proto, "nested deeper than 64 levels"},
		{"million-levels-framed.pb", append(framed, proto...), "nested deeper than 64 levels"},
		{"million-levels.json", NestedJSON(1_000_000), "nested deeper than 208 levels of JSON"},
		{"newlines.json.gz", newlines.Bytes(), "holds no OTLP request"},
		{"zeros.pb", make([]byte, 8<<20), "no request"},
		{"empty.json", nil, "holds no OTLP request"},
		{"empty-requests.json", []byte("{}\n{}\n"), "holds no OTLP request"},
	}
}
