package dashboards

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/tempo"

	"github.com/querylens/querylens/internal/contract"
	"github.com/querylens/querylens/internal/detect"
)

// committed reads every committed dashboard JSON file of this directory.
func committed(t *testing.T) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob("*.json")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = b
	}
	return out
}

func generated(t *testing.T) []File {
	t.Helper()
	files, err := All()
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestCommittedJSONIsGenerated fails when a committed dashboard differs from
// what the code generates, or when a JSON file here is not generated.
func TestCommittedJSONIsGenerated(t *testing.T) {
	files := committed(t)
	for _, f := range generated(t) {
		want, err := JSON(f.Dashboard)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := files[f.Name]
		delete(files, f.Name)
		switch {
		case !ok:
			t.Errorf("%s is not committed: run `make dashboards`", f.Name)
		case !bytes.Equal(got, want):
			t.Errorf("%s differs from what dashboards/*.go generates: run `make dashboards`\n%s", f.Name, firstDifference(got, want))
		}
	}
	for name := range files {
		t.Errorf("%s is in dashboards/ but no code generates it", name)
	}
}

func firstDifference(got, want []byte) string {
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			return fmt.Sprintf("line %d:\n committed: %s\n generated: %s", i+1, g, w)
		}
	}
	return ""
}

// TestRoundTripThroughTheSDK decodes every committed dashboard with the SDK's
// own decoding (json.Unmarshal runs the SDK's UnmarshalJSON methods, with the
// default plugins registered) and encodes it again: nothing may be lost or
// changed, byte for byte.
//
// It also runs the SDK's strict decoders over every part, which reject
// unknown fields and wrong types, and requires that none reports an error.
// Their results are not usable, in v0.0.18 and v0.0.22 alike: each
// UnmarshalJSONStrict returns a cog.BuildErrors even when it found nothing
// wrong (an empty slice in a non-nil error), and the callers that take it for
// a real error drop what they decoded: Dashboard drops every panel,
// Panel every target and its options. So each part is checked with its own
// strict decoder, and only a non-empty BuildErrors, or another error, fails.
func TestRoundTripThroughTheSDK(t *testing.T) {
	plugins.RegisterDefaultPlugins()
	for name, b := range committed(t) {
		var plain dashboard.Dashboard
		if err := json.Unmarshal(b, &plain); err != nil {
			t.Fatalf("%s: json.Unmarshal: %v", name, err)
		}
		checkSame(t, name+" (json.Unmarshal)", b, plain)

		var strict dashboard.Dashboard
		err := strict.UnmarshalJSONStrict(b)
		if err := strictError(err); err != nil {
			t.Fatalf("%s: UnmarshalJSONStrict: %v", name, err)
		}
		kept := 0
		for _, p := range strict.Panels {
			if p.Panel != nil || p.RowPanel != nil {
				kept++
			}
		}
		checked := strictPanels(t, name, b)
		t.Logf("%s: round-trips through json.Unmarshal; strict decoders find no error in %d panels and their targets "+
			"(Dashboard.UnmarshalJSONStrict alone returns %#v and keeps %d of %d panels)",
			name, checked, err, kept, len(strict.Panels))
	}
}

