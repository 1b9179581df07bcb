package suggest

import "regexp"

// GORM: how it is recognised, and its fixes.
var gorm = ORM{
	Name: "GORM", Language: "go",
	Scopes: []string{"gorm.io/plugin/opentelemetry"},
	SQL:    regexp.MustCompile("[\"`]deleted_at[\"`] IS NULL|^SELECT \\* FROM `\\w+` WHERE `\\w+`\\.`"),
	Fixes: map[string]map[Shape]string{
		"n_plus_one": {
			ShapeByKey:        `GORM: load the association with the rows, db.Joins("{Rel}").Find(&rows) (one JOIN) or db.Preload("{Rel}").Find(&rows) (one IN query), instead of db.First per row.`,
			ShapeByForeignKey: `GORM: load the association of all rows at once with db.Preload("{Rels}").Find(&parents): one IN query instead of one query per row.`,
			ShapeCount:        `GORM: count in one query, db.Model(&{Model}{}).Select("{fk}, count(*) as n").Group("{fk}").Scan(&counts), instead of Count per row.`,
			ShapeInsert:       `GORM: insert the slice in one statement with db.Create(&rows) or db.CreateInBatches(rows, 100) instead of Create per row.`,
			ShapeUpdate:       `GORM: update in one statement with db.Model(&{Model}{}).Where("id IN ?", ids).Updates(...).`,
			ShapeDelete:       `GORM: delete in one statement with db.Where("id IN ?", ids).Delete(&{Model}{}).`,
			ShapeOther:        `GORM: fetch what the loop needs in one query, with Preload or Where("... IN ?", ids), before the loop.`,
		},
		"duplicate_query":    {ShapeOther: `GORM: the same query runs again with the same values: run it once before the loop and pass the result down (or cache it for the request).`},
		"over_fetch":         {ShapeOther: `GORM: select the columns the code reads, db.Select("id", "title").Find(&rows), or Find into a smaller struct whose fields GORM selects.`, ShapeManyRows: `GORM: return only what the request shows: paginate by key, filter or aggregate in the database, or FindInBatches for an export.`},
		"deep_offset":        {ShapeOther: `GORM: page by key instead of by offset, db.Where("id > ?", lastID).Order("id").Limit(pageSize).Find(&rows): it stays fast at any depth.`},
		"pagination_count":   {ShapeOther: `GORM: a Count runs beside every page: drop the total (page by key), or count once and cache it.`},
		"mn_plus_one":        {ShapeOther: `GORM: one iteration runs several queries; load them all with the rows the loop iterates: db.{eager}.Find(&rows).`},
		"paged_to_many_join": {ShapeOther: `GORM: Limit over Joins("JOIN {table} ...") pages joined rows: page the parents and load the children with Preload("{Rels}"), or group/select DISTINCT on the parent key.`},
	},
	Eager: map[Shape]string{
		ShapeByKey:        `Preload("{Rel}")`,
		ShapeByForeignKey: `Preload("{Rels}")`,
		ShapeCount:        `Preload("{Rels}")`,
		ShapeOther:        `Preload("{Rels}")`,
	},
}
