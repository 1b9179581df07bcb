"""What each scenario must produce, and the README's rules that derive it
from the recorded spans (testdata/README.md, "Rules the expected files
follow"), applied here independently of querylens: a regeneration fails if an
app stops producing its trap (CATALOGUE), and the findings written to
<scenario>.expected.json are the ones these rules give on the recorded trace.

The calls are the database spans of one instrumentation per app: the Django
app's psycopg2 spans; in the SQLAlchemy app, where both SQLAlchemy's and
psycopg2's instrumentation record every statement (two sibling spans per
statement), SQLAlchemy's spans (the outer one of each pair), and the HTTP
client spans of requests.
"""
import collections
import re

PSYCOPG2 = "opentelemetry.instrumentation.psycopg2"
SQLALCHEMY = "opentelemetry.instrumentation.sqlalchemy"
REQUESTS = "opentelemetry.instrumentation.requests"
# the scope whose database spans are the calls, per app
CALL_SCOPE = {"django": PSYCOPG2, "sqlalchemy": SQLALCHEMY}
INTERNAL, SERVER, CLIENT = 1, 2, 3  # SpanKind values in OTLP JSON
# a sqlcommenter comment, which the ORM or driver appends to the statement
_SQLCOMMENT = re.compile(r"\s*/\*.*?\*/\s*$", re.S)


def statement(span):
    """The span's db.query.text or db.statement, a sqlcommenter comment
    removed; None for a span that records none."""
    for a in span["attributes"]:
        if a["key"] in ("db.statement", "db.query.text"):
            return _SQLCOMMENT.sub("", a["value"]["stringValue"])
    return None


def spans_of(lines):
    """[(scope name, span)] of OTLP JSON export requests."""
    return [(ss["scope"]["name"], s) for line in lines for rs in line["resourceSpans"]
            for ss in rs["scopeSpans"] for s in ss["spans"]]


_CONTROL = re.compile(r"^\s*(SET|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SHOW)\b", re.I)
# psycopg2 placeholders (format / pyformat): values not recorded on the span,
# so unseen (neither instrumentation records db.query.parameter.*)
_PLACEHOLDER = re.compile(r"%s|%\(\w+\)s")
_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.I)
_OFFSET = re.compile(r"\bOFFSET\s+(\d+)\b", re.I)
_COUNT_STAR = re.compile(r"^\s*SELECT\s+COUNT\(\*\)", re.I)
_FROM_WHERE = re.compile(r"\bFROM\s+(.*?)(?:\s+WHERE\s+(.*?))?\s*(?:\bGROUP BY\b|\bORDER BY\b|\bLIMIT\b|\bOFFSET\b|$)", re.I | re.S)
MIN_REPEATS, MIN_DUPLICATES = 5, 3
# the lazy-load exceptions of the ORMs that raise one, by simple class name
_LAZY_LOAD_ERRORS = {"DetachedInstanceError", "LazyInitializationException", "StrictLoadingViolationError",
                     "LazyLoadingViolationException"}


def _norm_ws(sql):
    return " ".join(sql.split())


def _table(sql):
    m = _TABLE.search(sql)
    return m.group(1) if m else None


def _http_url(span):
    for a in span["attributes"]:
        if a["key"] in ("http.url", "url.full"):
            return a["value"]["stringValue"]
    return None


# paged_to_many_join: a top-level LIMIT (literal or placeholder), no top-level
# DISTINCT or GROUP BY, a FROM that starts with a table T (not a subquery) and
# a JOIN of a table U whose ON condition equates a column of U other than its
# key to T's key (key: the column "id"); one finding per statement, table T.
_IDENT = r'(?:"([^"]+)"|(\w+))'
_TABLE_REF = re.compile(r"^\s*" + _IDENT + r"(?:\s+(?:AS\s+)?" + _IDENT + r")?\s*$", re.I)
_COLUMN_REF = re.compile(r"^\s*" + _IDENT + r"\s*\.\s*" + _IDENT + r"\s*$", re.I)
_JOIN_KW = re.compile(r"\s+(?:(?:INNER|CROSS|(?:LEFT|RIGHT|FULL)(?:\s+OUTER)?)\s+)?JOIN\s+", re.I)
_CLAUSE_KW = re.compile(r"(select|from|where|group\s+by|order\s+by|limit|offset|having)\b", re.I)


def _top_level_clauses(sql):
    """{keyword: text} of the clauses at parenthesis depth 0."""
    marks, depth, quote, i = [], 0, None, 0
    while i < len(sql):
        c = sql[i]
        if quote:
            quote = None if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif depth == 0 and (i == 0 or not (sql[i - 1].isalnum() or sql[i - 1] == "_")):
            m = _CLAUSE_KW.match(sql, i)
            if m:
                kw = " ".join(m.group(1).lower().split())
                if kw not in {k for _, _, k in marks}:
                    marks.append((i, m.end(), kw))
                i = m.end()
                continue
        i += 1
    out = {}
    for n, (_, end, kw) in enumerate(marks):
        nxt = marks[n + 1][0] if n + 1 < len(marks) else len(sql)
        out[kw] = sql[end:nxt].strip().rstrip(";").strip()
    return out


def _table_ref(text):
    m = _TABLE_REF.match(text)
    if not m:
        return None
    table = m.group(1) or m.group(2)
    return table, (m.group(3) or m.group(4) or table)