// strictPanels runs the strict decoders of each panel, its options, its field
// config and its targets, and returns the panels checked.
func strictPanels(t *testing.T, name string, b []byte) int {
	t.Helper()
	var raw struct {
		Panels []json.RawMessage `json:"panels"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	for i, rp := range raw.Panels {
		where := fmt.Sprintf("%s: panel %d", name, i)
		var p struct {
			Type        string            `json:"type"`
			Options     json.RawMessage   `json:"options"`
			Targets     []json.RawMessage `json:"targets"`
			FieldConfig struct {
				Defaults struct {
					Custom json.RawMessage `json:"custom"`
				} `json:"defaults"`
			} `json:"fieldConfig"`
		}
		if err := json.Unmarshal(rp, &p); err != nil {
			t.Fatal(err)
		}
		if p.Type == "row" {
			if err := strictError((&dashboard.RowPanel{}).UnmarshalJSONStrict(rp)); err != nil {
				t.Errorf("%s: %v", where, err)
			}
			continue
		}
		if err := strictError((&dashboard.Panel{}).UnmarshalJSONStrict(rp)); err != nil {
			t.Errorf("%s: %v", where, err)
		}
		config, ok := cog.NewRuntime().ConfigForPanelcfgVariant(p.Type)
		if !ok {
			t.Fatalf("%s: the SDK knows no panel type %q", where, p.Type)
		}
		if _, err := config.StrictOptionsUnmarshaler(p.Options); strictError(err) != nil {
			t.Errorf("%s: options: %v", where, err)
		}
		if p.FieldConfig.Defaults.Custom != nil && config.StrictFieldConfigUnmarshaler != nil {
			if _, err := config.StrictFieldConfigUnmarshaler(p.FieldConfig.Defaults.Custom); strictError(err) != nil {
				t.Errorf("%s: fieldConfig.defaults.custom: %v", where, err)
			}
		}
		for j, rt := range p.Targets {
			var ds struct {
				Datasource jsonDatasource `json:"datasource"`
			}
			if err := json.Unmarshal(rt, &ds); err != nil {
				t.Fatal(err)
			}
			var q interface{ UnmarshalJSONStrict([]byte) error }
			switch ds.Datasource.Type {
			case "prometheus":
				q = &prometheus.Dataquery{}
			case "tempo":
				q = &tempo.Dataquery{}
			default:
				t.Fatalf("%s: target %d: data source type %q", where, j, ds.Datasource.Type)
			}
			if err := strictError(q.UnmarshalJSONStrict(rt)); err != nil {
				t.Errorf("%s: target %d: %v", where, j, err)
			}
		}
	}
	return len(raw.Panels)
}

// strictError is the real error of an UnmarshalJSONStrict: nil for an empty
// cog.BuildErrors.
func strictError(err error) error {
	var buildErrs cog.BuildErrors
	if errors.As(err, &buildErrs) && len(buildErrs) == 0 {
		return nil
	}
	return err
}

func checkSame(t *testing.T, what string, want []byte, d dashboard.Dashboard) {
	t.Helper()
	got, err := JSON(d)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s does not round-trip:\n%s", what, firstDifference(want, got))
	}
}

// The committed JSON as Grafana reads it, the parts the tests look at.
type jsonDashboard struct {
	UID        string      `json:"uid"`
	Title      string      `json:"title"`
	Panels     []jsonPanel `json:"panels"`
	Templating struct {
		List []jsonVariable `json:"list"`
	} `json:"templating"`
}

type jsonDatasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type jsonLink struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

type jsonPanel struct {
	ID          int             `json:"id"`
	Type        string          `json:"type"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Datasource  *jsonDatasource `json:"datasource"`
	GridPos     struct {
		X, Y, W, H int
	} `json:"gridPos"`
	Targets []struct {
		RefID      string          `json:"refId"`
		Datasource *jsonDatasource `json:"datasource"`
		Expr       string          `json:"expr"`
		Query      string          `json:"query"`
		QueryType  string          `json:"queryType"`
	} `json:"targets"`
	Links       []jsonLink `json:"links"`
	FieldConfig struct {
		Defaults struct {
			Unit       string `json:"unit"`
			Thresholds *struct {
				Steps []any `json:"steps"`
			} `json:"thresholds"`
		} `json:"defaults"`
		Overrides []struct {
			Properties []struct {
				ID    string `json:"id"`
				Value any    `json:"value"`
			} `json:"properties"`
		} `json:"overrides"`
	} `json:"fieldConfig"`
}

type jsonVariable struct {
	Type    string `json:"type"`
	Name    string `json:"name"`
	Query   any    `json:"query"`
	Current struct {
		Value any `json:"value"`
	} `json:"current"`
}

func readDashboards(t *testing.T) map[string]jsonDashboard {
	t.Helper()
	out := map[string]jsonDashboard{}
	for name, b := range committed(t) {
		var d jsonDashboard
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = d
	}
	return out
}

// TestLayout: every row of panels is 24 wide, nothing overlaps, and every panel
// has a title of its own, a description, a unit, thresholds and targets whose
// data source is a variable of the dashboard.
func TestLayout(t *testing.T) {
	defaultTitles := []string{"", "Panel Title", "New panel", "New Panel"}
	for name, d := range readDashboards(t) {
		variables := map[string]bool{}
		for _, v := range d.Templating.List {
			variables[v.Name] = true
		}
		widths := map[int]int{}
		cells := map[[2]int]string{}
		titles := map[string]bool{}
		ids := map[int]bool{}
		panels := 0
		for _, p := range d.Panels {
			where := fmt.Sprintf("%s: panel %q", name, p.Title)
			if ids[p.ID] || p.ID == 0 {
				t.Errorf("%s: id %d is not unique", where, p.ID)
			}
			ids[p.ID] = true
			widths[p.GridPos.Y] += p.GridPos.W
			for x := p.GridPos.X; x < p.GridPos.X+p.GridPos.W; x++ {
				for y := p.GridPos.Y; y < p.GridPos.Y+p.GridPos.H; y++ {
					if other, ok := cells[[2]int{x, y}]; ok {
						t.Errorf("%s overlaps panel %q at (%d,%d)", where, other, x, y)
					}
					cells[[2]int{x, y}] = p.Title
				}
			}
			if slices.Contains(defaultTitles, p.Title) || titles[p.Title] {
				t.Errorf("%s: the title is a default or used twice", where)
			}
			titles[p.Title] = true
			if p.Type == "row" {
				continue
			}
			panels++
			if p.Description == "" {
				t.Errorf("%s has no description", where)
			}
			if p.FieldConfig.Defaults.Unit == "" {
				t.Errorf("%s has no unit", where)
			}
			if p.FieldConfig.Defaults.Thresholds == nil || len(p.FieldConfig.Defaults.Thresholds.Steps) == 0 {
				t.Errorf("%s has no thresholds", where)
			}
			if len(p.Targets) == 0 {
				t.Errorf("%s has no target", where)
			}
			for _, tg := range p.Targets {
				if tg.Datasource == nil || p.Datasource == nil || *tg.Datasource != *p.Datasource {
					t.Errorf("%s: target %s has data source %v, the panel %v: each target names the panel's one data source",
						where, tg.RefID, tg.Datasource, p.Datasource)
					continue
				}
				ds := strings.TrimSuffix(strings.TrimPrefix(tg.Datasource.UID, "${"), "}")
				if !variables[ds] || ds != tg.Datasource.Type {
					t.Errorf("%s: target %s's data source %v is not the dashboard's %s variable", where, tg.RefID, *tg.Datasource, tg.Datasource.Type)
				}
				if (tg.Datasource.Type == "prometheus") != (tg.Expr != "") || (tg.Datasource.Type == "tempo") != (tg.Query != "") {
					t.Errorf("%s: target %s has no query of its data source's kind", where, tg.RefID)
				}
			}
		}
		var ys []int
		for y := range widths {
			ys = append(ys, y)
		}
		sort.Ints(ys)
		for _, y := range ys {
			if widths[y] != 24 {
				t.Errorf("%s: the panels starting at y=%d are %d wide, want 24", name, y, widths[y])
			}
		}
		t.Logf("%s (%s): %d panels (rows apart), %d lines", name, d.Title, panels, len(ys))
	}
}

// Where the processor writes each name a TraceQL query may use, by scope:
// internal/contract holds the contract's names.
var (
	spanAttributes = []string{contract.AttrFingerprint, contract.AttrFindingType, contract.AttrFindingID,
		contract.AttrRequestDBQueries, contract.AttrRequestDBDuration}
	eventAttributes = []string{contract.AttrFindingType, contract.AttrFindingID, contract.AttrProblemID, contract.AttrFingerprint,
		contract.AttrStatement, contract.AttrCount, contract.AttrTotalDuration, contract.AttrSuggestion,
		contract.AttrParentMissing, contract.AttrWastedQueries, contract.AttrRoute, contract.AttrORM,
		contract.AttrCodeFunction, contract.AttrCodeFile, contract.AttrCodeLine}
	// The contract reads service.name from the resource.
	resourceAttributes = []string{"service.name"}
	// The contract's finding types: the detectors' and paged_to_many_join,
	// which the contract defines.
	contractTypes = append(slices.Clone(detect.Types), "paged_to_many_join")
)

var (
	scopedAttribute = regexp.MustCompile(`(^|[^\w.:])(\w+)\.([A-Za-z_][\w.]*)`)
	intrinsic       = regexp.MustCompile(`\b(\w+):(\w+)\s*(=|!=)\s*"([^"]*)"`)
	typeComparison  = regexp.MustCompile(`querylens\.finding\.type\s*=\s*"([^"]*)"`)
	grafanaVariable = regexp.MustCompile(`\$\{[^}]+\}|\$\w+`)
)

// traceQLQueries returns every TraceQL query of a dashboard: its Tempo
// targets, and the searches its links open in Explore.
func traceQLQueries(t *testing.T, d jsonDashboard) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			if tg.Datasource != nil && tg.Datasource.Type == "tempo" {
				if tg.QueryType != "traceql" {
					t.Errorf("%s: panel %q: target %s is a %q query, want traceql", d.UID, p.Title, tg.RefID, tg.QueryType)
				}
				out[fmt.Sprintf("panel %q target %s", p.Title, tg.RefID)] = tg.Query
			}
		}
		links := slices.Clone(p.Links)
		for _, o := range p.FieldConfig.Overrides {
			for _, prop := range o.Properties {
				if prop.ID != "links" {
					continue
				}
				b, _ := json.Marshal(prop.Value)
				var ls []jsonLink
				if err := json.Unmarshal(b, &ls); err != nil {
					t.Fatal(err)
				}
				links = append(links, ls...)
			}
		}
		for _, l := range links {
			if q, ok := exploreQuery(t, l.URL); ok {
				out[fmt.Sprintf("panel %q link %q", p.Title, l.Title)] = q
			}
		}
	}
	return out
}

