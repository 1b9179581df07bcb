package suggest

import "regexp"

// EF Core: how it is recognised, and its fixes. Its SQL (SQL Server provider)
// aliases every table with a bracketed letter ([b].[Id]), names its parameters
// @__name_0 and writes inserts with OUTPUT INSERTED behind
// SET IMPLICIT_TRANSACTIONS OFF.
var efCore = ORM{
	Name: "EF Core", Language: "dotnet",
	Scopes: []string{"OpenTelemetry.Instrumentation.EntityFrameworkCore"},
	SQL:    regexp.MustCompile(`\[[a-z][0-9]*\]\.\[\w+\]|@__\w+_[0-9]+\b|\bOUTPUT INSERTED\.|SET IMPLICIT_TRANSACTIONS OFF`),
	Fixes: map[string]map[Shape]string{
		"n_plus_one": {
			ShapeByKey:        `EF Core: load the navigation with the query the loop iterates, .Include(x => x.{Rel}) (one JOIN), or project what the loop reads with .Select(...); with lazy-loading proxies every x.{Rel} read is a query.`,
			ShapeByForeignKey: `EF Core: load the collection with the query the loop iterates, .Include(x => x.{Rels}).AsSplitQuery() (one more query for all parents, no cartesian explosion), or read it in a .Select(...) projection, instead of a lazy load per parent.`,
			ShapeCount:        `EF Core: count in the same query with a projection, .Select(x => new { x.Id, {Rels}Count = x.{Rels}.Count() }), or one .GroupBy(b => b.{fk}) query, instead of CountAsync per row.`,
			ShapeInsert:       `EF Core: add all rows and save once, context.{Rels}.AddRange(rows) then one SaveChangesAsync() (EF batches them into one command), instead of SaveChangesAsync per row.`,
			ShapeUpdate:       `EF Core: update in one statement, context.{Rels}.Where(x => ids.Contains(x.Id)).ExecuteUpdateAsync(s => s.SetProperty(...)), or change the tracked entities and call SaveChangesAsync once.`,
			ShapeDelete:       `EF Core: delete in one statement, context.{Rels}.Where(x => ids.Contains(x.Id)).ExecuteDeleteAsync().`,
			ShapeOther:        `EF Core: load what the loop needs with the query: .Include / .ThenInclude for navigations, or one query with .Where(x => ids.Contains(x.Id)) before the loop.`,
		},
		"duplicate_query":    {ShapeOther: `EF Core: the same query runs again with the same values: run it once before the loop and reuse the result (IMemoryCache for reference data); FindAsync answers tracked entities without a query.`},
		"over_fetch":         {ShapeOther: `EF Core: project the columns the code reads, .Select(x => new { x.Id, x.Title }), with .AsNoTracking() for read-only lists, instead of materializing whole entities.`, ShapeManyRows: `EF Core: return only what the request shows: Where and Take in the query, page by key, or .AsNoTracking().AsAsyncEnumerable() to stream an export.`},
		"deep_offset":        {ShapeOther: `EF Core: page by key instead of Skip(n), .Where(x => x.Id > lastId).OrderBy(x => x.Id).Take(pageSize): OFFSET ... ROWS reads and drops every skipped row.`},
		"pagination_count":   {ShapeOther: `EF Core: a CountAsync runs beside every page: drop the total (keyset pages, Take(pageSize + 1) tells whether a next page exists), or count once and cache it.`},
		"mn_plus_one":        {ShapeOther: `EF Core: one iteration runs several queries; load them all with the query the loop iterates: {eager}, with .AsSplitQuery() when several collections are included (cartesian explosion).`},
		"paged_to_many_join": {ShapeOther: `EF Core: Take over a join to a collection pages joined rows: page the parents and .Include(x => x.{Rels}) (EF pages the parents in a subquery), with .AsSplitQuery() for several collections.`},
	},
	Eager: map[Shape]string{
		ShapeByKey:        `.Include(x => x.{Rel})`,
		ShapeByForeignKey: `.Include(x => x.{Rels})`,
		ShapeCount:        `a x.{Rels}.Count() projection`,
		ShapeOther:        `.Include(x => x.{Rels})`,
	},
}
