package loadgen

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Clean traffic: requests with no ORM trap in them. Every trace has 20 to 500
// spans (log-uniform, so that most traces are small and some are large, mean
// about 150): a server span per service, internal spans that group the work,
// database spans whose statements all have a distinct shape within the trace
// (so no statement repeats: no N+1, no duplicate), HTTP client spans to
// distinct routes (no N+1 of API calls), and internal leaf spans. About a third
// of the traces call a second service, whose server span is a child of one of
// the HTTP client spans. Statements are written with placeholders (70%) or
// with their values inline (30%, each one a new raw statement, as an
// application without prepared statements sends them); none reads whole rows,
// pages deep or counts beside a page.

// Bounds of the number of spans of a clean trace.
const (
	CleanMinSpans = 20
	CleanMaxSpans = 500
)

// CleanGenerator builds clean traces.
type CleanGenerator struct {
	rng       *rand.Rand
	services  []serviceProfile
	shapes    []dbShape // every statement shape, distinct after normalization
	routes    []httpRoute
	perm      []int32 // scratch for sampling shapes without replacement
	routePerm []int32
}

// NewClean returns a generator of clean traces; seed makes it reproducible.
func NewClean(seed uint64) *CleanGenerator {
	g := &CleanGenerator{
		rng:      rand.New(rand.NewPCG(seed^0x5bd1e995, seed+0x27d4eb2f165667c5)),
		services: serviceProfiles(),
	}
	g.shapes = dbShapes()
	g.routes = httpRoutes()
	g.perm = make([]int32, len(g.shapes))
	for i := range g.perm {
		g.perm[i] = int32(i)
	}
	g.routePerm = make([]int32, len(g.routes))
	for i := range g.routePerm {
		g.routePerm[i] = int32(i)
	}
	return g
}

// Shapes is the number of distinct statement shapes the generator draws from.
func (g *CleanGenerator) Shapes() int { return len(g.shapes) }

// Next returns a clean trace with fresh ids whose first span starts at now.
func (g *CleanGenerator) Next(now time.Time) ptrace.Traces {
	n := int(math.Round(math.Exp(math.Log(CleanMinSpans) + g.rng.Float64()*(math.Log(CleanMaxSpans)-math.Log(CleanMinSpans)))))
	return g.NextN(now, n)
}

// NextN returns a clean trace of exactly n spans (at least 3).
func (g *CleanGenerator) NextN(now time.Time, n int) ptrace.Traces {
	n = max(n, 3)
	td := ptrace.NewTraces()
	var traceID pcommon.TraceID
	binary.BigEndian.PutUint64(traceID[:8], g.rng.Uint64())
	binary.BigEndian.PutUint64(traceID[8:], g.rng.Uint64())
	b := &traceBuilder{g: g, td: td, traceID: traceID, shapesLeft: len(g.shapes), routesLeft: len(g.routes)}

	// The work of a trace is split between its services: one, or two when a
	// call goes to a downstream service that is traced too.
	front := g.services[g.rng.IntN(len(g.services))]
	budgets := []int{n}
	var down serviceProfile
	if n >= 30 && g.rng.IntN(3) == 0 {
		down = g.services[g.rng.IntN(len(g.services))]
		for down.name == front.name {
			down = g.services[g.rng.IntN(len(g.services))]
		}
		share := n * (20 + g.rng.IntN(40)) / 100
		budgets = []int{n - share, share}
	}
	start := pcommon.NewTimestampFromTime(now)
	calls := b.service(front, pcommon.SpanID{}, start, budgets[0], len(budgets) > 1)
	if len(budgets) > 1 {
		b.service(down, calls.SpanID(), calls.StartTimestamp()+pcommon.Timestamp(200*time.Microsecond), budgets[1], false)
	}
	return td
}

type traceBuilder struct {
	g          *CleanGenerator
	td         ptrace.Traces
	traceID    pcommon.TraceID
	shapesLeft int // shapes not yet used in this trace: g.perm[:shapesLeft]
	routesLeft int
}

func (b *traceBuilder) spanID() pcommon.SpanID {
	var id pcommon.SpanID
	binary.BigEndian.PutUint64(id[:], b.g.rng.Uint64()|1)
	return id
}