// exploreQuery decodes the TraceQL of an Explore link, with its data-link
// variables filled as Grafana would (a hex fingerprint, a uid, epoch ms).
func exploreQuery(t *testing.T, link string) (string, bool) {
	t.Helper()
	if !strings.HasPrefix(link, "/explore?") {
		return "", false
	}
	filled := strings.NewReplacer("${__value.raw}", "125f54a5c8ec9798", "${tempo}", TempoUID,
		"${__from}", "1700000000000", "${__to}", "1700003600000").Replace(link)
	u, err := url.Parse(filled)
	if err != nil {
		t.Fatalf("link %s: %v", link, err)
	}
	var panes map[string]struct {
		Datasource string `json:"datasource"`
		Queries    []struct {
			Datasource jsonDatasource `json:"datasource"`
			QueryType  string         `json:"queryType"`
			Query      string         `json:"query"`
		} `json:"queries"`
	}
	if err := json.Unmarshal([]byte(u.Query().Get("panes")), &panes); err != nil {
		t.Fatalf("link %s: panes is not JSON once filled: %v", link, err)
	}
	for _, pane := range panes {
		for _, q := range pane.Queries {
			if q.Datasource.UID != TempoUID || pane.Datasource != TempoUID || q.QueryType != "traceql" {
				t.Errorf("link %s does not run a TraceQL query on the dashboard's Tempo", link)
			}
			return q.Query, true
		}
	}
	t.Fatalf("link %s opens no query", link)
	return "", false
}

