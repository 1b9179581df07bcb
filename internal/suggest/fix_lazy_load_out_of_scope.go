package suggest

import (
	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/sqlnorm"
)

// The fix of a lazy_load_out_of_scope, in the words of each ORM; "" is the
// generic fix. The fix is always the same idea: load the relation eagerly,
// with the query that reads its parent, while the session or request is
// open. ShapeLazyException is worded from the exception (only the four ORMs
// that raise one, named by it): {loaded} is what its message says was loaded
// (Book.author, a proxy of Author), {owner} and {rel} the model and relation
// to name in the eager load, in angle brackets when the message does not
// give them. ShapeLazyTemplate is a template's repeats on {table}, worded
// where an instrumentation writes template spans (Jinja2, ActionView, Spring
// MVC views); ShapeOther is queries that started after their parent ended.
func init() {
	fixes[detect.TypeLazyLoadOutOfScope] = Wording{
		"": {
			ShapeLazyException: `The ORM read {loaded} after the session or request that loaded it was done ({exception}). Load it eagerly with the query that reads {owner}, while the session is open, or build what the response needs before the session closes.`,
			ShapeLazyTemplate:  `The same query on {table} ran again and again while a template rendered: the template reads a relation of each item lazily. Load it eagerly in the view or controller, with the query that reads the items, so that the template only reads what is loaded.`,
			ShapeOther:         `This query on {table} started after its parent span had ended: work that escaped its scope (a lazy load or a callback run after the request or transaction was done, or a task nobody waited for). Load what the response needs while the scope is open; give deliberate background work a span of its own.`,
		},
		"SQLAlchemy": {
			ShapeLazyException: `SQLAlchemy: {loaded} was read after its Session closed (DetachedInstanceError). Load it with the query, inside the session: .options(selectinload({owner}.{rel})), or joinedload({owner}.{rel}) for a many-to-one; or build the response before the session block ends. lazy="raise" on the relationship makes the next one fail in tests.`,
			ShapeLazyTemplate:  `SQLAlchemy: the template reads a relationship of each item lazily, one query on {table} per item: load it with the query the view runs, .options(selectinload(<Model>.<relationship to {table}>)) (joinedload for a many-to-one), before the template renders.`,
			ShapeOther:         `SQLAlchemy: this query on {table} started after its parent span had ended: a lazy load or a query run after the request or its session was done. Load what the response needs inside the session (selectinload or joinedload on the query); give deliberate background work a span of its own.`,
		},
		"Django": {
			ShapeLazyTemplate: `Django: the template reads a relation of each row lazily, one query on {table} per row: load it in the view, select_related("<field to {table}>") for a foreign key or prefetch_related("<relation to {table}>") for a collection, on the queryset passed to the template.`,
			ShapeOther:        `Django: this query on {table} started after its parent span had ended: a queryset or relation evaluated after the view returned (a streaming response, a callback). Evaluate it in the view, with select_related or prefetch_related for its relations.`,
		},
		"Hibernate": {
			ShapeLazyException: `Hibernate: {loaded} was initialized after its session closed (LazyInitializationException). Fetch it inside the transaction, with the query that reads {owner}: join fetch in JPQL (select e from {owner} e join fetch e.{rel}) or @EntityGraph(attributePaths = "{rel}") on the Spring Data repository method. Leave open-in-view and hibernate.enable_lazy_load_no_trans off: they hide it behind a query per item.`,
			ShapeLazyTemplate:  `Hibernate: the view reads a lazy association of each entity while it renders, one query on {table} per item (open-in-view keeps the session open): fetch it in the query the controller runs, join fetch or @EntityGraph(attributePaths = "<association to {table}>") on the Spring Data repository method.`,
			ShapeOther:         `Hibernate: this query on {table} started after its parent span had ended: a lazy association initialized after the transaction or the request was done, or work handed to another thread. Fetch what the response needs inside the transaction (join fetch, @EntityGraph).`,
		},
		"ActiveRecord": {
			ShapeLazyException: `ActiveRecord: {loaded} was read lazily under strict_loading (StrictLoadingViolationError). Load it with the records, where the controller reads {owner}: .includes(:{rel}), or .preload(:{rel}) / .eager_load(:{rel}) to choose separate queries or a JOIN.`,
			ShapeLazyTemplate:  `ActiveRecord: a view reads an association of each record lazily, one query on {table} per record: load it in the controller with .includes(:<association to {table}>) on the relation the view iterates; strict_loading on the model makes the next one raise.`,
			ShapeOther:         `ActiveRecord: this query on {table} started after its parent span had ended: an association loaded after the request or a callback's scope was done. Load it with .includes(...) where the records are read; give deliberate background work (a job) a span of its own.`,
		},
		"Eloquent": {
			ShapeLazyException: `Eloquent: {loaded} was lazy loaded with Model::preventLazyLoading() on (LazyLoadingViolationException). Eager-load it with the query: {owner}::with('{rel}')->get(), or ->load('{rel}') on the models already read.`,
			ShapeOther:         `Eloquent: this query on {table} started after its parent span had ended: a relation loaded after the request was done. Eager-load what the response needs with ->with('<relation to {table}>') on the query; give deliberate background work (a queued job) a span of its own.`,
		},
		"EF Core": {
			ShapeOther: `EF Core: this query on {table} started after its parent span had ended: a navigation loaded lazily (lazy-loading proxies) after the request or its DbContext was done, or a task nobody awaited. Load it with the query, .Include(x => x.<navigation to {table}>), before the DbContext is disposed.`,
		},
		"GORM": {
			ShapeOther: `GORM: this query on {table} started after its parent span had ended: a goroutine that outlived the request, still with the request's ctx. Run the query before the handler returns, or give deliberate background work its own context and span.`,
		},
		"bun": {
			ShapeOther: `bun: this query on {table} started after its parent span had ended: a goroutine or a queued job that outlived the request, still with the request's ctx. Run the query before the handler returns, or give deliberate background work its own context and span.`,
		},
		"TypeORM": {
			ShapeOther: `TypeORM: this query on {table} started after its parent span had ended: a promise nobody awaited before the response (or a lazy relation's promise resolved later). Load what the response needs before responding, relations: ["<relation to {table}>"] on the find; give deliberate background work a span of its own.`,
		},
		"Prisma": {
			ShapeOther: `Prisma: this query on {table} started after its parent span had ended: a promise nobody awaited before the response. Await what the response needs (include: { <relation to {table}>: true } on the query) before responding; give deliberate background work a span of its own.`,
		},
		"Sequelize": {
			ShapeOther: `Sequelize: this query on {table} started after its parent span had ended: a promise nobody awaited before the response (a getter such as get<Association>() called later). Load what the response needs with the query, include: [{ association: "<association to {table}>" }], and await it; give deliberate background work a span of its own.`,
		},
		"Drizzle": {
			ShapeOther: `Drizzle: this query on {table} started after its parent span had ended: a promise nobody awaited before the response. Await the query (or read the {table} rows with the query that reads their parents, inArray or with: { ... }) before responding; give deliberate background work a span of its own.`,
		},
		"Knex": {
			ShapeOther: `Knex: this query on {table} started after its parent span had ended: a promise nobody awaited before the response. Await the query (or read the {table} rows with the query that reads their parents, whereIn) before responding; give deliberate background work a span of its own.`,
		},
		"Ecto": {
			ShapeOther: `Ecto: this query on {table} started after its parent span had ended: a process that outlived the request. Preload what the response needs with the query (preload: [:<association to {table}>], or Repo.preload) before responding; give deliberate background work (a Task, an Oban job) a span of its own.`,
		},
	}
}