def _paged_to_many_join(sql):
    c = _top_level_clauses(sql)
    if c.get("select") is None or c.get("from") is None or c.get("limit") is None:
        return None
    if re.match(r"DISTINCT\b", c["select"], re.I) or c.get("group by") is not None or c["from"].startswith("("):
        return None
    parts = _JOIN_KW.split(c["from"])
    base = _table_ref(parts[0])
    if base is None or len(parts) < 2:
        return None
    for part in parts[1:]:
        m = re.match(r"^(.*?)\s+ON\s+(.*)$", part, re.I | re.S)
        joined = m and _table_ref(m.group(1))
        if not joined:
            continue
        for eq in re.split(r"\s+AND\s+", m.group(2), flags=re.I):
            sides = eq.replace("(", "").replace(")", "").split("=")
            if len(sides) != 2:
                continue
            refs = [_COLUMN_REF.match(x) for x in sides]
            if not all(refs):
                continue
            (lq, lc), (rq, rc) = [(r.group(1) or r.group(2), r.group(3) or r.group(4)) for r in refs]
            for (aq, ac), (bq, bc) in (((lq, lc), (rq, rc)), ((rq, rc), (lq, lc))):
                if aq == joined[1] and ac != "id" and bq == base[1] and bc == "id":
                    return base[0]
    return None


