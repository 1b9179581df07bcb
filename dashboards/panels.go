package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/tempo"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// Panel heights, in grid units.
const (
	statHeight  = 4
	chartHeight = 8
	tableHeight = 10
)

// rangeQuery is a PromQL target drawn over time. The data source is set on
// each target, never on the panel: a panel-level data source makes the SDK
// decode every target of the panel as that data source's query type.
func rangeQuery(refID, expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().
		Datasource(promDS).
		RefId(refID).
		Expr(expr).
		LegendFormat(legend).
		Range()
}

// instantQuery is a PromQL target evaluated once, at the end of the range.
func instantQuery(refID, expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().
		Datasource(promDS).
		RefId(refID).
		Expr(expr).
		LegendFormat(legend).
		Instant()
}

// tableQuery is an instant PromQL target whose series become table rows.
func tableQuery(refID, expr string) *prometheus.DataqueryBuilder {
	return instantQuery(refID, expr, "__auto").Format(prometheus.PromQueryFormatTable)
}

// traceQLQuery is a TraceQL search: the matching traces, newest first.
func traceQLQuery(refID, query string) *tempo.DataqueryBuilder {
	return tempo.NewDataqueryBuilder().
		Datasource(tempoDS).
		RefId(refID).
		QueryType("traceql").
		Query(query).
		Limit(20).
		Spss(5).
		TableType(tempo.SearchTableTypeTraces)
}

func timeseriesPanel(title, description, unit string, width uint32) *timeseries.PanelBuilder {
	return timeseries.NewPanelBuilder().
		Title(title).
		Description(description).
		Unit(unit).
		Span(width).
		Height(chartHeight).
		Min(0).
		FillOpacity(10).
		LineWidth(1).
		ShowPoints(common.VisibilityModeNever).
		Legend(common.NewVizLegendOptionsBuilder().
			DisplayMode(common.LegendDisplayModeList).
			Placement(common.LegendPlacementBottom).
			ShowLegend(true)).
		Tooltip(common.NewVizTooltipOptionsBuilder().
			Mode(common.TooltipDisplayModeMulti).
			Sort(common.SortOrderDescending))
}

func statPanel(title, description, unit string, width uint32) *stat.PanelBuilder {
	return stat.NewPanelBuilder().
		Title(title).
		Description(description).
		Unit(unit).
		Span(width).
		Height(statHeight).
		GraphMode(common.BigValueGraphModeNone).
		ColorMode(common.BigValueColorModeValue).
		JustifyMode(common.BigValueJustifyModeAuto).
		TextMode(common.BigValueTextModeAuto).
		Orientation(common.VizOrientationAuto).
		ReduceOptions(common.NewReduceDataOptionsBuilder().
			Calcs([]string{"lastNotNull"}).
			Values(false))
}

func tablePanel(title, description string, width, height uint32) *table.PanelBuilder {
	return table.NewPanelBuilder().
		Title(title).
		Description(description).
		Span(width).
		Height(height).
		CellHeight(common.TableCellHeightSm).
		Footer(common.NewTableFooterOptionsBuilder().
			Show(false).
			Reducer([]string{"sum"}).
			CountRows(false))
}
