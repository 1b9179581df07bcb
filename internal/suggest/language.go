package suggest

import "strings"

// LanguageOf is the language of the service a context describes: its SDK's
// telemetry.sdk.language, else the language of its process.runtime.name,
// else the one its instrumentation scopes agree on, else "". Only ORMs of
// that language are candidates for its fixes; with none, the fix is generic.
func LanguageOf(ctx Context) string {
	if l := strings.ToLower(strings.TrimSpace(ctx.Language)); l != "" {
		return l
	}
	if l := runtimeLanguage(ctx.Runtime); l != "" {
		return l
	}
	found := ""
	for _, scope := range ctx.Scopes {
		l := scopeLanguage(scope)
		switch {
		case l == "":
		case found == "":
			found = l
		case found != l: // scopes of two languages: say nothing
			return ""
		}
	}
	return found
}

// runtimeLanguages maps a process.runtime.name, lowercased, to its
// telemetry.sdk.language: the names the SDKs' resource detectors write (Go
// writes its compiler, Python its implementation).
var runtimeLanguages = map[string]string{
	"gc": "go", "gccgo": "go", "go": "go",
	"nodejs": "nodejs", "node": "nodejs", "node.js": "nodejs", "bun": "nodejs", "deno": "nodejs",
	"cpython": "python", "pypy": "python", "python": "python", "ironpython": "python",
	".net": "dotnet", ".net core": "dotnet", ".net framework": "dotnet", "mono": "dotnet",
	"ruby": "ruby", "jruby": "ruby", "truffleruby": "ruby",
	"php":  "php",
	"beam": "erlang", "erlang": "erlang", "elixir": "erlang",
}

// runtimeLanguage is the language of a process.runtime.name, or "". Java
// runtimes name their vendor's distribution ("OpenJDK Runtime Environment",
// "Java(TM) SE Runtime Environment").
func runtimeLanguage(runtime string) string {
	r := strings.ToLower(strings.TrimSpace(runtime))
	if l, ok := runtimeLanguages[r]; ok {
		return l
	}
	if strings.Contains(r, "java") || strings.Contains(r, "jdk") || strings.Contains(r, "jre") {
		return "java"
	}
	return ""
}

// scopePrefixes are instrumentation scope name prefixes that only one
// language's instrumentations use, most specific first.
var scopePrefixes = []struct{ prefix, language string }{
	{"io.opentelemetry.contrib.php", "php"}, // before Java's io.opentelemetry.
	{"io.opentelemetry.", "java"},
	{"go.opentelemetry.io/", "go"},
	{"github.com/", "go"},
	{"@opentelemetry/", "nodejs"},
	{"opentelemetry-instrumentation-", "nodejs"},
	{"opentelemetry.instrumentation.", "python"},
	{"OpenTelemetry.Instrumentation.", "dotnet"},
	{"OpenTelemetry::Instrumentation::", "ruby"},
	{"opentelemetry_", "erlang"},
}

// scopeLanguage is the language whose instrumentations use this scope name:
// by the prefixes above, else by an ORM's own scope; "" when it tells none.
func scopeLanguage(scope string) string {
	for _, p := range scopePrefixes {
		if strings.HasPrefix(scope, p.prefix) {
			return p.language
		}
	}
	for i := range orms {
		for _, prefix := range orms[i].Scopes {
			if strings.HasPrefix(scope, prefix) {
				return orms[i].Language
			}
		}
	}
	return ""
}
