package suggest

import "regexp"

// ActiveRecord: how it is recognised, and its fixes.
var activeRecord = ORM{
	Name: "ActiveRecord", Language: "ruby",
	Scopes: []string{"OpenTelemetry::Instrumentation::ActiveRecord", "OpenTelemetry::Instrumentation::Rails"},
	SQL:    regexp.MustCompile(`SELECT "(\w+)"\.\* FROM "(\w+)"|/\*application[:=]`),
	Fixes: map[string]map[Shape]string{
		"n_plus_one": {
			ShapeByKey:        `ActiveRecord: preload the association with includes(:{rel}) (or preload / eager_load) on the relation the loop iterates; strict_loading catches the next one.`,
			ShapeByForeignKey: `ActiveRecord: preload the collection with includes(:{rels}) on the relation the loop iterates.`,
			ShapeCount:        `ActiveRecord: count in one query with {Model}.group(:{fk}).count, or a counter_cache on the association (size then reads it).`,
			ShapeInsert:       `ActiveRecord: insert the rows in one statement with {Model}.insert_all([...]) (or upsert_all) instead of create per row.`,
			ShapeUpdate:       `ActiveRecord: update in one statement with relation.update_all(...) or {Model}.upsert_all([...]).`,
			ShapeDelete:       `ActiveRecord: delete in one statement with {Model}.where(id: ids).delete_all.`,
			ShapeOther:        `ActiveRecord: load what the loop needs with includes / preload, or one where(id: ids) query, before the loop.`,
		},
		"duplicate_query":    {ShapeOther: `ActiveRecord: the same query runs again with the same values: load it once and memoize it (@x ||= ...), or Rails.cache for reference data.`},
		"over_fetch":         {ShapeOther: `ActiveRecord: read only the columns the code uses, select(:id, :title), or pluck(:id, :title) when you need no model.`, ShapeManyRows: `ActiveRecord: return only what the request shows: paginate by key, filter or aggregate in the database, or find_each / in_batches for an export.`},
		"deep_offset":        {ShapeOther: `ActiveRecord: page by key instead of by offset, where("id > ?", last_id).order(:id).limit(page_size): it stays fast at any depth.`},
		"pagination_count":   {ShapeOther: `ActiveRecord: the paginator counts for every page: use Kaminari's without_count or pagy's countless / keyset pagination, or cache the total.`},
		"mn_plus_one":        {ShapeOther: `ActiveRecord: one iteration runs several queries; preload them all on the relation the loop iterates: includes({eager}).`},
		"paged_to_many_join": {ShapeOther: `ActiveRecord: .limit over joins(:{rels}) pages joined rows: page the parents and preload(:{rels}), or use .distinct when the filter crosses the relation.`},
	},
	Eager: map[Shape]string{
		ShapeByKey:        `:{rel}`,
		ShapeByForeignKey: `:{rels}`,
		ShapeCount:        `:{rels} (or a counter_cache)`,
		ShapeOther:        `:{rels}`,
	},
}
