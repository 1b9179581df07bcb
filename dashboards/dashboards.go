// Package dashboards builds querylens's Grafana dashboards as code, with the
// Grafana Foundation SDK. `make dashboards` writes them as JSON files into this
// directory (see cmd/generate); the files are committed, and a test fails when
// they differ from what this code generates.
//
// The dashboards read the names of the querylens contract: the connector's
// metrics as Prometheus shows them, the processor's own metrics, and the span
// and event attributes the processor writes, for TraceQL. The data sources are
// dashboard variables whose defaults are the uids provisioned by the stack in
// config/stack (PrometheusUID, TempoUID).
package dashboards

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/querylens/querylens/internal/contract"
)

// The data source uids that config/stack/grafana provisions and that the
// dashboards' data source variables default to.
const (
	PrometheusUID = "querylens-prometheus"
	TempoUID      = "querylens-tempo"
)

// The dashboards' uids.
const (
	OverviewUID = "querylens-overview"
	FlaggedUID  = "querylens-flagged-traces"
	HealthUID   = "querylens-collector-health"
)

// Tag is on every querylens dashboard; each links to the others by it.
const Tag = "querylens"

// File is one generated dashboard and the name of its JSON file.
type File struct {
	Name      string
	Dashboard dashboard.Dashboard
}

// All builds every dashboard.
func All() ([]File, error) {
	builders := []struct {
		name  string
		build func() (dashboard.Dashboard, error)
	}{
		{"querylens-overview.json", Overview},
		{"querylens-flagged-traces.json", FlaggedTraces},
		{"querylens-collector-health.json", CollectorHealth},
	}
	var out []File
	for _, b := range builders {
		d, err := b.build()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b.name, err)
		}
		out = append(out, File{Name: b.name, Dashboard: d})
	}
	return out, nil
}

// JSON is the committed form of a dashboard: indented, with a final newline,
// and without HTML escaping so that PromQL and TraceQL read as written.
func JSON(d dashboard.Dashboard) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// The data sources of the targets: the dashboards' variables.
var (
	promDS  = common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("${prometheus}")}
	tempoDS = common.DataSourceRef{Type: cog.ToPtr("tempo"), Uid: cog.ToPtr("${tempo}")}
)

// finish numbers the panels (rows too) in order: Grafana would number them
// anyway, and stable ids keep the committed JSON stable. Each panel also gets
// the data source of its targets, which Grafana runs the panel with; a panel
// never mixes data sources (the SDK decodes every target of a panel as the
// panel's data source type).
func finish(b *dashboard.DashboardBuilder) (dashboard.Dashboard, error) {
	d, err := b.Build()
	if err != nil {
		return d, err
	}
	for i := range d.Panels {
		id := uint32(i + 1)
		switch p := d.Panels[i]; {
		case p.Panel != nil:
			p.Panel.Id = &id
			ds, err := targetsDatasource(p.Panel)
			if err != nil {
				return d, err
			}
			p.Panel.Datasource = ds
		case p.RowPanel != nil:
			p.RowPanel.Id = id
		}
	}
	return d, nil
}

// targetsDatasource is the one data source of a panel's targets.
func targetsDatasource(p *dashboard.Panel) (*common.DataSourceRef, error) {
	var ds *common.DataSourceRef
	for _, t := range p.Targets {
		b, err := json.Marshal(t)
		if err != nil {
			return nil, err
		}
		var target struct {
			Datasource *common.DataSourceRef `json:"datasource"`
		}
		if err := json.Unmarshal(b, &target); err != nil {
			return nil, err
		}
		switch {
		case target.Datasource == nil || target.Datasource.Uid == nil || target.Datasource.Type == nil:
			return nil, fmt.Errorf("panel %q: a target has no data source", derefString(p.Title))
		case ds == nil:
			ds = target.Datasource
		case *ds.Uid != *target.Datasource.Uid || *ds.Type != *target.Datasource.Type:
			return nil, fmt.Errorf("panel %q mixes data sources", derefString(p.Title))
		}
	}
	if ds == nil {
		return nil, fmt.Errorf("panel %q has no target", derefString(p.Title))
	}
	return ds, nil
}

func derefString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// newDashboard is what every querylens dashboard shares: uid, tags, time,
// refresh, and links to the other querylens dashboards.
func newDashboard(uid, title, description string) *dashboard.DashboardBuilder {
	return dashboard.NewDashboardBuilder(title).
		Uid(uid).
		Description(description).
		Tags([]string{Tag}).
		Editable().
		Timezone(common.TimeZoneBrowser).
		Time("now-1h", "now").
		Refresh("30s").
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		Link(dashboard.NewDashboardLinkBuilder("querylens dashboards").
			Type(dashboard.DashboardLinkTypeDashboards).
			Tags([]string{Tag}).
			AsDropdown(false).
			IncludeVars(true).
			KeepTime(true))
}