// nextShape draws a statement shape not used yet in this trace.
func (b *traceBuilder) nextShape() *dbShape {
	if b.shapesLeft == 0 {
		b.shapesLeft = len(b.g.shapes) // never with fewer than 500 spans a trace
	}
	i := b.g.rng.IntN(b.shapesLeft)
	b.shapesLeft--
	b.g.perm[i], b.g.perm[b.shapesLeft] = b.g.perm[b.shapesLeft], b.g.perm[i]
	return &b.g.shapes[b.g.perm[b.shapesLeft]]
}

func (b *traceBuilder) nextRoute() *httpRoute {
	if b.routesLeft == 0 {
		b.routesLeft = len(b.g.routes)
	}
	i := b.g.rng.IntN(b.routesLeft)
	b.routesLeft--
	b.g.routePerm[i], b.g.routePerm[b.routesLeft] = b.g.routePerm[b.routesLeft], b.g.routePerm[i]
	return &b.g.routes[b.g.routePerm[b.routesLeft]]
}

// service writes the spans of one service's part of the trace, n spans in all,
// under parent, and returns the HTTP client span a downstream service hangs
// from when wantCall (else an empty span).
func (b *traceBuilder) service(p serviceProfile, parent pcommon.SpanID, start pcommon.Timestamp, n int, wantCall bool) ptrace.Span {
	rng := b.g.rng
	rs := b.td.ResourceSpans().AppendEmpty()
	p.resource(rs.Resource().Attributes(), rng)
	serverScope := rs.ScopeSpans().AppendEmpty()
	serverScope.Scope().SetName(p.httpScope)
	serverScope.Scope().SetVersion(p.httpScopeVersion)
	dbScope := rs.ScopeSpans().AppendEmpty()
	dbScope.Scope().SetName(p.dbScope)
	dbScope.Scope().SetVersion(p.dbScopeVersion)
	appScope := rs.ScopeSpans().AppendEmpty()
	appScope.Scope().SetName(p.appScope)

	// The plan: one server span, g groups, then leaves: about 55% database
	// calls, 8% HTTP calls (at least one when a downstream service hangs from
	// one), the rest internal.
	groups := 1 + (n-1)/25
	leaves := n - 1 - groups
	if leaves < 1 {
		groups, leaves = max(n-2, 0), 1
	}
	https := leaves * 8 / 100
	if wantCall && https == 0 {
		https = 1
	}
	dbs := min(leaves*55/100, leaves-https)
	internals := leaves - https - dbs
	kinds := make([]byte, 0, leaves)
	for range dbs {
		kinds = append(kinds, 'd')
	}
	for range https {
		kinds = append(kinds, 'h')
	}
	for range internals {
		kinds = append(kinds, 'i')
	}
	rng.Shuffle(len(kinds), func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })

	route := p.routes[rng.IntN(len(p.routes))]
	server := serverScope.Spans().AppendEmpty()
	serverID := b.spanID()
	b.ids(server, serverID, parent)
	server.SetName(route.method + " " + route.template)
	server.SetKind(ptrace.SpanKindServer)
	sa := server.Attributes()
	sa.EnsureCapacity(11)
	sa.PutStr("http.request.method", route.method)
	sa.PutStr("http.route", route.template)
	sa.PutStr("url.path", route.path(rng))
	sa.PutStr("url.scheme", "http")
	sa.PutStr("server.address", p.name+".svc.cluster.local")
	sa.PutInt("server.port", 8080)
	sa.PutStr("network.protocol.version", "1.1")
	sa.PutStr("client.address", fmt.Sprintf("10.%d.%d.%d", rng.IntN(256), rng.IntN(256), 1+rng.IntN(254)))
	sa.PutStr("user_agent.original", userAgents[rng.IntN(len(userAgents))])
	status := int64(200)
	if rng.IntN(50) == 0 {
		status = 500
		server.Status().SetCode(ptrace.StatusCodeError)
	}
	sa.PutInt("http.response.status_code", status)
	sa.PutInt("http.response.body.size", int64(200+rng.IntN(20000)))

	var call ptrace.Span
	haveCall := false
	t := start + pcommon.Timestamp(50*time.Microsecond+time.Duration(rng.IntN(200))*time.Microsecond)
	k := 0
	for gi := range groups {
		group := appScope.Spans().AppendEmpty()
		groupID := b.spanID()
		b.ids(group, groupID, serverID)
		group.SetName(p.groupNames[(gi+rng.IntN(len(p.groupNames)))%len(p.groupNames)])
		group.SetKind(ptrace.SpanKindInternal)
		group.Attributes().PutStr("code.function.name", group.Name())
		groupStart := t
		// Leaves are shared out evenly between groups.
		count := leaves / groups
		if gi < leaves%groups {
			count++
		}
		for range count {
			kind := kinds[k]
			k++
			t += pcommon.Timestamp(time.Duration(5+rng.IntN(60)) * time.Microsecond)
			d := pcommon.Timestamp(time.Duration(80+rng.IntN(2500)) * time.Microsecond)
			switch kind {
			case 'd':
				s := dbScope.Spans().AppendEmpty()
				b.ids(s, b.spanID(), groupID)
				b.dbSpan(p, s, rng)
				s.SetStartTimestamp(t)
				s.SetEndTimestamp(t + d)
			case 'h':
				s := serverScope.Spans().AppendEmpty()
				b.ids(s, b.spanID(), groupID)
				r := b.nextRoute()
				s.SetName(r.method)
				s.SetKind(ptrace.SpanKindClient)
				a := s.Attributes()
				a.EnsureCapacity(6)
				a.PutStr("http.request.method", r.method)
				a.PutStr("url.full", r.url(rng))
				a.PutStr("server.address", r.host)
				a.PutInt("server.port", 8080)
				a.PutStr("network.protocol.version", "1.1")
				a.PutInt("http.response.status_code", 200)
				d += pcommon.Timestamp(time.Duration(rng.IntN(8000)) * time.Microsecond)
				if wantCall && !haveCall {
					call, haveCall = s, true
					d += pcommon.Timestamp(20 * time.Millisecond)
				}
				s.SetStartTimestamp(t)
				s.SetEndTimestamp(t + d)
			default:
				s := appScope.Spans().AppendEmpty()
				b.ids(s, b.spanID(), groupID)
				s.SetName(internalNames[rng.IntN(len(internalNames))])
				s.SetKind(ptrace.SpanKindInternal)
				s.Attributes().PutInt("app.items", int64(rng.IntN(100)))
				d /= 4
				s.SetStartTimestamp(t)
				s.SetEndTimestamp(t + d)
			}
			t += d
		}
		t += pcommon.Timestamp(time.Duration(10+rng.IntN(100)) * time.Microsecond)
		group.SetStartTimestamp(groupStart)
		group.SetEndTimestamp(t)
	}
	server.SetStartTimestamp(start)
	server.SetEndTimestamp(t + pcommon.Timestamp(100*time.Microsecond))
	return call
}

