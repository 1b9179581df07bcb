package sqlnorm

import (
	"encoding/json"
	"strings"
)

// maxJSONDepth bounds the recursion of jsonShape: deeper values become "?".
const maxJSONDepth = 32

// commandShape normalizes a statement that is not SQL, or that the SQL lexer
// could not read, to the shape of its command. No value survives it.
func commandShape(raw string, d Dialect) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	if d == DialectKeyValue {
		// "GET user:42", "HSET session:abc field value": every argument may be a
		// key or a value, so only the command is kept.
		cmd, args, _ := strings.Cut(raw, " ")
		cmd = strings.ToUpper(cmd)
		if strings.TrimSpace(args) != "" {
			return cmd + " ?"
		}
		return cmd
	}
	if raw[0] == '{' || raw[0] == '[' {
		if s, ok := jsonShape(raw); ok {
			return s
		}
	}
	return literalShape(raw)
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

// literalShape replaces quoted strings and numbers with ? and collapses
// whitespace; words (commands, keywords, identifiers) are kept.
func literalShape(raw string) string {
	var b strings.Builder
	b.Grow(len(raw))
	space := false
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			space = true
			i++
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		switch {
		case c == '\'' || c == '"':
			b.WriteByte('?')
			i = skipQuoted(raw, i, c, true)
		case c >= '0' && c <= '9' && (i == 0 || !isIdentByte(raw[i-1])):
			b.WriteByte('?')
			for i < len(raw) && (isIdentByte(raw[i]) || raw[i] == '.') {
				i++
			}
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}
