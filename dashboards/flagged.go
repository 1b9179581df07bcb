package dashboards

import (
	"fmt"
	"slices"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/table"

	"github.com/querylens/querylens/internal/contract"
	"github.com/querylens/querylens/internal/detect"
)

// The TraceQL filters of the dashboard's variables. Values are regex-formatted
// by Grafana and put in raw (backquoted) TraceQL strings, so that their
// escapes reach the regex intact; the regexes are anchored. A finding event
// has http.route only when its request recorded one, so the route filter
// applies only when routes are chosen (with "All", every finding matches).
const (
	serviceMatch = "resource.service.name =~ `^(?:${service:regex})$`"
	typeMatch    = "event." + contract.AttrFindingType + " =~ `^(?:${finding_type:regex})$`"
	routeMatch   = "(`${route:text}` = `All` || event.http.route =~ `^(?:${route:regex})$`)"
)

// findingTypes are the finding types in the order of their tables.
func findingTypes() []detect.Kind {
	kinds := slices.Clone(detect.Kinds)
	slices.SortFunc(kinds, func(a, b detect.Kind) int { return a.Panel.Order - b.Panel.Order })
	return kinds
}

// findingTypeQuery is the TraceQL of one finding type's table: for a group
// type, its member spans (the contract's { span.querylens.finding.type = ... })
// in traces whose finding event passes the variables; for a single-span type,
// the offending spans, which carry the event: group types mark their member
// spans with querylens.finding.type, single-span types only have the event.
func findingTypeQuery(ft detect.Kind) string {
	event := fmt.Sprintf(`{ event.%s = "%s" && %s && %s && %s }`, contract.AttrFindingType, ft.Name, typeMatch, serviceMatch, routeMatch)
	if !ft.Group || ft.Memberless {
		return event
	}
	return fmt.Sprintf(`{ span.%s = "%s" && %s } && %s`, contract.AttrFindingType, ft.Name, serviceMatch, event)
}

// allFindingsQuery lists the spans that hold finding events.
const allFindingsQuery = `{ event:name = "` + contract.EventFinding + `" && ` + typeMatch + ` && ` + serviceMatch + ` && ` + routeMatch + ` }`

// heavyRequestsQuery lists the request roots that ran many queries. Request
// roots carry no route attribute of the contract: only the service filters.
const heavyRequestsQuery = "{ span." + contract.AttrRequestDBQueries + " >= ${min_queries} && " + serviceMatch + " }"

// traceTable is a table of the traces a TraceQL query finds. Tempo's results
// link every trace id to its trace view, and the panel menu's Explore opens the
// search with the variables filled.
func traceTable(title, description, query string, width, height uint32) *table.PanelBuilder {
	return tablePanel(title, description+" Click a trace id to open the trace.", width, height).
		Unit("short").
		Thresholds(thresholds("green")).
		WithTarget(traceQLQuery("A", query))
}

// FlaggedTraces is "querylens / flagged traces": the traces the processor
// annotated, searched in Tempo with TraceQL.
func FlaggedTraces() (dashboard.Dashboard, error) {
	b := newDashboard(FlaggedUID, "querylens / flagged traces",
		"Recent traces in which the querylens processor flagged an ORM trap, searched in Tempo with TraceQL on the attributes "+
			"the processor writes: querylens.finding events on the spans that hold a finding, querylens.finding.type on the repeated spans.").
		WithVariable(datasourceVariable("tempo", "Tempo", "tempo", TempoUID,
			"The Tempo that stores the traces annotated by the querylens processor.")).
		WithVariable(datasourceVariable("prometheus", "Prometheus", "prometheus", PrometheusUID,
			"The Prometheus whose querylens metrics list the services, routes and finding types."))
	for _, v := range findingVariables() {
		b = b.WithVariable(v)
	}
	b = b.WithVariable(dashboard.NewCustomVariableBuilder("min_queries").
		Label("Queries per request at least").
		Description("The heavy-requests table lists requests that ran at least this many database queries (querylens.request.db_queries).").
		Values(dashboard.StringOrMap{String: cog.ToPtr("20,50,100,200,500")}).
		Current(dashboard.VariableOption{
			Text:  dashboard.StringOrArrayOfString{String: cog.ToPtr("50")},
			Value: dashboard.StringOrArrayOfString{String: cog.ToPtr("50")},
		}).
		Options([]dashboard.VariableOption{
			variableOption("20", false), variableOption("50", true), variableOption("100", false),
			variableOption("200", false), variableOption("500", false),
		}))

	b = b.WithRow(dashboard.NewRowBuilder("Findings")).
		WithPanel(traceTable("Traces with findings",
			"Recent traces with a querylens.finding event of the selected types, services and routes; the matched spans are the ones that hold the events.",
			allFindingsQuery, 24, tableHeight))

	b = b.WithRow(dashboard.NewRowBuilder("By finding type"))
	types := findingTypes()
	for i, ft := range types {
		width := uint32(12)
		if i == len(types)-1 && len(types)%2 == 1 { // alone on its line
			width = 24
		}
		what := "The matched spans are the repeated ones and the span that holds the finding event."
		switch {
		case ft.Memberless:
			what = "The matched span holds the finding event: the span that recorded the exception, the template, or the span its queries outlived."
		case !ft.Group:
			what = "The matched span is the offending one; it holds the finding event."
		}
		b = b.WithPanel(traceTable(fmt.Sprintf("%s (%s)", ft.Panel.Title, ft.Name), ft.Panel.Description+" "+what,
			findingTypeQuery(ft), width, chartHeight))
	}

	b = b.WithRow(dashboard.NewRowBuilder("Requests")).
		WithPanel(traceTable("Heavy requests",
			"Request roots of the selected services that ran at least ${min_queries} database queries (querylens.request.db_queries), with or without a finding. "+
				"The route and type filters do not apply: the request root carries no querylens route or type.",
			heavyRequestsQuery, 24, chartHeight))

	return finish(b)
}

func variableOption(v string, selected bool) dashboard.VariableOption {
	return dashboard.VariableOption{
		Selected: cog.ToPtr(selected),
		Text:     dashboard.StringOrArrayOfString{String: cog.ToPtr(v)},
		Value:    dashboard.StringOrArrayOfString{String: cog.ToPtr(v)},
	}
}