func (b *traceBuilder) ids(s ptrace.Span, id, parent pcommon.SpanID) {
	s.SetTraceID(b.traceID)
	s.SetSpanID(id)
	s.SetParentSpanID(parent)
}

// dbSpan writes a database call of a shape not used yet in the trace, with
// placeholders or, 30% of the time, the values inline.
func (b *traceBuilder) dbSpan(p serviceProfile, s ptrace.Span, rng *rand.Rand) {
	shape := b.nextShape()
	var text string
	if rng.IntN(10) < 3 {
		text = shape.inline(rng)
	} else {
		text = shape.placeholders(p.placeholder)
	}
	s.SetName(shape.operation + " " + p.dbName + "." + shape.table)
	s.SetKind(ptrace.SpanKindClient)
	a := s.Attributes()
	a.EnsureCapacity(8)
	a.PutStr("db.system.name", p.dbSystem)
	a.PutStr("db.namespace", p.dbName)
	a.PutStr("db.query.text", text)
	a.PutStr("db.operation.name", shape.operation)
	a.PutStr("db.collection.name", shape.table)
	a.PutStr("server.address", p.dbHost)
	a.PutInt("server.port", p.dbPort)
	if shape.operation == "SELECT" {
		a.PutInt("db.response.returned_rows", int64(rng.IntN(50)))
	}
}

// serviceProfile is one kind of service: its language, instrumentations and
// database.
type serviceProfile struct {
	name, language, version             string
	httpScope, httpScopeVersion         string
	dbScope, dbScopeVersion             string
	appScope                            string
	dbSystem, dbName, dbHost            string
	dbPort                              int64
	placeholder                         byte // '$' ($1), '?' or '%' (%s)
	runtimeName, runtimeVersion         string
	sdkVersion                          string
	groupNames                          []string
	routes                              []serverRoute
	hostPrefix, namespace, k8sNamespace string
}

