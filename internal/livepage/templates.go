package livepage

import (
	"html/template"
	"strconv"
)

func strconvFloat(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// pages are the page's templates: html/template escapes every value, so a
// span name holding <script> is shown as text.
var pages = template.Must(template.New("").Funcs(funcs).Parse(`
{{define "head"}}<!doctype html><html lang="en"><head><meta charset="utf-8"><title>querylens · {{.}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
nav a{margin-right:1em} table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}
th,td{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4} td.n{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:12px;white-space:pre-wrap;word-break:break-word}
.f{display:inline-block;background:#fde2e1;color:#8a1c14;border-radius:3px;padding:0 .4em;margin:.1em;font-size:12px}
.ok{color:#2a7a2a} .dup{color:#8a1c14} form select,form button{margin-right:.5em}
</style></head><body>
<nav><b>querylens</b> <a href="/">requests</a><a href="/fingerprints">fingerprints</a><a href="/api/requests">api/requests</a><a href="/api/findings">api/findings</a></nav>{{end}}

{{define "index"}}{{template "head" "requests"}}{{$f := .Data.Filter}}{{$url := .TraceURL}}
<h1>Recent requests</h1>
<form method="get" action="/">
<select name="service"><option value="">every service</option>{{range .Data.Services}}<option{{if sel . $f.Service}} selected{{end}}>{{.}}</option>{{end}}</select>
<select name="route"><option value="">every route</option>{{range .Data.Routes}}<option{{if sel . $f.Route}} selected{{end}}>{{.}}</option>{{end}}</select>
<select name="type"><option value="">any finding or none</option>{{range .Data.Types}}<option{{if sel . $f.Type}} selected{{end}}>{{.}}</option>{{end}}</select>
<select name="sort"><option value="time">newest first</option><option value="queries"{{if sel "queries" $f.Sort}} selected{{end}}>most queries first</option></select>
<button type="submit">show</button></form>
<p>{{len .Data.Requests}} of {{.Data.Shown}} shown of the last {{.Data.Total}} requests.{{if .Data.Next}} <a href="{{.Data.Next}}">next</a>{{end}}</p>
<table><thead><tr><th>time</th><th>service</th><th>route</th><th>trace</th><th>DB queries</th><th>DB ms</th><th>findings</th></tr></thead><tbody>
{{range .Data.Requests}}<tr class="request"><td>{{clock .Time}}</td><td>{{.Service}}</td><td>{{.Route}}</td>
<td><a href="/requests/{{.TraceID}}">{{.TraceID}}</a>{{if $url}} <a href="{{traceLink $url .TraceID}}">↗</a>{{end}}</td>
<td class="n">{{.DBQueries}}</td><td class="n">{{ms .DBWallDuration}}</td>
<td>{{range .Findings}}<span class="f">{{.Type}} ×{{.Count}}</span>{{else}}<span class="ok">none</span>{{end}}</td></tr>
{{end}}</tbody></table></body></html>{{end}}

{{define "request"}}{{template "head" .Data.TraceID}}{{$url := .TraceURL}}
<h1>Trace {{.Data.TraceID}}{{if $url}} <a href="{{traceLink $url .Data.TraceID}}">↗</a>{{end}}</h1>
{{range .Data.Requests}}
<h2>{{.Service}} · {{.Route}}</h2>
<p>{{.DBQueries}} database queries, {{ms .DBWallDuration}} ms in the database{{if gt .DBDuration .DBWallDuration}} ({{ms .DBDuration}} ms summed: some ran at the same time){{end}}.</p>
<h3>Findings</h3>
{{if .Findings}}<table class="findings"><thead><tr><th>finding</th><th>statement</th><th>fix</th></tr></thead><tbody>
{{range .Findings}}<tr class="finding"><td><span class="f">{{.Type}} ×{{.Count}}</span><br>{{ms .DurationMs}} ms{{if .Wasted}}, {{.Wasted}} wasted{{end}}</td>
<td><code>{{.Statement}}</code></td><td>{{.Suggestion}}{{if .Code}}<br><code>{{.Code}}</code>{{end}}</td></tr>{{end}}
</tbody></table>{{else}}<p class="ok">No finding.</p>{{end}}
<h3>Statements by fingerprint</h3>
<p>Similar calls share a fingerprint; duplicates also share their values (shown only when the values can be seen).</p>
<table><thead><tr><th>count</th><th>duplicates</th><th>ms</th><th>statement</th></tr></thead><tbody>
{{range .Groups}}<tr><td class="n">{{.Count}}</td><td class="n{{if .Duplicates}} dup{{end}}">{{.Duplicates}}</td><td class="n">{{ms .DurationMs}}</td><td><code>{{.Text}}</code></td></tr>{{end}}
</tbody></table>
<h3>Statements in order</h3>
<table><thead><tr><th>#</th><th>ms</th><th>statement</th></tr></thead><tbody>
{{range $i, $s := .Statements}}<tr><td class="n">{{$i}}</td><td class="n">{{ms .DurationMs}}</td><td><code>{{.Text}}</code>{{if .Finding}} <span class="f" title="{{.FindingID}}">{{.Finding}}</span>{{end}}</td></tr>{{end}}
</tbody></table>{{if .Truncated}}<p>{{.Truncated}} more statements not kept.</p>{{end}}
{{else}}<p>This trace is not among the recent requests.</p>{{end}}
</body></html>{{end}}

{{define "fingerprints"}}{{template "head" "fingerprints"}}
<h1>Fingerprints of recent traffic, by wasted queries</h1>
<table><thead><tr><th>service</th><th>findings</th><th>wasted queries</th><th>calls</th><th>ms</th><th>statement</th></tr></thead><tbody>
{{range .Data}}<tr class="fingerprint"><td>{{.Service}}</td><td>{{range .Types}}<span class="f">{{.}}</span>{{end}} {{if .Findings}}{{.Findings}}{{end}}</td>
<td class="n">{{.Wasted}}</td><td class="n">{{.Calls}}</td><td class="n">{{ms .DurationMs}}</td><td><code>{{.Statement}}</code><br><small>{{.Fingerprint}}</small></td></tr>{{end}}
</tbody></table></body></html>{{end}}
`))
