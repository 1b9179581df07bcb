package otlpfile

import (
	"encoding/binary"
	"fmt"
)

// The messages of an ExportTraceServiceRequest that lead to attribute
// values, which nest: pdata's decoder recurses once per message, so a value
// nested a million levels deep overflows its stack, a fatal error no recover
// catches. checkProtoDepth walks the wire format first, with a stack of its
// own, and refuses such a request.
type message uint8

const (
	msgOther message = iota
	msgRequest
	msgResourceSpans
	msgResource
	msgScopeSpans
	msgScope
	msgSpan
	msgEvent
	msgLink
	msgKeyValue
	msgAnyValue
	msgArrayValue
	msgKeyValueList
)

// children gives, per message and field number, the message a
// length-delimited field holds, when it leads to attribute values.
var children = map[message]map[uint64]message{
	msgRequest:       {1: msgResourceSpans},
	msgResourceSpans: {1: msgResource, 2: msgScopeSpans},
	msgResource:      {1: msgKeyValue},
	msgScopeSpans:    {1: msgScope, 2: msgSpan},
	msgScope:         {3: msgKeyValue},
	msgSpan:          {9: msgKeyValue, 11: msgEvent, 13: msgLink},
	msgEvent:         {3: msgKeyValue},
	msgLink:          {5: msgKeyValue},
	msgKeyValue:      {2: msgAnyValue},
	msgAnyValue:      {5: msgArrayValue, 6: msgKeyValueList},
	msgArrayValue:    {1: msgAnyValue},
	msgKeyValueList:  {1: msgKeyValue},
}

// tooDeep is a request refused for its depth.
type tooDeep struct{ max, at int }

func (e *tooDeep) Error() string {
	return fmt.Sprintf("an attribute value nested deeper than %d levels at byte %d: refused, as the decoder would recurse that deep", e.max, e.at)
}

// checkProtoDepth returns an error when b is not protobuf, or when an
// attribute value in it nests more than maxDepth values deep.
func checkProtoDepth(b []byte, maxDepth int) error {
	type frame struct {
		msg message
		end int
	}
	stack := []frame{{msgRequest, len(b)}}
	values := 0 // AnyValues on the stack
	for pos := 0; ; {
		top := stack[len(stack)-1]
		if pos == top.end {
			if len(stack) == 1 {
				return nil
			}
			if top.msg == msgAnyValue {
				values--
			}
			stack = stack[:len(stack)-1]
			continue
		}
		tag, n := binary.Uvarint(b[pos:top.end])
		if n <= 0 {
			return fmt.Errorf("malformed protobuf at byte %d", pos)
		}
		pos += n
		field, wire := tag>>3, tag&7
		if field == 0 {
			return fmt.Errorf("malformed protobuf at byte %d: field 0", pos-n)
		}
		switch wire {
		case 0:
			_, n := binary.Uvarint(b[pos:top.end])
			if n <= 0 {
				return fmt.Errorf("malformed protobuf at byte %d", pos)
			}
			pos += n
		case 1, 5:
			size := 8
			if wire == 5 {
				size = 4
			}
			if pos+size > top.end {
				return fmt.Errorf("malformed protobuf at byte %d", pos)
			}
			pos += size
		case 2:
			length, n := binary.Uvarint(b[pos:top.end])
			if n <= 0 || length > uint64(top.end-pos-n) {
				return fmt.Errorf("malformed protobuf at byte %d", pos)
			}
			pos += n
			child := children[top.msg][field]
			if child == msgOther {
				pos += int(length)
				continue
			}
			if child == msgAnyValue {
				values++
				if values > maxDepth {
					return &tooDeep{maxDepth, pos}
				}
			}
			stack = append(stack, frame{child, pos + int(length)})
		default:
			return fmt.Errorf("malformed protobuf at byte %d: wire type %d", pos, wire)
		}
	}
}