func (p serviceProfile) resource(a pcommon.Map, rng *rand.Rand) {
	a.EnsureCapacity(15)
	a.PutStr("service.name", p.name)
	a.PutStr("service.namespace", p.namespace)
	a.PutStr("service.version", p.version)
	a.PutStr("service.instance.id", fmt.Sprintf("%s-%d", p.name, rng.IntN(4)))
	a.PutStr("deployment.environment.name", "production")
	a.PutStr("telemetry.sdk.language", p.language)
	a.PutStr("telemetry.sdk.name", "opentelemetry")
	a.PutStr("telemetry.sdk.version", p.sdkVersion)
	a.PutStr("process.runtime.name", p.runtimeName)
	a.PutStr("process.runtime.version", p.runtimeVersion)
	a.PutStr("host.name", fmt.Sprintf("%s-%x", p.hostPrefix, 0x5f3a00+rng.IntN(4)))
	a.PutStr("host.arch", "amd64")
	a.PutStr("os.type", "linux")
	a.PutStr("k8s.namespace.name", p.k8sNamespace)
	a.PutStr("k8s.pod.name", fmt.Sprintf("%s-7d9f8b6c4-%d", p.name, rng.IntN(4)))
}

type serverRoute struct{ method, template string }

func (r serverRoute) path(rng *rand.Rand) string {
	if i := strings.IndexByte(r.template, '{'); i >= 0 {
		j := strings.IndexByte(r.template[i:], '}')
		return r.template[:i] + strconv.Itoa(1+rng.IntN(100000)) + r.template[i+j+1:]
	}
	return r.template
}

func serviceProfiles() []serviceProfile {
	return []serviceProfile{
		{
			name: "checkout", language: "go", version: "2.14.1",
			httpScope: "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp", httpScopeVersion: "0.63.0",
			dbScope: "github.com/XSAM/otelsql", dbScopeVersion: "0.40.0", appScope: "checkout",
			dbSystem: "postgresql", dbName: "shop", dbHost: "pg-main.db.internal", dbPort: 5432, placeholder: '$',
			runtimeName: "go", runtimeVersion: "go1.25.4", sdkVersion: "1.38.0",
			groupNames: []string{"CartService.Load", "PricingService.Quote", "OrderRepository.Create", "InventoryService.Reserve", "PaymentService.Authorize", "checkout.validate"},
			routes:     []serverRoute{{"POST", "/api/checkout"}, {"GET", "/api/cart/{id}"}, {"POST", "/api/orders"}, {"GET", "/api/orders/{id}"}},
			hostPrefix: "ip-10-2-4", namespace: "shop", k8sNamespace: "shop",
		},
		{
			name: "catalog", language: "python", version: "5.3.0",
			httpScope: "opentelemetry.instrumentation.flask", httpScopeVersion: "0.54b1",
			dbScope: "opentelemetry.instrumentation.psycopg", dbScopeVersion: "0.54b1", appScope: "catalog.views",
			dbSystem: "postgresql", dbName: "catalog", dbHost: "pg-catalog.db.internal", dbPort: 5432, placeholder: '%',
			runtimeName: "cpython", runtimeVersion: "3.12.7", sdkVersion: "1.33.1",
			groupNames: []string{"views.product_detail", "views.search", "services.recommend", "services.availability", "serializers.render"},
			routes:     []serverRoute{{"GET", "/products/{id}"}, {"GET", "/search"}, {"GET", "/categories/{id}/products"}, {"GET", "/brands/{id}"}},
			hostPrefix: "ip-10-2-7", namespace: "shop", k8sNamespace: "catalog",
		},
		{
			name: "accounts", language: "java", version: "1.9.12",
			httpScope: "io.opentelemetry.tomcat-10.0", httpScopeVersion: "2.10.0-alpha",
			dbScope: "io.opentelemetry.jdbc", dbScopeVersion: "2.10.0-alpha", appScope: "io.opentelemetry.spring-webmvc-6.0",
			dbSystem: "mysql", dbName: "accounts", dbHost: "mysql-accounts.db.internal", dbPort: 3306, placeholder: '?',
			runtimeName: "OpenJDK Runtime Environment", runtimeVersion: "21.0.5+11-LTS", sdkVersion: "1.44.1",
			groupNames: []string{"AccountController.profile", "SessionService.refresh", "AddressService.list", "LoyaltyService.balance", "AuditLog.write"},
			routes:     []serverRoute{{"GET", "/accounts/{id}"}, {"GET", "/accounts/{id}/addresses"}, {"POST", "/sessions"}, {"PUT", "/accounts/{id}"}},
			hostPrefix: "ip-10-2-9", namespace: "shop", k8sNamespace: "accounts",
		},
		{
			name: "shipping", language: "nodejs", version: "3.0.7",
			httpScope: "@opentelemetry/instrumentation-http", httpScopeVersion: "0.57.0",
			dbScope: "@opentelemetry/instrumentation-pg", dbScopeVersion: "0.50.0", appScope: "shipping",
			dbSystem: "postgresql", dbName: "shipping", dbHost: "pg-shipping.db.internal", dbPort: 5432, placeholder: '$',
			runtimeName: "nodejs", runtimeVersion: "22.11.0", sdkVersion: "1.30.0",
			groupNames: []string{"rates.compute", "labels.create", "carriers.query", "tracking.update", "zones.lookup"},
			routes:     []serverRoute{{"POST", "/rates"}, {"GET", "/shipments/{id}"}, {"POST", "/labels"}, {"GET", "/tracking/{id}"}},
			hostPrefix: "ip-10-2-11", namespace: "shop", k8sNamespace: "shipping",
		},
	}
}

