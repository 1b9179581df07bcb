package livepage

import (
	"embed"
	"html/template"
)

// pages are the page's templates: html/template escapes every value, so a
// span name holding <script> is shown as text.
//
//go:embed templates/*.html
var templateFiles embed.FS

var pages = template.Must(template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/*.html"))
