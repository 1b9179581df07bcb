package livepage

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// badge is the findings of one type in a request, shown as one coloured
// badge: "over_fetch ×3", not three.
type badge struct {
	Type   string
	N      int    // findings of the type
	Detail string // their repeats and waste, for the badge's title
}

// badgesOf folds findings by type, in the order they first appear.
func badgesOf(findings []Finding) []badge {
	var out []badge
	at := map[string]int{}
	for _, f := range findings {
		k, ok := at[f.Type]
		if !ok {
			k = len(out)
			at[f.Type] = k
			out = append(out, badge{Type: f.Type})
		}
		b := &out[k]
		b.N++
		if b.Detail != "" {
			b.Detail += "; "
		}
		b.Detail += plural(f.Count, "query", "queries")
		if f.Wasted > 0 {
			b.Detail += ", " + strconv.Itoa(f.Wasted) + " wasted"
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// waterfallView is a request's waterfall as the template draws it: rows of
// spans on a time axis, and an overview strip of the database and HTTP
// calls in which a loop shows as evenly spaced stripes.
type waterfallView struct {
	TotalMs   float64
	Ticks     []tick
	Rows      []row
	Overview  []mark
	Truncated int
	// Focus is the finding whose spans the page was asked to highlight
	// (?finding=).
	Focus string
}

type tick struct {
	At    template.CSS // left: of the tick, from numbers only
	Label string
}

// row is one span. Class is made of fixed words and the finding's type;
// Indent and Bar are CSS made of numbers only.
type row struct {
	Class        string
	Indent, Bar  template.CSS
	Label        string
	Ms           string
	FindingType  string
	FindingID    string
	FindingCount int
}

// mark is a database or HTTP call on the overview strip, in a 0..1000 frame.
type mark struct {
	X, W      string
	Class     string
	FindingID string
}

// overviewWidth is the overview strip's frame, in SVG units.
const overviewWidth = 1000

func waterfallOf(r *Request, focus string) waterfallView {
	v := waterfallView{Truncated: r.SpansTruncated, Focus: focus}
	var end int64
	for _, s := range r.Spans {
		end = max(end, s.Start+s.Duration)
	}
	total := float64(max(end, 1))
	v.TotalMs = float64(end) / 1e6
	v.Ticks = ticksOf(v.TotalMs)
	v.Rows = make([]row, len(r.Spans))
	for i, s := range r.Spans {
		left, width := 100*float64(s.Start)/total, 100*float64(s.Duration)/total
		x := row{Label: s.Label, Ms: ms(float64(s.Duration) / 1e6),
			Indent: template.CSS("padding-left:" + strconv.Itoa(int(min(s.Depth, 40))*12+4) + "px"),
			Bar:    template.CSS("left:" + pct(left) + ";width:" + pct(width))}
		class := [...]string{"s", "s db", "s http"}[min(int(s.Kind), 2)]
		if s.Finding > 0 && int(s.Finding) <= len(r.Findings) {
			f := &r.Findings[s.Finding-1]
			x.FindingType, x.FindingID, x.FindingCount = f.Type, f.ID, f.Count
			class += " m t-" + f.Type
			if f.ID == focus {
				class += " hl"
			}
		}
		x.Class = class
		v.Rows[i] = x
		if s.Kind != SpanOther {
			// A gap between marks: calls back to back stay apart.
			v.Overview = append(v.Overview, mark{X: strconv.FormatFloat(left*overviewWidth/100, 'f', 1, 64),
				W:     strconv.FormatFloat(max(width*overviewWidth/100-1.5, 1.5), 'f', 1, 64),
				Class: strings.TrimPrefix(class, "s "), FindingID: x.FindingID})
		}
	}
	// Members on top: a loop's stripes are not hidden by the twin spans
	// (an ORM's and its driver's) that record the same calls.
	sort.SliceStable(v.Overview, func(i, j int) bool { return v.Overview[i].FindingID == "" && v.Overview[j].FindingID != "" })
	return v
}

// ticksOf puts about five ticks on an axis of total ms, at round numbers.
func ticksOf(total float64) []tick {
	if total <= 0 {
		return []tick{{At: "left:0%", Label: "0 ms"}}
	}
	step := math.Pow(10, math.Floor(math.Log10(total/5)))
	for _, k := range []float64{1, 2, 5, 10} {
		if total/(step*k) <= 6 {
			step *= k
			break
		}
	}
	var out []tick
	for at := 0.0; at <= total*1.0001; at += step {
		out = append(out, tick{At: template.CSS("left:" + pct(100*at/total)), Label: trimMs(at) + " ms"})
	}
	return out
}

func pct(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) + "%" }

// ms is a duration in milliseconds, to two decimals.
func ms(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// trimMs is a tick's value: as short as it can be.
func trimMs(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// sparkline draws counts per minute as bars, in SVG made of numbers only;
// the minutes before since (no longer kept) are shaded.
func sparkline(counts []int, now, since time.Time) template.HTML {
	const w, h = 4, 16
	top := 1
	for _, c := range counts {
		top = max(top, c)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="findings per minute, the last %d minutes">`,
		w*len(counts), h, w*len(counts), h, len(counts))
	if !since.IsZero() {
		if gone := len(counts) - 1 - int(now.Sub(since)/time.Minute); gone > 0 {
			fmt.Fprintf(&b, `<rect class="gone" x="0" y="0" width="%d" height="%d"/>`, min(gone, len(counts))*w, h)
		}
	}
	for i, c := range counts {
		if c == 0 {
			continue
		}
		bar := max(1, c*h/top)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d"/>`, i*w, h-bar, w-1, bar)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // numbers only
}

// clock is a time with its date, in the collector's time zone.
func clock(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05") }

// traceLink is the trace store's address of a trace.
func traceLink(tmpl, id string) string { return strings.ReplaceAll(tmpl, "{trace_id}", id) }

var funcs = template.FuncMap{
	"traceLink":    traceLink,
	"ms":           ms,
	"clock":        clock,
	"iso":          func(t time.Time) string { return t.Format(time.RFC3339) },
	"sel":          func(a, b string) bool { return a == b },
	"plural":       plural,
	"mean":         func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) },
	"badges":       badgesOf,
	"spark":        sparkline,
	"sparkMinutes": func() int { return sparkMinutes },
	// withProblems hands the problem rows a page's clock, window and link.
	"withProblems": func(p pageData, rows []ProblemRow) any {
		return struct {
			Now      time.Time
			Window   Window
			TraceURL string
			Problems []ProblemRow
		}{p.Now, p.Window, p.TraceURL, rows}
	},
	// waterfallOf hands the waterfall template its request's span id.
	"waterfallOf": func(spanID string, w waterfallView) any {
		return struct {
			SpanID string
			W      waterfallView
		}{spanID, w}
	},
}