var userAgents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
	"okhttp/4.12.0",
	"shop-ios/7.4.2 CFNetwork/1568.200.51 Darwin/24.1.0",
}

var internalNames = []string{
	"cache.get", "cache.set", "validate input", "render template", "serialize response",
	"feature flags", "compute totals", "authorize", "load config", "map to dto",
	"encode json", "decode json", "rate limit", "publish event",
}

// dbShape is one statement shape: a table, an operation and the columns it
// reads or writes. All shapes differ after normalization.
type dbShape struct {
	operation string
	table     string
	// parts are the statement's text around its values; kinds the kind of
	// each value: 'i' an integer, 's' a string, 't' a timestamp.
	parts []string
	kinds []byte
}

func (s *dbShape) placeholders(style byte) string {
	var b strings.Builder
	for i, p := range s.parts {
		b.WriteString(p)
		if i < len(s.kinds) {
			switch style {
			case '$':
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(i + 1))
			case '%':
				b.WriteString("%s")
			default:
				b.WriteByte('?')
			}
		}
	}
	return b.String()
}

func (s *dbShape) inline(rng *rand.Rand) string {
	var b strings.Builder
	for i, p := range s.parts {
		b.WriteString(p)
		if i < len(s.kinds) {
			switch s.kinds[i] {
			case 'i':
				b.WriteString(strconv.Itoa(1 + rng.IntN(5_000_000)))
			case 't':
				b.WriteString(time.Unix(1_750_000_000+rng.Int64N(30_000_000), 0).UTC().Format("'2006-01-02 15:04:05'"))
			default:
				b.WriteByte('\'')
				b.WriteString(words[rng.IntN(len(words))])
				b.WriteByte('-')
				b.WriteString(strconv.Itoa(rng.IntN(100000)))
				b.WriteByte('\'')
			}
		}
	}
	return b.String()
}

var words = []string{"alpha", "amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor", "indigo", "juniper", "kestrel"}

