package sqlnorm

import (
	"encoding/json"
	"strings"
)

// maxJSONDepth bounds the recursion of jsonShape: deeper values become "?".
const maxJSONDepth = 32

// commandShape normalizes a statement that is not SQL, or that the SQL lexer
// could not read, to the shape of its command, and says in which dialect the
// shape reads. No value survives it.
func commandShape(raw string, d Dialect) (string, Dialect) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", d
	}
	if d == DialectKeyValue {
		// "GET user:42", "HSET session:abc field value": every argument may be a
		// key or a value, so only the command is kept.
		cmd, args, _ := strings.Cut(strings.Join(strings.Fields(raw), " "), " ")
		if !isCommandWord(cmd) {
			cmd = "?"
		}
		cmd = strings.ToUpper(cmd)
		if args != "" {
			return cmd + " ?", d
		}
		return cmd, d
	}
	if raw[0] == '{' || raw[0] == '[' {
		if s, ok := jsonLinesShape(raw); ok {
			return s, DialectPostgres // keys are double-quoted names
		}
	}
	return literalShape(raw, d), d
}

// jsonLinesShape is the shape of one JSON document, or of one per line
// (Elasticsearch's bulk and msearch bodies).
func jsonLinesShape(raw string) (string, bool) {
	if s, ok := jsonShape(raw); ok {
		return s, true
	}
	if strings.IndexByte(raw, '\n') < 0 {
		return "", false
	}
	var shapes []string
	for _, line := range strings.Split(raw, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		s, ok := jsonShape(line)
		if !ok {
			return "", false
		}
		shapes = append(shapes, s)
	}
	return strings.Join(shapes, " "), len(shapes) > 0
}

// jsonShape keeps the keys of a JSON document and replaces every scalar with ?
// and every array with its first element, as IN-lists collapse in SQL.
func jsonShape(raw string) (string, bool) {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var b strings.Builder
	if err := shapeJSONValue(dec, &b, 0); err != nil {
		return "", false
	}
	if _, err := dec.Token(); err == nil { // trailing data: not one document
		return "", false
	}
	return b.String(), true
}

func shapeJSONValue(dec *json.Decoder, b *strings.Builder, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		b.WriteByte('?')
		return nil
	}
	if depth >= maxJSONDepth {
		b.WriteByte('?')
		return skipJSONRest(dec)
	}
	switch delim {
	case '{':
		b.WriteByte('{')
		for i := 0; dec.More(); i++ {
			key, err := dec.Token()
			if err != nil {
				return err
			}
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(key)
			b.Write(k)
			b.WriteByte(':')
			if err := shapeJSONValue(dec, b, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case '[':
		b.WriteByte('[')
		if dec.More() {
			if err := shapeJSONValue(dec, b, depth+1); err != nil {
				return err
			}
			for dec.More() {
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					return err
				}
			}
		}
		b.WriteByte(']')
	}
	_, err = dec.Token() // the closing delimiter
	return err
}

// skipJSONRest consumes the rest of the object or array just opened.
func skipJSONRest(dec *json.Decoder) error {
	for depth := 1; depth > 0; {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

// literalShape is the statement as the reader of its dialect reads it, every
// value ?, comments dropped, whitespace collapsed: commands, keywords,
// names and operators are kept.
func literalShape(raw string, d Dialect) string {
	r := read(raw, d)
	defer r.done()
	var b strings.Builder
	b.Grow(len(raw))
	space := false
	for _, p := range r.pieces {
		switch p.kind {
		case kSpace, kComment:
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		if p.kind == kValue || p.kind == kOther {
			b.WriteByte('?')
			continue
		}
		b.WriteString(r.text[p.start:p.end])
	}
	return b.String()
}