// datasourceVariable is a data source picker that defaults to the data source
// the stack provisions (its name and uid); elsewhere Grafana falls back to the
// default data source of the type.
func datasourceVariable(name, label, pluginType, uid, description string) *dashboard.DatasourceVariableBuilder {
	return dashboard.NewDatasourceVariableBuilder(name).
		Label(label).
		Description(description).
		Type(pluginType).
		Current(dashboard.VariableOption{
			Text:  dashboard.StringOrArrayOfString{String: cog.ToPtr(label)},
			Value: dashboard.StringOrArrayOfString{String: cog.ToPtr(uid)},
		})
}

// labelVariable lists the values of a Prometheus label, several at once, with
// "All" as the regex .* (PromQL filters use =~"$name").
func labelVariable(name, label, query, description string) *dashboard.QueryVariableBuilder {
	return dashboard.NewQueryVariableBuilder(name).
		Label(label).
		Description(description).
		Datasource(promDS).
		Query(dashboard.StringOrMap{String: cog.ToPtr(query)}).
		Definition(query).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(true).
		IncludeAll(true).
		AllValue(".*").
		Current(dashboard.VariableOption{
			Text:  dashboard.StringOrArrayOfString{String: cog.ToPtr("All")},
			Value: dashboard.StringOrArrayOfString{String: cog.ToPtr("$__all")},
		})
}

// The three variables the overview and the flagged traces share, each
// narrowed by the ones before it.
func findingVariables() []*dashboard.QueryVariableBuilder {
	return []*dashboard.QueryVariableBuilder{
		labelVariable("service", "Service",
			`label_values(`+contract.PromFindings+`, service_name)`,
			"Services with findings (resource attribute service.name)."),
		labelVariable("route", "Route",
			`label_values(`+contract.PromFindings+`{service_name=~"$service"}, http_route)`,
			"Routes of the requests the findings are in (http.route; unknown when the request recorded none)."),
		labelVariable("finding_type", "Finding type",
			`label_values(`+contract.PromFindings+`{service_name=~"$service", http_route=~"$route"}, querylens_finding_type)`,
			"Finding types (querylens.finding.type)."),
	}
}

// thresholds builds absolute thresholds: a base color, then value/color pairs.
func thresholds(base string, steps ...any) *dashboard.ThresholdsConfigBuilder {
	list := []dashboard.Threshold{{Color: base}}
	for i := 0; i+1 < len(steps); i += 2 {
		list = append(list, dashboard.Threshold{Value: cog.ToPtr(toFloat(steps[i])), Color: steps[i+1].(string)})
	}
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(list)
}

func toFloat(v any) float64 {
	switch n := v.(type) {
	case int:
		return float64(n)
	case float64:
		return n
	}
	panic(fmt.Sprintf("threshold value %v is not a number", v))
}

// exploreURL is a Grafana Explore link that runs a TraceQL query on the
// dashboard's Tempo data source over the dashboard's time range. The query may
// hold data-link variables such as ${__value.raw}: they are left for Grafana
// to fill, everything else is percent-encoded. The variables land inside a JSON
// string: only variables whose values need no JSON escaping belong there (an
// id, a fingerprint), not regex-formatted ones.
func exploreURL(traceQL string) string {
	const tempoUID, from, to = "TEMPOUIDMARK", "FROMMARK", "TOMARK"
	vars := map[string]string{tempoUID: "${tempo}", from: "${__from}", to: "${__to}"}
	// Keep Grafana's variables out of the encoding.
	q := traceQL
	for i := 0; strings.Contains(q, "${"); i++ {
		start := strings.Index(q, "${")
		end := strings.Index(q[start:], "}") + start
		mark := fmt.Sprintf("VARMARK%d", i)
		vars[mark] = q[start : end+1]
		q = q[:start] + mark + q[end+1:]
	}
	pane := map[string]any{
		"querylens": map[string]any{
			"datasource": tempoUID,
			"queries": []any{map[string]any{
				"refId":      "A",
				"datasource": map[string]any{"type": "tempo", "uid": tempoUID},
				"queryType":  "traceql",
				"query":      q,
				"limit":      20,
				"tableType":  "traces",
			}},
			"range": map[string]any{"from": from, "to": to},
		},
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(pane); err != nil {
		panic(err)
	}
	u := "/explore?schemaVersion=1&orgId=1&panes=" + url.QueryEscape(strings.TrimSpace(b.String()))
	for mark, v := range vars {
		u = strings.ReplaceAll(u, mark, v)
	}
	return u
}