// tables is the schema the clean statements are written against.
var tables = []struct {
	name string
	cols []string
	fk   string
}{
	{"orders", []string{"customer_id", "status", "total_cents", "currency", "placed_at", "shipping_address_id", "coupon_code", "channel"}, "customer_id"},
	{"order_items", []string{"order_id", "product_id", "quantity", "unit_price_cents", "discount_cents", "tax_cents", "sku", "gift_wrap"}, "order_id"},
	{"customers", []string{"email", "first_name", "last_name", "phone", "tier", "created_at", "locale", "marketing_opt_in"}, "tier"},
	{"products", []string{"sku", "title", "brand_id", "category_id", "price_cents", "weight_grams", "active", "updated_at"}, "category_id"},
	{"inventory_levels", []string{"product_id", "warehouse_id", "on_hand", "reserved", "reorder_point", "updated_at", "bin", "lot"}, "warehouse_id"},
	{"payments", []string{"order_id", "provider", "amount_cents", "status", "authorized_at", "captured_at", "reference", "method"}, "order_id"},
	{"shipments", []string{"order_id", "carrier", "service_level", "tracking_number", "shipped_at", "delivered_at", "label_url", "weight_grams"}, "order_id"},
	{"addresses", []string{"customer_id", "line1", "line2", "city", "region", "postal_code", "country", "is_default"}, "customer_id"},
	{"carts", []string{"customer_id", "session_id", "status", "currency", "updated_at", "expires_at", "item_count", "subtotal_cents"}, "customer_id"},
	{"cart_items", []string{"cart_id", "product_id", "quantity", "added_at", "price_cents", "note", "variant_id", "source"}, "cart_id"},
	{"coupons", []string{"code", "kind", "amount", "starts_at", "ends_at", "max_uses", "used", "min_order_cents"}, "kind"},
	{"reviews", []string{"product_id", "customer_id", "rating", "title", "body", "created_at", "verified", "helpful_votes"}, "product_id"},
	{"categories", []string{"parent_id", "slug", "name", "position", "visible", "updated_at", "image_url", "description"}, "parent_id"},
	{"brands", []string{"slug", "name", "country", "logo_url", "visible", "created_at", "updated_at", "position"}, "country"},
	{"warehouses", []string{"code", "name", "region", "timezone", "capacity", "active", "manager_id", "opened_at"}, "region"},
	{"sessions", []string{"customer_id", "token_hash", "ip", "user_agent", "created_at", "expires_at", "revoked", "last_seen_at"}, "customer_id"},
	{"loyalty_accounts", []string{"customer_id", "points", "tier", "updated_at", "expires_at", "lifetime_points", "status", "program_id"}, "customer_id"},
	{"audit_events", []string{"actor_id", "action", "entity", "entity_id", "created_at", "ip", "payload_hash", "severity"}, "actor_id"},
	{"price_rules", []string{"product_id", "region", "starts_at", "ends_at", "price_cents", "priority", "kind", "active"}, "product_id"},
	{"tax_rates", []string{"region", "category_id", "rate_bp", "starts_at", "ends_at", "kind", "source", "updated_at"}, "region"},
	{"carriers", []string{"code", "name", "tracking_url", "active", "priority", "max_weight_grams", "regions", "updated_at"}, "active"},
	{"rate_quotes", []string{"shipment_id", "carrier_id", "service_level", "amount_cents", "currency", "expires_at", "created_at", "zone"}, "shipment_id"},
	{"refunds", []string{"payment_id", "amount_cents", "reason", "status", "created_at", "processed_at", "operator_id", "reference"}, "payment_id"},
	{"wishlists", []string{"customer_id", "name", "public", "created_at", "updated_at", "item_count", "share_token", "position"}, "customer_id"},
	{"gift_cards", []string{"code_hash", "balance_cents", "currency", "expires_at", "issued_at", "status", "customer_id", "source"}, "customer_id"},
	{"notifications", []string{"customer_id", "channel", "template", "status", "sent_at", "opened_at", "error", "attempts"}, "customer_id"},
	{"feature_flags", []string{"key", "enabled", "rollout_bp", "updated_at", "owner", "description", "variant", "segment"}, "owner"},
	{"returns", []string{"order_id", "status", "reason", "created_at", "received_at", "refund_id", "label_url", "notes"}, "order_id"},
	{"subscriptions", []string{"customer_id", "plan", "status", "renews_at", "canceled_at", "price_cents", "interval", "trial_ends_at"}, "customer_id"},
	{"search_terms", []string{"term", "hits", "last_searched_at", "locale", "results", "clicked", "category_id", "zero_results"}, "locale"},
}

// columnSets are the column subsets a shape reads: indexes into a table's
// columns. Each gives a different statement after normalization.
var columnSets = [][]int{
	{0, 1, 2}, {0, 1, 2, 3}, {1, 2, 3, 4}, {0, 2, 4, 6}, {1, 3, 5, 7}, {0, 1, 2, 3, 4, 5},
	{2, 3, 4, 5, 6, 7}, {0, 1, 2, 3, 4, 5, 6, 7}, {0, 4}, {1, 5, 6},
}