// TestTraceQLUsesContractNames: every attribute a TraceQL query reads is one
// the contract defines, in the scope the processor writes it in; every
// finding type it names exists; and each query is well formed.
func TestTraceQLUsesContractNames(t *testing.T) {
	scopes := map[string][]string{"span": spanAttributes, "event": eventAttributes, "resource": resourceAttributes}
	total := 0
	for name, d := range readDashboards(t) {
		for where, q := range traceQLQueries(t, d) {
			total++
			if err := lintTraceQL(grafanaVariable.ReplaceAllString(q, "x")); err != nil {
				t.Errorf("%s %s: %v\n%s", name, where, err, q)
			}
			outside := stripStrings(q)
			attrs := 0
			for _, m := range scopedAttribute.FindAllStringSubmatch(outside, -1) {
				scope, attr := m[2], m[3]
				allowed, ok := scopes[scope]
				if !ok {
					t.Errorf("%s %s: scope %q of %s.%s is not one querylens writes", name, where, scope, scope, attr)
					continue
				}
				if !slices.Contains(allowed, attr) {
					t.Errorf("%s %s: %s.%s is not an attribute the contract defines on a %s", name, where, scope, attr, scope)
				}
				attrs++
			}
			for _, m := range intrinsic.FindAllStringSubmatch(q, -1) {
				if m[1]+":"+m[2] != "event:name" || m[4] != contract.EventFinding {
					t.Errorf("%s %s: %s:%s = %q is not the contract's event name", name, where, m[1], m[2], m[4])
				}
			}
			for _, m := range typeComparison.FindAllStringSubmatch(q, -1) {
				if !slices.Contains(contractTypes, m[1]) {
					t.Errorf("%s %s: finding type %q is not in the contract", name, where, m[1])
				}
			}
			if attrs == 0 {
				t.Errorf("%s %s reads no querylens attribute: %s", name, where, q)
			}
		}
	}
	if total == 0 {
		t.Fatal("no TraceQL query found")
	}
	t.Logf("%d TraceQL queries read only contract names", total)
}

