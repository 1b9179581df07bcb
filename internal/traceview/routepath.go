package traceview

import "strings"

// RouteFitsPath reports whether route, a route template (/tasks/:id,
// /api/[workspaceId]/events, /users/{id}, /<int:pk>/), can be the route of a
// request to path. path may carry a mount prefix the route omits, and a
// query. An empty path fits every route: nothing says otherwise.
func RouteFitsPath(route, path string) bool {
	if path == "" {
		return true
	}
	path, _, _ = strings.Cut(path, "?")
	rs, ps := segments(route), segments(path)
	for i, seg := range rs {
		if isCatchAll(seg) {
			// the segments before it fit somewhere in path, in order
			return fitsInOrder(rs[:i], ps)
		}
	}
	if len(rs) > len(ps) || len(rs) == 0 && len(ps) > 0 {
		return false
	}
	tail := ps[len(ps)-len(rs):]
	for i, seg := range rs {
		if !segmentFits(seg, tail[i]) {
			return false
		}
	}
	return true
}

func segments(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// isParam reports whether a route segment stands for a value, whole or in
// part: :id, {id}, [id], <int:id>, *, :from-:to, v{version}.
func isParam(seg string) bool {
	return strings.ContainsAny(seg, ":{[<*")
}

// isCatchAll reports whether a route segment stands for the rest of the
// path: *, **, {*rest}, {rest...}, [...slug], [[...slug]], :rest*, <path:p>.
func isCatchAll(seg string) bool {
	return seg == "*" || seg == "**" || strings.HasPrefix(seg, "{*") || strings.HasSuffix(seg, "...}") ||
		strings.HasPrefix(seg, "[...") || strings.HasPrefix(seg, "[[...") ||
		seg[0] == ':' && strings.HasSuffix(seg, "*") || strings.HasPrefix(seg, "<path:")
}

func segmentFits(seg, value string) bool {
	return isParam(seg) || strings.EqualFold(seg, value)
}

// fitsInOrder reports whether the route segments rs fit segments of ps in
// order, a literal to an equal segment.
func fitsInOrder(rs, ps []string) bool {
	j := 0
	for _, seg := range rs {
		for j < len(ps) && !segmentFits(seg, ps[j]) {
			j++
		}
		if j == len(ps) {
			return false
		}
		j++
	}
	return true
}