// dbShapes builds every statement shape: for each table, for each column set,
// six or seven kinds of statement, and a delete; shapes that come out the same
// are kept once.
func dbShapes() []dbShape {
	var out []dbShape
	seen := map[string]bool{}
	add := func(s dbShape) {
		key := strings.Join(s.parts, "?")
		if !seen[key] {
			seen[key] = true
			out = append(out, s)
		}
	}
	for ti, t := range tables {
		for ci, set := range columnSets {
			cols := make([]string, len(set))
			for i, c := range set {
				cols[i] = t.name + "." + t.cols[c]
			}
			list := t.name + ".id, " + strings.Join(cols, ", ")
			where := t.cols[set[len(set)-1]]
			add(dbShape{"SELECT", t.name, []string{"SELECT " + list + " FROM " + t.name + " WHERE " + t.name + ".id = ", ""}, []byte{'i'}})
			add(dbShape{"SELECT", t.name, []string{"SELECT " + list + " FROM " + t.name + " WHERE " + t.name + "." + t.fk + " = ", " ORDER BY " + t.name + ".id DESC LIMIT 20"}, []byte{'i'}})
			add(dbShape{"SELECT", t.name, []string{"SELECT " + list + " FROM " + t.name + " WHERE " + t.name + ".id IN (", ", ", ", ", ")"}, []byte{'i', 'i', 'i'}})
			add(dbShape{"UPDATE", t.name, []string{"UPDATE " + t.name + " SET " + t.cols[set[0]] + " = ", ", " + where + " = ", " WHERE id = ", ""}, []byte{'s', 's', 'i'}})
			add(dbShape{"INSERT", t.name, insertParts(t.name, set, t.cols), insertKinds(len(set))})
			add(dbShape{"SELECT", t.name, []string{"SELECT " + t.name + "." + t.cols[set[0]] + ", " + t.name + "." + where + ", count(" + t.name + ".id) FROM " + t.name +
				" WHERE " + t.name + ".updated_at > ", " GROUP BY " + t.name + "." + t.cols[set[0]] + ", " + t.name + "." + where}, []byte{'t'}})
			// A join with another table, for some column sets.
			if ci%3 == 0 {
				u := tables[(ti+1+ci)%len(tables)]
				add(dbShape{"SELECT", t.name,
					[]string{"SELECT " + list + ", " + u.name + "." + u.cols[0] + " FROM " + t.name + " JOIN " + u.name + " ON " + u.name + ".id = " + t.name + "." + t.fk +
						" WHERE " + t.name + "." + where + " = ", " LIMIT 100"},
					[]byte{'s'}})
			}
		}
		add(dbShape{"DELETE", t.name, []string{"DELETE FROM " + t.name + " WHERE id = ", ""}, []byte{'i'}})
	}
	return out
}

func insertParts(table string, set []int, cols []string) []string {
	names := make([]string, len(set))
	for i, c := range set {
		names[i] = cols[c]
	}
	parts := []string{"INSERT INTO " + table + " (" + strings.Join(names, ", ") + ") VALUES ("}
	for range len(set) - 1 {
		parts = append(parts, ", ")
	}
	return append(parts, ")")
}

func insertKinds(n int) []byte {
	k := make([]byte, n)
	for i := range k {
		k[i] = 's'
	}
	return k
}

// httpRoute is a route of another service called over HTTP.
type httpRoute struct {
	method, host, prefix string
	withID               bool
}

func (r *httpRoute) url(rng *rand.Rand) string {
	u := "http://" + r.host + ":8080" + r.prefix
	if r.withID {
		u += "/" + strconv.Itoa(1+rng.IntN(1_000_000))
	}
	return u
}

func httpRoutes() []httpRoute {
	hosts := []string{"pricing", "inventory", "users", "recommendations", "search", "payments-gateway", "notifications", "fraud"}
	resources := []string{"quotes", "rules", "levels", "reservations", "profiles", "preferences", "similar", "trending",
		"suggest", "index", "intents", "tokens", "emails", "push", "scores", "signals"}
	var out []httpRoute
	for _, h := range hosts {
		for _, r := range resources {
			out = append(out,
				httpRoute{"GET", h + ".svc.cluster.local", "/v2/" + r, true},
				httpRoute{"POST", h + ".svc.cluster.local", "/v2/" + r, false},
			)
		}
	}
	return out
}