// TestREADMETraceQL: the TraceQL recipes of the README's Grafana section read
// only contract names, and parse as far as lintTraceQL sees.
func TestREADMETraceQL(t *testing.T) {
	blocks := readmeBlocks(t, "Browse flagged traces in Grafana", "traceql")
	scopes := map[string][]string{"span": spanAttributes, "event": eventAttributes, "resource": resourceAttributes}
	n := 0
	for _, b := range blocks {
		for _, q := range strings.Split(strings.TrimSpace(b), "\n") {
			n++
			if err := lintTraceQL(q); err != nil {
				t.Errorf("README: %v\n%s", err, q)
			}
			for _, m := range scopedAttribute.FindAllStringSubmatch(stripStrings(q), -1) {
				if !slices.Contains(scopes[m[2]], m[3]) {
					t.Errorf("README: %s.%s is not an attribute the contract defines on a %s:\n%s", m[2], m[3], m[2], q)
				}
			}
			for _, m := range intrinsic.FindAllStringSubmatch(q, -1) {
				if m[1]+":"+m[2] != "event:name" || m[4] != contract.EventFinding {
					t.Errorf("README: %s:%s = %q is not the contract's event name", m[1], m[2], m[4])
				}
			}
			for _, m := range typeComparison.FindAllStringSubmatch(q, -1) {
				if !slices.Contains(contractTypes, m[1]) {
					t.Errorf("README: finding type %q is not in the contract", m[1])
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("the README's Grafana section has no TraceQL recipe")
	}
}

// readmeBlocks returns the fenced code blocks of one language in one section
// of the top-level README.
func readmeBlocks(t *testing.T, heading, lang string) []string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## "+heading+"\n")
	if !ok {
		t.Fatalf("the README has no section %q", heading)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var out []string
	for _, part := range strings.Split(section, "```"+lang+"\n")[1:] {
		block, _, _ := strings.Cut(part, "```")
		out = append(out, block)
	}
	return out
}

// stripStrings blanks out the quoted strings of a TraceQL query.
func stripStrings(q string) string {
	var b strings.Builder
	var quote rune
	for _, r := range q {
		switch {
		case quote != 0 && r == quote:
			quote = 0
			b.WriteRune(r)
		case quote != 0:
			b.WriteRune(' ')
		case r == '"' || r == '`':
			quote = r
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// lintTraceQL checks what a TraceQL query needs to parse at all: closed
// strings, balanced braces and parentheses, conditions inside braces, and
// only TraceQL's operators.
func lintTraceQL(q string) error {
	s := stripStrings(q)
	if strings.Count(s, `"`)%2 != 0 || strings.Count(s, "`")%2 != 0 {
		return errors.New("a string is not closed")
	}
	var stack []rune
	for i, r := range s {
		switch r {
		case '{', '(':
			stack = append(stack, r)
		case '}', ')':
			open := map[rune]rune{'}': '{', ')': '('}[r]
			if len(stack) == 0 || stack[len(stack)-1] != open {
				return fmt.Errorf("unbalanced %q at %d", r, i)
			}
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 0 && !strings.ContainsRune(" &|", r) {
				return fmt.Errorf("%q outside a spanset filter at %d", r, i)
			}
		}
	}
	if len(stack) != 0 {
		return errors.New("unbalanced braces or parentheses")
	}
	unquoted := regexp.MustCompile("\"[^\"]*\"|`[^`]*`").ReplaceAllString(q, "S")
	operators := regexp.MustCompile(`[=!<>~&|]+`).FindAllString(unquoted, -1)
	for _, op := range operators {
		if !slices.Contains([]string{"=", "!=", "=~", "!~", ">", ">=", "<", "<=", "&&", "||", ">>", "<<", "~"}, op) {
			return fmt.Errorf("%q is not a TraceQL operator", op)
		}
	}
	return nil
}

// TestDataSourceVariablesDefaultToTheStack: the data source variables default
// to the uids that config/stack provisions.
func TestDataSourceVariablesDefaultToTheStack(t *testing.T) {
	want := map[string]string{"prometheus": PrometheusUID, "tempo": TempoUID}
	for name, d := range readDashboards(t) {
		found := 0
		for _, v := range d.Templating.List {
			if v.Type != "datasource" {
				continue
			}
			found++
			if v.Query != v.Name || fmt.Sprint(v.Current.Value) != want[v.Name] {
				t.Errorf("%s: data source variable %s (type %v) defaults to %v, want %s", name, v.Name, v.Query, v.Current.Value, want[v.Name])
			}
		}
		if found == 0 {
			t.Errorf("%s has no data source variable", name)
		}
	}
}
