package sqlnorm

import "strings"

// go-sqllexer's normalizer folds a list of values into one: (?, ?, ?) is
// (?). It starts folding at a ( or [ whose first token is a value and stops
// only at the closing bracket, so a list that holds anything else after its
// first value loses pieces: (?, DEFAULT, ?) became (?, DEFAULT,), ($1::uuid,
// $2::uuid) became (? :: uuid, :: uuid), (? + 1, ?) became (? + ?). Such a
// list's first value goes to the normalizer as firstValueMark, a name it
// keeps, so that it folds nothing there; foldLists then writes the mark back
// as ? and folds the list's equal neighbouring items itself.
const firstValueMark = "__querylens_first_value__"

// mixedLists returns the pieces that start a list the normalizer would fold
// wrongly: the first token of a bracketed list is a value, and some item of
// the list is more than one value. nil when there are none.
func (r *reader) mixedLists() map[int]bool {
	type list struct {
		first     int  // the piece of the first token, -1 when it is no value
		tokens    int  // tokens of the current item
		mixed     bool // an item is more than one value
		started   bool // a token was seen
		itemValue bool // the current item is one value so far
	}
	var stack []list
	var marks map[int]bool
	endItem := func(l *list) {
		if l.tokens != 1 || !l.itemValue {
			l.mixed = true
		}
		l.tokens, l.itemValue = 0, false
	}
	for i := range r.pieces {
		p := &r.pieces[i]
		if p.kind == kSpace || p.kind == kComment {
			continue
		}
		text := r.text[p.start:p.end]
		var top *list
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		if p.kind == kPunct {
			switch text {
			case "(", "[":
				if top != nil {
					top.tokens++
					top.itemValue = false
					top.started = true
				}
				stack = append(stack, list{first: -1})
				continue
			case ")", "]":
				if top == nil {
					continue
				}
				endItem(top)
				if top.first >= 0 && top.mixed {
					if marks == nil {
						marks = map[int]bool{}
					}
					marks[top.first] = true
				}
				stack = stack[:len(stack)-1]
				continue
			case ",":
				if top != nil {
					endItem(top)
				}
				continue
			}
		}
		if top == nil {
			continue
		}
		value := isListValue(p, text)
		if !top.started && value {
			top.first = i
		}
		top.started = true
		top.tokens++
		top.itemValue = value && top.tokens == 1
	}
	return marks
}

// isListValue reports whether a piece is what the normalizer folds: a
// literal, a placeholder, TRUE, FALSE or NULL.
func isListValue(p *piece, text string) bool {
	switch p.kind {
	case kValue, kPlaceholder:
		return true
	case kWord:
		return strings.EqualFold(text, "NULL") || strings.EqualFold(text, "TRUE") || strings.EqualFold(text, "FALSE")
	}
	return false
}

// foldLists writes each firstValueMark of s back as ? and folds its list:
// neighbouring items that are equal and hold a value become one, as the
// normalizer folds (?, ?, ?): (?, ?, DEFAULT, ?) is (?, DEFAULT, ?),
// (? :: uuid, ? :: uuid) is (? :: uuid).
func foldLists(s string) string {
	for {
		at := strings.Index(s, firstValueMark)
		if at < 0 {
			return s
		}
		s = s[:at] + "?" + s[at+len(firstValueMark):]
		open := strings.LastIndexAny(s[:at], "([")
		if open < 0 {
			continue
		}
		end := matchBracket(s, open)
		if end < 0 {
			continue
		}
		items := splitItems(s[open+1 : end-1])
		kept := items[:0]
		for _, it := range items {
			if n := len(kept); n > 0 && it == kept[n-1] && strings.Contains(it, "?") {
				continue
			}
			kept = append(kept, it)
		}
		s = s[:open+1] + strings.Join(kept, ", ") + s[end-1:]
	}
}

// matchBracket returns the index after the bracket that closes the one at
// s[i], or -1. Quoted names are skipped.
func matchBracket(s string, i int) int {
	depth := 0
	for j := i; j < len(s); j++ {
		switch c := s[j]; c {
		case '(', '[':
			depth++
		case ')', ']':
			if depth--; depth == 0 {
				return j + 1
			}
		case '"', '`':
			if k := strings.IndexByte(s[j+1:], c); k >= 0 {
				j += k + 1
			}
		}
	}
	return -1
}

// splitItems splits a list's text at its top-level commas, each item
// trimmed.
func splitItems(s string) []string {
	var items []string
	depth, from := 0, 0
	for j := 0; j < len(s); j++ {
		switch c := s[j]; c {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		case '"', '`':
			if k := strings.IndexByte(s[j+1:], c); k >= 0 {
				j += k + 1
			}
		case ',':
			if depth == 0 {
				items = append(items, strings.TrimSpace(s[from:j]))
				from = j + 1
			}
		}
	}
	return append(items, strings.TrimSpace(s[from:]))
}
