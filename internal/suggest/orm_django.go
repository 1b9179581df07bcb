package suggest

import "regexp"

// Django: how it is recognised, and its fixes.
var django = ORM{
	Name: "Django", Language: "python",
	Scopes: []string{"opentelemetry.instrumentation.django"},
	SQL:    regexp.MustCompile(`AS "__count"|"[a-z0-9]+_[a-z0-9_]+"\."id"`),
	Fixes: map[string]map[Shape]string{
		"n_plus_one": {
			ShapeByKey:        `Django: load the related object in the same query with select_related("{rel}") on the queryset the loop iterates, instead of one query per row.`,
			ShapeByForeignKey: `Django: load the related rows of all items in one extra query with prefetch_related("{rels}") (or Prefetch(...) to filter them) on the queryset the loop iterates.`,
			ShapeCount:        `Django: count in the same query with annotate(num_{rels}=Count("{rels}")) on the queryset the loop iterates, instead of .count() per row.`,
			ShapeInsert:       `Django: insert the rows in one statement with {Model}.objects.bulk_create([...]) instead of create()/save() per row.`,
			ShapeUpdate:       `Django: update the rows in one statement with queryset.update(...) or {Model}.objects.bulk_update(objs, fields).`,
			ShapeDelete:       `Django: delete the rows in one statement with {Model}.objects.filter(pk__in=ids).delete().`,
			ShapeOther:        `Django: fetch what the loop needs before it: select_related / prefetch_related for relations, or one query with __in=[...] instead of one per item.`,
		},
		"duplicate_query":    {ShapeOther: `Django: the same query runs again with the same values: run it once before the loop and reuse the result (cache it on the request or with @cached_property).`},
		"over_fetch":         {ShapeOther: `Django: fetch only the columns the code reads, .only("id", "title") or .values("id", "title") on the queryset (or list them in raw SQL).`, ShapeManyRows: `Django: return only what the request shows: paginate by key, filter or aggregate in the database, or .iterator() for an export.`},
		"deep_offset":        {ShapeOther: `Django: page by key instead of by offset, .filter(id__gt=last_id).order_by("id")[:page_size]: it stays fast at any depth.`},
		"pagination_count":   {ShapeOther: `Django: the Paginator runs a COUNT(*) for every page: drop the total (next/previous with keyset pagination), cache it, or give the Paginator a cheaper count.`},
		"mn_plus_one":        {ShapeOther: `Django: one iteration runs several queries; load them all with the queryset the loop iterates: {eager}.`},
		"paged_to_many_join": {ShapeOther: `Django: slicing a queryset filtered across a to-many relation pages joined rows: page the base queryset and prefetch_related("{rels}") for its page, or add .distinct() when the filter crosses the relation.`},
	},
	Eager: map[Shape]string{
		ShapeByKey:        `select_related("{rel}")`,
		ShapeByForeignKey: `prefetch_related("{rels}")`,
		ShapeCount:        `annotate(num_{rels}=Count("{rels}"))`,
		ShapeOther:        `select_related / prefetch_related for {table}`,
	},
}
