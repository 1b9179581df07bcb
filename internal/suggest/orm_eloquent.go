package suggest

import "regexp"

// Laravel Eloquent: how it is recognised, and its fixes. Its query builder
// writes lowercase keywords and quotes every identifier, with backticks on
// MySQL (select * from `books` where `books`.`author_id` = ?).
var eloquent = ORM{
	Name: "Eloquent", Language: "php",
	Scopes: []string{"io.opentelemetry.contrib.php.laravel"},
	SQL:    regexp.MustCompile("^(?:select|insert into|update|delete from) .*[`\"]\\w+[`\"]|count\\(\\*\\) as aggregate"),
	Fixes: map[string]map[Shape]string{
		"n_plus_one": {
			ShapeByKey:        `Eloquent: eager-load the relation with the query the loop iterates, ->with('{rel}') (one IN query), instead of a lazy $model->{rel} per row; Model::preventLazyLoading() in AppServiceProvider catches the next one.`,
			ShapeByForeignKey: `Eloquent: eager-load the relation with ->with('{rels}') on the query the loop iterates (or ->load('{rels}') on the collection): one IN query instead of a lazy load per row.`,
			ShapeCount:        `Eloquent: count in the same query with ->withCount('{rels}') (a {rels}_count attribute), instead of ->{rels}()->count() per row.`,
			ShapeInsert:       `Eloquent: insert all rows in one statement, {Model}::insert($rows) (or upsert; it sets no timestamps), instead of {Model}::create per row.`,
			ShapeUpdate:       `Eloquent: update in one statement, {Model}::whereIn('id', $ids)->update([...]).`,
			ShapeDelete:       `Eloquent: delete in one statement, {Model}::whereIn('id', $ids)->delete().`,
			ShapeOther:        `Eloquent: load what the loop needs with ->with() for relations, or one ->whereIn('id', $ids) query before the loop.`,
		},
		"duplicate_query":    {ShapeOther: `Eloquent: the same query runs again with the same values: run it once before the loop and reuse the result, or Cache::remember / once() for reference data.`},
		"over_fetch":         {ShapeOther: `Eloquent: select only the columns the code reads, ->select('id', 'title') (or ->pluck('title', 'id')), instead of select *.`, ShapeManyRows: `Eloquent: return only what the request shows: ->cursorPaginate() or ->simplePaginate(), filters in the query, or ->lazyById() / ->chunkById() for an export.`},
		"deep_offset":        {ShapeOther: `Eloquent: page by key instead of by offset, ->orderBy('id')->cursorPaginate(20) (or ->where('id', '>', $lastId)): OFFSET reads and drops every skipped row.`},
		"pagination_count":   {ShapeOther: `Eloquent: ->paginate() runs a count(*) for every page: use ->simplePaginate() or ->cursorPaginate(), which run no count, or cache the total.`},
		"mn_plus_one":        {ShapeOther: `Eloquent: one iteration runs several queries; eager-load them all with the query the loop iterates: ->with([{eager}]).`},
		"paged_to_many_join": {ShapeOther: `Eloquent: ->limit() over ->join('{table}', ...) pages joined rows: page the parents and eager-load the children with ->with('{rels}'), or ->distinct() on the parent columns.`},
	},
	Eager: map[Shape]string{
		ShapeByKey:        `'{rel}'`,
		ShapeByForeignKey: `'{rels}'`,
		ShapeCount:        `'{rels}' (or ->withCount('{rels}'))`,
		ShapeOther:        `'{rels}'`,
	},
}
