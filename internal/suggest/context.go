package suggest

// contextAdvice says, per language, how an ORM's queries become children of
// the request's span, for the queries that ran in no request (an
// instrumentation gap): without a parent, no loop can be seen in them.
var contextAdvice = map[string]string{
	"go": `Pass the request's context to every query: db.WithContext(ctx) with GORM (ctx from r.Context(); in Gin c.Request.Context(), ` +
		`or the *gin.Context itself only with engine.ContextWithFallback = true), the ctx of Scan/Exec with bun, QueryContext/ExecContext with database/sql. ` +
		`A query without it starts a trace of its own. Work the request hands to a background queue runs with the worker's context: ` +
		`carry the request's span context with the job (trace.ContextWithSpanContext) or start a span for the job.`,
	"nodejs": `Node carries the request's context through await and promises by itself: queries with no parent ran outside a request ` +
		`(start-up, a timer, a queue consumer without its instrumentation) or lost the context in a callback-style pool or emitter. ` +
		`Start a span for such work (tracer.startActiveSpan), or bind the callback with context.bind(context.active(), fn).`,
	"python": `Django and SQLAlchemy get the request's context from the request's thread by themselves: queries with no parent ran outside a request ` +
		`(a management command, a Celery task without opentelemetry-instrumentation-celery, a thread you started). ` +
		`Instrument the worker, start a span for the job, or run the thread in the request's context (contextvars.copy_context().run).`,
	"java": `The Java agent carries the request's context into executors by itself: queries with no parent ran outside a request ` +
		`(a @Scheduled job, start-up, a thread created by hand). Give such work a span of its own (@WithSpan) so that its loops are seen.`,
}

// genericContextAdvice is the advice when the language is not known.
const genericContextAdvice = `Pass the request's context to the ORM (the query must run in the request's span), or start a span for work that runs outside requests: without a parent, no loop can be seen.`

// ContextAdvice says how the service in ctx hands the request's context to
// its ORM, for the report of queries that ran in no request.
func ContextAdvice(ctx Context) string {
	if o := Recognize(ctx); o != nil && contextAdvice[o.Language] != "" {
		return contextAdvice[o.Language]
	}
	if advice, ok := contextAdvice[LanguageOf(ctx)]; ok {
		return advice
	}
	return genericContextAdvice
}