// lazyVars are the placeholders of a fix worded from an ORM's exception:
// only what its message named, code names, never a value.
func lazyVars(v map[string]string, orm, exception string, load detect.LazyLoad) {
	v["exception"] = orDefault(simpleClass(exception), "the ORM's lazy-load exception")
	v["owner"] = orDefault(load.Owner, "<Model>")
	if orm == "Hibernate" {
		v["owner"] = orDefault(load.Owner, "<Entity>")
	}
	switch {
	case load.Relation != "":
		v["rel"] = load.Relation
	case load.Target != "":
		v["rel"] = "<relation to " + load.Target + ">"
	default:
		v["rel"] = "<relation>"
	}
	switch {
	case load.Owner != "" && load.Relation != "":
		v["loaded"] = load.Owner + "." + load.Relation
	case load.Target != "":
		v["loaded"] = "the lazy " + load.Target
	default:
		v["loaded"] = "a relation"
	}
}

// simpleClass is the last segment of a qualified class name.
func simpleClass(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		switch name[i] {
		case '.', ':', '\\', '$':
			return name[i+1:]
		}
	}
	return name
}

// The ORM's exception and a template's loop are worded apart; the fix
// names the exception and what it says was loaded.
func init() {
	shapeHooks[detect.TypeLazyLoadOutOfScope] = shapeByReason(map[string]Shape{
		detect.ReasonException: ShapeLazyException,
		detect.ReasonTemplate:  ShapeLazyTemplate,
	})
	varHooks[detect.TypeLazyLoadOutOfScope] = func(v map[string]string, r Request, orm string, _ *sqlnorm.Statement) {
		lazyVars(v, orm, r.Exception, r.Lazy)
	}
}
