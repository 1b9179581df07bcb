package sqlnorm

import (
	"strings"

	"github.com/DataDog/go-sqllexer"
)

// documentValues settles the bare words of statements that are not SQL, where
// a value need not be quoted:
//   - MongoDB shell and JavaScript ({email: someone}): a word after ':' that
//     is not called is a value; keys and method chains are names.
//   - Elasticsearch and OpenSearch: a Lucene query string (title:dune AND
//     year:2001) holds values as bare words: every word is a value but field
//     names (before ':') and AND, OR, NOT, TO. A request line (GET
//     /books/_doc/42?q=x) keeps its method, first path segment (the index)
//     and the API names (_search, _doc), and the keys of its query.
//   - Cypher: a word after ':' is a label, and values are quoted or numbers.
func (r *reader) documentValues() {
	switch r.d {
	case DialectDocument:
		for i := range r.pieces {
			p := &r.pieces[i]
			if p.kind != kWord || p.tt == sqllexer.BOOLEAN || p.tt == sqllexer.NULL {
				continue
			}
			prev, next := r.prevSignificant(i), r.nextSignificant(i)
			if prev >= 0 && r.text[r.pieces[prev].start:r.pieces[prev].end] == ":" &&
				(next < 0 || r.text[r.pieces[next].start] != '(') {
				p.kind = kValue
			}
		}
	case DialectSearch:
		if r.requestLine() {
			r.requestLineValues()
			return
		}
		for i := range r.pieces {
			p := &r.pieces[i]
			if p.kind != kWord {
				continue
			}
			w := r.text[p.start:p.end]
			if w == "AND" || w == "OR" || w == "NOT" || w == "TO" {
				continue
			}
			if next := r.nextSignificantGlued(i); next >= 0 && r.text[r.pieces[next].start] == ':' {
				continue // a field name
			}
			p.kind = kValue
		}
	}
}

// nextSignificantGlued is the next piece when no space comes between.
func (r *reader) nextSignificantGlued(i int) int {
	if i+1 < len(r.pieces) && r.pieces[i+1].start == r.pieces[i].end && r.pieces[i+1].kind != kSpace {
		return i + 1
	}
	return -1
}

var httpMethods = map[string]bool{"GET": true, "POST": true, "PUT": true, "DELETE": true, "HEAD": true, "PATCH": true}

// requestLine: the statement is METHOD /path...
func (r *reader) requestLine() bool {
	first := r.nextSignificant(-1)
	if first < 0 || !httpMethods[strings.ToUpper(r.text[r.pieces[first].start:r.pieces[first].end])] {
		return false
	}
	next := r.nextSignificant(first)
	return next >= 0 && r.text[r.pieces[next].start] == '/'
}

func (r *reader) requestLineValues() {
	first := r.nextSignificant(-1)
	segment, inQuery := 0, false
	for i := first + 1; i < len(r.pieces); i++ {
		p := &r.pieces[i]
		switch c := r.text[p.start]; {
		case p.kind == kSpace:
			if segment > 0 {
				inQuery = false
				segment = -1 << 20 // the body: every word is a value
			}
		case c == '/' && p.kind == kOperator:
			segment++
		case c == '?' || c == '&':
			inQuery = true
		case p.kind == kWord:
			w := r.text[p.start:p.end]
			keep := segment == 1 || segment > 0 && strings.HasPrefix(w, "_")
			if inQuery {
				next := r.nextSignificantGlued(i)
				keep = next >= 0 && r.text[r.pieces[next].start] == '='
			}
			if !keep {
				p.kind = kValue
			}
		}
	}
}

// regexPosition reports whether a '/' read now starts a regular expression
// (JavaScript, Flux): where a value stands, after ( , : = [ ! & | ? { ; or at
// the start.
func (r *reader) regexPosition() bool {
	prev := r.prevSignificant(len(r.pieces))
	if prev < 0 {
		return true
	}
	p := r.pieces[prev]
	if p.kind == kWord {
		w := strings.ToLower(r.text[p.start:p.end])
		return w == "return" || w == "typeof" || w == "in" || w == "of"
	}
	if p.kind != kOperator && p.kind != kPunct {
		return false
	}
	switch r.text[p.end-1] {
	case '(', ',', ':', '=', '[', '!', '&', '|', '?', '{', ';', '~':
		return true
	}
	return false
}
