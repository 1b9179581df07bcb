package suggest

import "regexp"

// Hibernate (and Spring Data JPA over it): how it is recognised, and its fixes.
var hibernate = ORM{
	Name: "Hibernate", Language: "java",
	Scopes: []string{"io.opentelemetry.hibernate", "io.opentelemetry.spring-data"},
	SQL:    regexp.MustCompile(`\b[a-z]+[0-9]+_[0-9]*_?\.\w+`),
	Fixes: map[string]map[Shape]string{
		"n_plus_one": {
			ShapeByKey:        `Hibernate: fetch the association with the query ("join fetch e.{rel}" in JPQL, or @EntityGraph(attributePaths = "{rel}") on the Spring Data repository method), or put @BatchSize on {Model} (hibernate.default_batch_fetch_size) so proxies load by IN-list.`,
			ShapeByForeignKey: `Hibernate: fetch the collection with the query ("join fetch e.{rels}", or @EntityGraph(attributePaths = "{rels}") on the Spring Data repository method), or annotate it @BatchSize(size = 50) (hibernate.default_batch_fetch_size) so lazy loads go by IN-list.`,
			ShapeCount:        `Hibernate: count in one query, "select b.{fk}, count(b) from {Model} b group by b.{fk}" (a Spring Data @Query returning a DTO projection), instead of one count query per entity.`,
			ShapeInsert:       `Hibernate: batch the inserts with hibernate.jdbc.batch_size and hibernate.order_inserts (Spring Data saveAll(rows) in one transaction), and SEQUENCE ids: IDENTITY ids disable JDBC batching.`,
			ShapeUpdate:       `Hibernate: batch the updates (hibernate.jdbc.batch_size, hibernate.order_updates) or use one bulk JPQL update.`,
			ShapeDelete:       `Hibernate: delete in one bulk JPQL statement ("delete from {Model} e where e.id in :ids").`,
			ShapeOther:        `Hibernate: fetch what the loop needs with the query (join fetch, @EntityGraph) or @BatchSize, not lazily per entity.`,
		},
		"duplicate_query":    {ShapeOther: `Hibernate: the same query runs again with the same values: load it once per request and reuse it, or cache reference data (query cache / second-level cache).`},
		"over_fetch":         {ShapeOther: `Hibernate: select a DTO projection ("select new BookSummary(b.id, b.title) from {Model} b", or a Spring Data interface or record projection as the repository method's return type) instead of whole entities.`, ShapeManyRows: `Hibernate: return only what the request shows: setMaxResults and filters in the query, page by key, or a Stream / ScrollableResults for an export.`},
		"deep_offset":        {ShapeOther: `Hibernate: page by key instead of by offset ("where b.id > :lastId order by b.id" with setMaxResults(pageSize), or Hibernate's KeyedPage / Spring Data's ScrollPosition).`},
		"pagination_count":   {ShapeOther: `Hibernate: a Spring Data Page runs a count query for every page: return a Slice (no total) or a Window (keyset scrolling), or count once and cache it.`},
		"mn_plus_one":        {ShapeOther: `Hibernate: one iteration runs several queries; fetch them all with the query the loop iterates: {eager}.`},
		"paged_to_many_join": {ShapeOther: `Hibernate: never JOIN FETCH a collection with setMaxResults (it pages in memory, HHH90003004) nor page a to-many join in SQL: page the ids first, then fetch the entities with their collection by those ids.`},
	},
	Eager: map[Shape]string{
		ShapeByKey:        `join fetch e.{rel}`,
		ShapeByForeignKey: `join fetch e.{rels} (or @BatchSize)`,
		ShapeCount:        `a count in the query (group by)`,
		ShapeOther:        `an @EntityGraph with {table}`,
	},
}