def analyse(scoped, call_scope):
    """[{type, count, anchor_span_name, table?}] by the README's rules, for
    the spans [(scope, span)] of one trace whose database calls are the spans
    of call_scope."""
    spans = [s for _, s in scoped]
    by_id = {s["spanId"]: s for s in spans}
    _statement = statement

    def parent(s):
        return by_id.get(s.get("parentSpanId"))

    def ancestors(s):
        out, p = [], parent(s)
        while p is not None:
            out.append(p)
            p = parent(p)
        return out

    def start(s):
        return int(s["startTimeUnixNano"])

    data = sorted((s for scope, s in scoped if scope == call_scope and _statement(s) is not None
                   and not _CONTROL.match(_statement(s))), key=start)
    # loop parent: through the spans that wrap this one call only
    held = collections.Counter()
    for s in data:
        for a in [s] + ancestors(s):
            held[a["spanId"]] += 1

    def loop_parent(s):
        p = parent(s)
        while p is not None and held[p["spanId"]] == 1 and parent(p) is not None:
            p = parent(p)
        return p

    findings, claimed = [], set()
    by_loop = collections.OrderedDict()
    for s in data:
        by_loop.setdefault(loop_parent(s)["spanId"], []).append(s)

    # mn_plus_one: a sequence of 2+ distinct statements repeated 5+ times in a row
    for lp, calls in by_loop.items():
        seq = [_statement(c) for c in calls]
        best = None
        for p in range(2, len(seq) // MIN_REPEATS + 1):
            for i in range(0, len(seq) - p * MIN_REPEATS + 1):
                cycle = seq[i:i + p]
                if len(set(cycle)) != p:
                    continue
                k = 0
                while seq[i + k * p:i + (k + 1) * p] == cycle:
                    k += 1
                if k >= MIN_REPEATS and (best is None or k * p > best[0] * best[1]):
                    best = (k, p, i)
        if best:
            k, p, i = best
            members = calls[i:i + k * p]
            claimed.update(m["spanId"] for m in members)
            findings.append({"type": "mn_plus_one", "count": k, "anchor_span_name": by_id[lp]["name"],
                             "table": _table(seq[i])})

    # duplicate_query: same statement, same (inline) values, 3+ times, outside a loop finding
    groups = collections.OrderedDict()
    for s in data:
        if s["spanId"] not in claimed and not _PLACEHOLDER.search(_statement(s)):
            groups.setdefault(_statement(s), []).append(s)
    for stmt, members in groups.items():
        if len(members) >= MIN_DUPLICATES:
            common = [a["spanId"] for a in ancestors(members[0])]
            for m in members[1:]:
                ids = {a["spanId"] for a in ancestors(m)}
                common = [c for c in common if c in ids]
            claimed.update(m["spanId"] for m in members)
            findings.append({"type": "duplicate_query", "count": len(members),
                             "anchor_span_name": by_id[common[0]]["name"], "table": _table(stmt)})

    # n_plus_one: one statement with unseen values, 5+ times under one loop parent
    for lp, calls in by_loop.items():
        per_stmt = collections.OrderedDict()
        for c in calls:
            if c["spanId"] not in claimed and _PLACEHOLDER.search(_statement(c)):
                per_stmt.setdefault(_statement(c), []).append(c)
        for stmt, members in per_stmt.items():
            if len(members) >= MIN_REPEATS:
                claimed.update(m["spanId"] for m in members)
                findings.append({"type": "n_plus_one", "count": len(members),
                                 "anchor_span_name": by_id[lp]["name"], "table": _table(stmt)})

    # n_plus_one_api: one HTTP route (ids in the path) called 5+ times under one parent
    api = collections.OrderedDict()
    for s in spans:
        url = _http_url(s)
        if s["kind"] == CLIENT and url:
            template = re.sub(r"/\d+(?=/|$|\?)", "/{id}", url.split("?")[0])
            api.setdefault((s.get("parentSpanId"), s["name"], template), []).append(s)
    for (pid, _, _), members in api.items():
        if len(members) >= MIN_REPEATS:
            findings.append({"type": "n_plus_one_api", "count": len(members), "anchor_span_name": by_id[pid]["name"]})

    # deep_offset: a literal OFFSET of 1000 or more, one per statement
    seen = set()
    for s in data:
        m = _OFFSET.search(_statement(s))
        if m and int(m.group(1)) >= 1000 and _statement(s) not in seen:
            seen.add(_statement(s))
            findings.append({"type": "deep_offset", "count": 1, "anchor_span_name": s["name"],
                             "table": _table(_statement(s))})

    # pagination_count: COUNT(*) without GROUP BY + a LIMIT page, same FROM and WHERE, one parent
    by_parent = collections.OrderedDict()
    for s in data:
        by_parent.setdefault(s.get("parentSpanId"), []).append(s)
    for pid, calls in by_parent.items():
        counts = [c for c in calls if _COUNT_STAR.match(_statement(c)) and not re.search(r"\bGROUP BY\b", _statement(c), re.I)]
        pages = [c for c in calls if re.search(r"\bLIMIT\b", _statement(c), re.I) and not _COUNT_STAR.match(_statement(c))]
        for c in counts:
            fc = _FROM_WHERE.search(_norm_ws(_statement(c))).groups()
            for pg in pages:
                if _FROM_WHERE.search(_norm_ws(_statement(pg))).groups() == fc:
                    findings.append({"type": "pagination_count", "count": 2, "anchor_span_name": by_id[pid]["name"],
                                     "table": _table(_statement(c))})
                    pages.remove(pg)
                    break

    # lazy_load_out_of_scope: an ORM's lazy-load exception recorded as an
    # 'exception' event, once per class in the trace, on the innermost span
    # that recorded it
    lazy = collections.OrderedDict()
    for s in spans:
        for e in s.get("events", []):
            etype = next((a["value"].get("stringValue", "") for a in e.get("attributes", [])
                          if a["key"] == "exception.type"), "")
            cls = re.split(r"[.:\\$]", etype)[-1]
            if e["name"] == "exception" and cls in _LAZY_LOAD_ERRORS:
                if cls not in lazy or len(ancestors(s)) > len(ancestors(lazy[cls])):
                    lazy[cls] = s
    for s in lazy.values():
        findings.append({"type": "lazy_load_out_of_scope", "count": 1, "anchor_span_name": s["name"]})

    # paged_to_many_join: one per statement, on its earliest span
    seen = set()
    for s in data:
        table = _paged_to_many_join(_statement(s))
        if table and _statement(s) not in seen:
            seen.add(_statement(s))
            findings.append({"type": "paged_to_many_join", "count": 1, "anchor_span_name": s["name"], "table": table})
    return findings


# scenario -> (seed_trap, {source: [(type, count)]} it must produce)
def _both(findings):
    return {"django": findings, "sqlalchemy": findings}


CATALOGUE = {
    "mn_plus_one_loop": ("N+1 on forward FK and N+1 on collection / M2M in the same loop (M+N queries per item)",
                         _both([("mn_plus_one", 10)])),
    "mn_plus_one_prefetch": ("N+1 on forward FK and N+1 on collection / M2M in the same loop (M+N queries per item)",
                             _both([])),
    "duplicate_loop": ("not in the seed list: the same query repeated in one request (the article's "
                       "'counts and duplicates per request')", _both([("duplicate_query", 8)])),
    "duplicate_cached": ("not in the seed list: the same query repeated in one request (the article's "
                         "'counts and duplicates per request')", _both([])),
    "api_loop": ("not in the seed list: N+1 over HTTP (one call to another service per item)",
                 _both([("n_plus_one_api", 8)])),
    "api_batch": ("not in the seed list: N+1 over HTTP (one call to another service per item)", _both([])),
    "deep_offset": ("Deep OFFSET pagination", {"django": [("deep_offset", 1)], "sqlalchemy": []}),
    "pagination_count": ("Pagination pitfalls: counting for pagination is a full second query",
                         _both([("pagination_count", 2)])),
    "keyset_page": ("Deep OFFSET pagination / counting for pagination (the fix: keyset pagination)", _both([])),
    "several_traps": ("N+1 on forward FK, Deep OFFSET pagination and counting for pagination, in one request",
                      {"django": [("n_plus_one", 10), ("deep_offset", 1), ("pagination_count", 2)],
                       "sqlalchemy": [("n_plus_one", 10), ("pagination_count", 2)]}),
}

_PAGED = "Pagination pitfalls: slicing after a to-many prefetch/join can multiply or mis-limit rows"
CATALOGUE.update({
    "paged_to_many_join": (_PAGED, _both([("paged_to_many_join", 1)])),
    "paged_to_many_fixed": (_PAGED, _both([])),
    "paged_to_one_join": (_PAGED, _both([])),
    "paged_subquery": (_PAGED, {"sqlalchemy": []}),
})

_SEED = ("Seeded untraced before the request: 10 authors, 8 tags, 5120 books (2 tags each), settings rows "
         "(currency, site_name). ")
_SMALL_SEED = ("Seeded untraced before the request: 10 authors, 8 tags, 25 books (authors 1-5 have 3 books, 6-10 have 2). ")
_INVENTORY = ("Each client span has one child, the inventory service's SERVER span 'GET {route}' (service.name "
              "inventory, scope opentelemetry.instrumentation.flask, new HTTP semconv, flags 768: remote "
              "parent), from the traceparent the client injected; the inventory is a real Flask app under gunicorn, "
              "so the timings are real. ")

NOTES = {
    ("django", "mn_plus_one_loop"): (
        _SEED + "Book.objects.order_by(\"id\")[:10], then per book b.author.name and list(b.tags.all()): 20 lazy "
        "queries, alternating SELECT ... FROM \"authors\" WHERE \"authors\".\"id\" = %s LIMIT 21 and SELECT ... "
        "FROM \"tags\" INNER JOIN \"books_tags\" ... WHERE \"books_tags\".\"book_id\" = %s, all children of the "
        "server span: 10 iterations of a 2-statement sequence, one mn_plus_one (table authors, the sequence's "
        "first statement; tags is the other). Its 20 spans are not also two n_plus_one. "),
    ("sqlalchemy", "mn_plus_one_loop"): (
        _SEED + "session.execute(select(Book).order_by(Book.id).limit(10)).scalars(), then per book the lazy "
        "book.author (SELECT ... FROM authors WHERE authors.id = %(pk_1)s) and book.tags (SELECT ... FROM tags, "
        "books_tags WHERE %(param_1)s = books_tags.book_id AND tags.id = books_tags.tag_id): books 1-10 have 10 "
        "different authors, so the identity map saves no query. 10 iterations of a 2-statement sequence under the "
        "server span: one mn_plus_one (table authors, the sequence's first statement; tags is the other), not "
        "also two n_plus_one. "),
    ("django", "mn_plus_one_prefetch"): (
        _SEED + "The fix: Book.objects.select_related(\"author\").prefetch_related(\"tags\").order_by(\"id\")[:10]: "
        "one INNER JOIN query for books and authors, one IN-list query for the tags (WHERE "
        "\"books_tags\".\"book_id\" IN (%s x10)). " + "No group finding."),
    ("sqlalchemy", "mn_plus_one_prefetch"): (
        _SEED + "The fix: select(Book).options(joinedload(Book.author), selectinload(Book.tags)).order_by(Book.id)"
        ".limit(10): one LEFT OUTER JOIN query for books and authors, one selectin query for the tags (WHERE "
        "books_1.id IN (%(primary_keys_1)s ... %(primary_keys_10)s)). " + "No group finding."),
    ("django", "duplicate_loop"): (
        _SEED + "Book.objects.order_by(\"id\")[:8], then per book an INTERNAL span 'serialize book' (scope "
        "'bookshop', the app's tracer.start_as_current_span, attribute book.id) in which the serializer runs "
        "Setting.objects.order_by(\"id\").first(): SELECT \"settings\".\"id\", \"settings\".\"key\", "
        "\"settings\".\"value\" FROM \"settings\" ORDER BY \"settings\".\"id\" ASC LIMIT 1, with no "
        "parameter (Django inlines the LIMIT), so the very same statement and values 8 times: duplicate_query, "
        "count 8, anchored on the nearest common ancestor of the 8 spans, the server span (each span's parent is "
        "its own 'serialize book'). Not an n_plus_one: the values are seen and the same. "),
    ("sqlalchemy", "duplicate_loop"): (
        _SEED + "session.scalars(select(Book).order_by(Book.id).limit(8)).all(), then per book an INTERNAL span "
        "'serialize book' (scope 'bookshop', the app's tracer.start_as_current_span, attribute book.id) in which "
        "the serializer runs session.scalars(select(Setting).order_by(Setting.id)).first(): SELECT settings.id, "
        "settings.key, settings.value FROM settings ORDER BY settings.id, no parameter, 8 times: duplicate_query, "
        "count 8, anchored on the server span, the nearest common ancestor. Not .limit(1): SQLAlchemy binds it "
        "as LIMIT %(param_1)s, the instrumentation records no parameter values, and a statement with unseen "
        "values is never a duplicate (it would be an n_plus_one); Result.first() fetches one row of the unlimited "
        "select instead. "),
    ("django", "duplicate_cached"): (
        _SEED + "The fix: the settings row is looked up once before the loop (the queryset of books is lazy, so "
        "the settings SELECT runs first), then passed to the serializer; the 8 'serialize book' INTERNAL spans "
        "remain, with no query in them. " + "No group finding."),
    ("sqlalchemy", "duplicate_cached"): (
        _SEED + "The fix: session.scalars(select(Setting).order_by(Setting.id)).first() once before the loop, "
        "passed to the serializer; the 8 'serialize book' INTERNAL spans remain, with no query in them. " + "No group finding."),
    ("django", "api_loop"): (
        _SEED + "list(Book.objects.order_by(\"id\")[:8]), then per book requests.get(f\"{INVENTORY_URL}/stock/"
        "{b.id}\"): 8 CLIENT spans 'GET' (opentelemetry-instrumentation-requests, old HTTP semconv as "
        "OTEL_SEMCONV_STABILITY_OPT_IN is unset: http.method, http.url, user_agent.original, http.status_code; "
        "no host or port attribute, which the old mode puts in the metrics only), children of the server span "
        "'GET books/stock/', with http.url http://127.0.0.1:58082/stock/1 ... /stock/8. " +
        _INVENTORY.format(route="/stock/<int:book_id>") + "n_plus_one_api, count 8, anchored on the server span "
        "(no table: not a database call). "),
    ("sqlalchemy", "api_loop"): (
        _SEED + "session.scalars(select(Book).order_by(Book.id).limit(8)).all(), then per book requests.get(f\""
        "{INVENTORY_URL}/stock/{b.id}\"): 8 CLIENT spans 'GET' (opentelemetry-instrumentation-requests, new HTTP "
        "semconv as OTEL_SEMCONV_STABILITY_OPT_IN=database,http: http.request.method, url.full, "
        "user_agent.original, server.address, network.peer.address, server.port, network.peer.port, "
        "http.response.status_code, network.protocol.version; no url.template), children of the server span "
        "'GET /books/stock', with url.full http://127.0.0.1:58082/stock/1 ... /stock/8. " +
        _INVENTORY.format(route="/stock/<int:book_id>") + "n_plus_one_api, count 8, anchored on the server span "
        "(no table: not a database call). "),
    ("django", "api_batch"): (
        _SEED + "The fix: one requests.get(f\"{INVENTORY_URL}/stock?ids=1,2,3,4,5,6,7,8\"), one CLIENT span 'GET' "
        "(http.url with the query string). " + _INVENTORY.format(route="/stock").replace("Each client span has",
        "The client span has") + "No finding."),
    ("sqlalchemy", "api_batch"): (
        _SEED + "The fix: one requests.get(f\"{INVENTORY_URL}/stock?ids=1,2,3,4,5,6,7,8\"), one CLIENT span 'GET' "
        "(url.full with the query string). " + _INVENTORY.format(route="/stock").replace("Each client span has",
        "The client span has") + "No finding."),
    ("django", "deep_offset"): (
        _SEED + "Page 251 of 20 rows: Book.objects.order_by(\"id\")[5000:5020] (from ?offset=5000), and Django "
        "writes the slice as literals: SELECT \"books\".\"id\", ... FROM \"books\" ORDER BY \"books\".\"id\" "
        "ASC LIMIT 20 OFFSET 5000. deep_offset, count 1, on that span (named 'SELECT', the first word, as the "
        "psycopg2 instrumentation names its spans). No count query, so no pagination_count. "),
    ("sqlalchemy", "deep_offset"): (
        _SEED + "Page 251 of 20 rows: select(Book).order_by(Book.id).offset(5000).limit(20) (from ?offset=5000). "
        "SQLAlchemy binds both: SELECT books.id, ... FROM books ORDER BY books.id LIMIT %(param_1)s OFFSET "
        "%(param_2)s, and the instrumentation records no parameter values (no db.query.parameter.*), so the "
        "offset is unseen and, per the rules, querylens reports nothing: findings []. The trap is real (the page "
        "has 20 rows at offset 5000) but invisible in this trace. "),
    ("django", "pagination_count"): (
        _SEED + "Paginator(Book.objects.filter(pages__gt=100).order_by(\"id\"), 20).page(3) (from ?page=3), "
        "iterated: SELECT COUNT(*) AS \"__count\" FROM \"books\" WHERE \"books\".\"pages\" > %s, then SELECT "
        "... FROM \"books\" WHERE \"books\".\"pages\" > %s ORDER BY \"books\".\"id\" ASC LIMIT 20 OFFSET 40: "
        "same table, same WHERE, both children of the server span: pagination_count, count 2, anchored on "
        "'GET books/page/'. Offset 40 < 1000: no deep_offset. "),
    ("sqlalchemy", "pagination_count"): (
        _SEED + "Page 3 with its total (from ?page=3): session.scalar(select(func.count()).select_from(Book)"
        ".where(Book.pages > 100)), then select(Book).where(Book.pages > 100).order_by(Book.id).offset(40)"
        ".limit(20): SELECT count(*) AS count_1 FROM books WHERE books.pages > %(pages_1)s and SELECT ... FROM "
        "books WHERE books.pages > %(pages_1)s ORDER BY books.id LIMIT %(param_1)s OFFSET %(param_2)s: same "
        "table, same WHERE, both children of the server span: pagination_count, count 2, anchored on "
        "'GET /books/page'. The offset is bound and unseen: no deep_offset (it is 40 anyway). "),
    ("django", "keyset_page"): (
        _SEED + "The fix for both: Book.objects.filter(id__gt=40).order_by(\"id\")[:20] (from ?after=40, the "
        "same rows as page 3): SELECT ... FROM \"books\" WHERE \"books\".\"id\" > %s ORDER BY "
        "\"books\".\"id\" ASC LIMIT 20, no OFFSET, no count. " + "No finding."),
    ("sqlalchemy", "keyset_page"): (
        _SEED + "The fix for both: select(Book).where(Book.id > 40).order_by(Book.id).limit(20) (from ?after=40, "
        "the same rows as page 3): SELECT ... FROM books WHERE books.id > %(id_1)s ORDER BY books.id LIMIT "
        "%(param_1)s, no OFFSET, no count. " + "No finding."),
    ("django", "several_traps"): (
        _SEED + "GET books/report/?page=251: the latest 10 books with b.author.name read lazily (10 x SELECT ... "
        "FROM \"authors\" WHERE \"authors\".\"id\" = %s LIMIT 21: n_plus_one, count 10), then "
        "Paginator(Book.objects.filter(pages__gt=100).order_by(\"id\"), 20).page(251): SELECT COUNT(*) AS "
        "\"__count\" FROM \"books\" WHERE \"books\".\"pages\" > %s and SELECT ... WHERE \"books\".\"pages\" "
        "> %s ORDER BY \"books\".\"id\" ASC LIMIT 20 OFFSET 5000 (pagination_count, count 2, on the server span; "
        "deep_offset, count 1, on the page span 'SELECT'). Neither ORM writes SELECT *, so the catalogue's "
        "SELECT * part has no counterpart here. "),
    ("django", "paged_to_many_join"): (
        _SMALL_SEED + "GET authors/search/?q=book: Author.objects.filter(books__title__icontains=q).order_by(\"id\")[:20]. "
        "The filter across the reverse FK makes Django join books: SELECT \"authors\".\"id\", ... FROM \"authors\" INNER JOIN "
        "\"books\" ON (\"authors\".\"id\" = \"books\".\"author_id\") WHERE UPPER(\"books\".\"title\"::text) LIKE "
        "UPPER(%s) ORDER BY \"authors\".\"id\" ASC LIMIT 20: the LIMIT (inlined by Django) counts (author, book) rows, so the "
        "page holds 20 rows for 8 authors (authors 1-5 three times each, 6 and 7 twice, 8 once: one row per matching book). paged_to_many_join, count 1, on "
        "that span ('SELECT'), table authors (the FROM table; books.author_id is tied to its key). "),
    ("django", "paged_to_many_fixed"): (
        _SMALL_SEED + "The fix when filtering across the relation: .distinct(): SELECT DISTINCT \"authors\".\"id\", ... FROM "
        "\"authors\" INNER JOIN \"books\" ON (...) WHERE ... ORDER BY \"authors\".\"id\" ASC LIMIT 20: the top-level DISTINCT "
        "makes the LIMIT count authors. No finding. "),
    ("django", "paged_to_one_join"): (
        _SMALL_SEED + "GET books/with-author/: Book.objects.select_related(\"author\").order_by(\"id\")[:20]: SELECT ... FROM "
        "\"books\" INNER JOIN \"authors\" ON (\"books\".\"author_id\" = \"authors\".\"id\") ORDER BY \"books\".\"id\" "
        "ASC LIMIT 20 (INNER, as the FK is NOT NULL): a to-one join on the key of the joined table, one row per book, the "
        "LIMIT is right. No finding. "),
    ("sqlalchemy", "paged_to_many_join"): (
        _SMALL_SEED + "GET /authors/search?q=book: select(Author).join(Author.books).where(Book.title.ilike(f\"%{q}%\"))"
        ".order_by(Author.id).limit(20): SELECT authors.id, ... FROM authors JOIN books ON authors.id = books.author_id WHERE "
        "books.title ILIKE %(title_1)s ORDER BY authors.id LIMIT %(param_1)s (multi-line, as SQLAlchemy writes it). The LIMIT "
        "is a bound parameter (20, not recorded) and still a top-level LIMIT over the join: the page counts (author, book) "
        "rows, 20 rows for 8 authors (1-5 three times each, 6 and 7 twice, 8 once; session.scalars() of a 2.0-style select does not uniquify). "
        "paged_to_many_join, count 1, on that span ('SELECT py_testdata'), table authors. "),
    ("sqlalchemy", "paged_to_many_fixed"): (
        _SMALL_SEED + "The fix when filtering across the relation: the same select with .distinct(): SELECT DISTINCT authors.id, "
        "... FROM authors JOIN books ON authors.id = books.author_id WHERE ... ORDER BY authors.id LIMIT %(param_1)s: the "
        "top-level DISTINCT makes the LIMIT count authors. No finding. "),
    ("sqlalchemy", "paged_to_one_join"): (
        _SMALL_SEED + "GET /books/with-author: select(Book).options(joinedload(Book.author)).order_by(Book.id).limit(20): "
        "SELECT ... FROM books LEFT OUTER JOIN authors AS authors_1 ON authors_1.id = books.author_id ORDER BY books.id LIMIT "
        "%(param_1)s: a to-one join on the key of the joined table, one row per book, the LIMIT is right. No finding. "),
    ("sqlalchemy", "paged_subquery"): (
        _SMALL_SEED + "GET /authors/with-books: select(Author).options(joinedload(Author.books)).order_by(Author.id).limit(20), "
        "then .unique(): SQLAlchemy pages the authors in a subquery and joins the collection outside it: SELECT anon_1.id, ..., "
        "books_1.id AS id_1, ... FROM (SELECT authors.id AS id, ... FROM authors ORDER BY authors.id LIMIT %(param_1)s) AS anon_1 "
        "LEFT OUTER JOIN books AS books_1 ON anon_1.id = books_1.author_id ORDER BY anon_1.id. The LIMIT is inside the "
        "subquery, none at the top level: no finding. "),
    ("sqlalchemy", "several_traps"): (
        _SEED + "GET /books/report?page=251: the latest 10 books with the lazy book.author (10 x SELECT ... FROM "
        "authors WHERE authors.id = %(pk_1)s: n_plus_one, count 10), then the page with its total: SELECT "
        "count(*) AS count_1 FROM books WHERE books.pages > %(pages_1)s and SELECT ... WHERE books.pages > "
        "%(pages_1)s ORDER BY books.id LIMIT %(param_1)s OFFSET %(param_2)s (pagination_count, count 2, on the "
        "server span). The offset is 5000 but bound and unseen, so no deep_offset; neither ORM writes SELECT *, "
        "so no over_fetch. "),
}

# --- the first catalogue (testdata/README.md, "Scenarios") -------------------
_FIRST = {
    "forward_fk_loop": ("N+1 on forward FK", {"django": [("n_plus_one", 12)], "sqlalchemy": [("n_plus_one", 10)]}),
    "forward_fk_join": ("N+1 on forward FK", _both([])),
    "collection_loop": ("N+1 on collection / M2M", _both([("n_plus_one", 8)])),
    "collection_prefetch": ("N+1 on collection / M2M", _both([])),
    "m2m_loop": ("N+1 on collection / M2M", _both([("n_plus_one", 10)])),
    "m2m_prefetch": ("N+1 on collection / M2M", _both([])),
    "count_loop": ("Counting in Python", _both([("n_plus_one", 7)])),
    "count_annotate": ("Counting in Python", _both([])),
    "insert_loop": ("row-at-a-time INSERT in a loop (not in the seed article's checklist)", _both([("n_plus_one", 20)])),
    "insert_bulk": ("row-at-a-time INSERT in a loop (not in the seed article's checklist)", _both([])),
    "below_threshold": ("N+1 on forward FK, 3 items (below the default threshold of 5)", _both([])),
}
CATALOGUE = dict(_FIRST, **CATALOGUE)

# --- what only the real instrumentations show ---------------------------------
_OUT_OF_SCOPE = ("Lazy load out of scope (lazy_load_out_of_scope, issue 22): a related object read after the "
                 "session or the view is done")
CATALOGUE.update({
    "forward_fk_loop_sqlcommenter": (
        "N+1 on forward FK, with the instrumentation's sqlcommenter on",
        {"django": [("n_plus_one", 12)], "sqlalchemy": [("n_plus_one", 10)]}),
    "lazy_out_of_scope": (_OUT_OF_SCOPE, {"django": [("n_plus_one", 12)], "sqlalchemy": [("lazy_load_out_of_scope", 1)]}),
    "lazy_in_scope": (_OUT_OF_SCOPE, _both([])),
})

_FIRST_SEED = ("Seeded untraced before the request: 10 authors, 8 tags, 25 books (book n by author (n-1)%10+1, "
               "2 tags each). ")
_LAZY_LOAD = "lazy_load_out_of_scope finds "
NOTES.update({
    ("django", "forward_fk_loop"): _FIRST_SEED + "Book.objects.all()[:12], then b.author.name per book: 12 x SELECT ... "
        "FROM \"authors\" WHERE \"authors\".\"id\" = %s LIMIT 21 under the server span: n_plus_one, count 12.",
    ("sqlalchemy", "forward_fk_loop"): _FIRST_SEED + "select(Book).order_by(Book.id).limit(10), then the lazy "
        "b.author per book: 10 x SELECT ... FROM authors WHERE authors.id = %(pk_1)s: n_plus_one, count 10 (the "
        "statements, not the 20 spans that record them).",
    ("django", "forward_fk_join"): _FIRST_SEED + "The fix: Book.objects.select_related(\"author\")[:12]: one INNER JOIN "
        "query. No finding.",
    ("sqlalchemy", "forward_fk_join"): _FIRST_SEED + "The fix: .options(joinedload(Book.author)): one LEFT OUTER JOIN "
        "query. No finding.",
    ("django", "collection_loop"): _FIRST_SEED + "Author.objects.all()[:8], then list(a.books.all()) per author: "
        "n_plus_one on books, count 8.",
    ("sqlalchemy", "collection_loop"): _FIRST_SEED + "select(Author).order_by(Author.id).limit(8), then the lazy "
        "a.books per author: n_plus_one on books, count 8.",
    ("django", "collection_prefetch"): _FIRST_SEED + "The fix: prefetch_related(\"books\"): one IN-list query. No finding.",
    ("sqlalchemy", "collection_prefetch"): _FIRST_SEED + "The fix: .options(selectinload(Author.books)): one IN-list "
        "query. No finding.",
    ("django", "m2m_loop"): _FIRST_SEED + "Book.objects.all()[:10], then list(b.tags.all()) per book: n_plus_one on "
        "tags, count 10.",
    ("sqlalchemy", "m2m_loop"): _FIRST_SEED + "10 books, then the lazy b.tags (secondary books_tags) per book: "
        "n_plus_one on tags, count 10.",
    ("django", "m2m_prefetch"): _FIRST_SEED + "The fix: prefetch_related(\"tags\"): one IN-list query. No finding.",
    ("sqlalchemy", "m2m_prefetch"): _FIRST_SEED + "The fix: .options(selectinload(Book.tags)): one IN-list query. "
        "No finding.",
    ("django", "count_loop"): _FIRST_SEED + "7 authors, a.books.count() per author: 7 x SELECT COUNT(*) ... FROM "
        "\"books\" WHERE \"books\".\"author_id\" = %s: n_plus_one, count 7.",
    ("sqlalchemy", "count_loop"): _FIRST_SEED + "7 authors, session.scalar(select(func.count(Book.id)).where("
        "Book.author_id == a.id)) per author: n_plus_one, count 7.",
    ("django", "count_annotate"): _FIRST_SEED + "The fix: annotate(num_books=Count(\"books\")): one GROUP BY. No finding.",
    ("sqlalchemy", "count_annotate"): _FIRST_SEED + "The fix: one outer join with GROUP BY authors.id. No finding.",
    ("django", "insert_loop"): _FIRST_SEED + "POST of 20 books, Book.objects.create(...) per book: 20 x INSERT INTO "
        "\"books\" ... RETURNING \"books\".\"id\": n_plus_one, count 20.",
    ("sqlalchemy", "insert_loop"): _FIRST_SEED + "POST of 20 books, session.add(Book(...)); session.flush() per book: "
        "20 x INSERT INTO books ... RETURNING books.id: n_plus_one, count 20.",
    ("django", "insert_bulk"): _FIRST_SEED + "The fix: Book.objects.bulk_create([...]): one multi-row INSERT. No finding.",
    ("sqlalchemy", "insert_bulk"): _FIRST_SEED + "The fix: session.add_all([...]); session.flush(): SQLAlchemy 2.0's "
        "insertmanyvalues writes one multi-row INSERT ... RETURNING. No finding.",
    ("django", "below_threshold"): _FIRST_SEED + "The forward-FK loop over the 3 latest books: 3 lazy loads, below "
        "the default threshold of 5. No finding.",
    ("sqlalchemy", "below_threshold"): _FIRST_SEED + "The forward-FK loop over the 3 latest books: 3 lazy loads, "
        "below the default threshold of 5. No finding.",
    ("django", "forward_fk_loop_sqlcommenter"): _FIRST_SEED + "forward_fk_loop with DjangoInstrumentor().instrument("
        "is_sql_commentor_enabled=True): Django's SqlCommenter middleware appends /*controller="
        "'bookshop_django.views.books',db_driver='django.db.backends.postgresql',framework='django%%3A<version>',"
        "route='books/',traceparent='00-<trace id>-<server span id>-03'*/ to every statement before the cursor "
        "runs it, so the psycopg2 span's db.statement ends with it; the traceparent names the server span, the "
        "same on every query of the request. n_plus_one, count 12, as without the comment.",
    ("sqlalchemy", "forward_fk_loop_sqlcommenter"): _FIRST_SEED + "forward_fk_loop with SQLAlchemyInstrumentor()"
        ".instrument(enable_commenter=True): the statement the driver runs ends with /*controller='books',"
        "db_driver='psycopg2',db_framework='sqlalchemy%%3A<version>',framework='flask%%3A<version>',"
        "route='/books',traceparent='00-<trace id>-<SQLAlchemy span id>-03'*/ (controller, framework and route "
        "from the Flask instrumentation). The SQLAlchemy span's db.query.text is the statement without it "
        "(enable_attribute_commenter is off); the psycopg2 span's has it, and its traceparent names that "
        "statement's own SQLAlchemy span, so it differs on every statement. n_plus_one, count 10, as without "
        "the comment.",
    ("django", "lazy_out_of_scope"): _FIRST_SEED + "GET books/rendered/: the view passes "
        "Book.objects.order_by(\"id\")[:12] to a Django template, which prints {{ book.author.name }} per book: "
        "the 12 lazy author queries run while the template renders, after the view's code. No Python "
        "instrumentation traces Django's template engine (opentelemetry-instrumentation-django makes the server "
        "span only; the jinja2 one covers Jinja2), so the queries are children of the server span, like a loop "
        "in the view: n_plus_one, count 12, on 'GET books/rendered/'. " + _LAZY_LOAD + "nothing from this trace: "
        "no template span, no exception, every query inside its parent's time; the n_plus_one already names "
        "the loop.",
    ("django", "lazy_in_scope"): _FIRST_SEED + "The fix: select_related(\"author\") in the view; the template "
        "reads the authors the join loaded. No finding; " + _LAZY_LOAD + "nothing.",
    ("sqlalchemy", "lazy_out_of_scope"): _FIRST_SEED + "GET /books/detached: the books are loaded in "
        "`with Session(engine) as session:` and serialized after the block closed the session; the first "
        "book.author is a lazy load on a detached instance and raises sqlalchemy.orm.exc.DetachedInstanceError "
        "(no query runs). The Flask instrumentation records it on the server span: status ERROR with the "
        "message, http.response.status_code 500, error.type 500, and an 'exception' event with exception.type "
        "sqlalchemy.orm.exc.DetachedInstanceError, exception.message, exception.stacktrace, "
        "exception.escaped. One query (the book list). " + _LAZY_LOAD + "one, count 1, on 'GET /books/detached', "
        "from the exception event (its message names Book and author); the fix selectinload(Book.author) / "
        "joinedload(Book.author) inside the session.",
    ("sqlalchemy", "lazy_in_scope"): _FIRST_SEED + "The fix: .options(selectinload(Book.author)) inside the "
        "session: the authors are loaded by one IN-list query before the session closes, and reading them "
        "after is no lazy load. HTTP 200. No finding; " + _LAZY_LOAD + "nothing.",
})
