package suggest

// apiFixes word the fix of an n_plus_one_api, an N+1 of HTTP calls, for the
// caller's language: the fix is the same whatever the ORM.
var apiFixes = map[string]string{
	"go":     `Call a batch endpoint once with all ids (GET /items?ids=1,2,3); if the service has none, add one, or fetch concurrently with errgroup and SetLimit.`,
	"nodejs": `Call a batch endpoint once with all ids (GET /items?ids=1,2,3); if the service has none, add one, or fetch concurrently with Promise.all and a concurrency limit (p-limit).`,
	"python": `Call a batch endpoint once with all ids (GET /items?ids=1,2,3); if the service has none, add one, or fetch concurrently (asyncio.gather with httpx, or a thread pool).`,
	"java":   `Call a batch endpoint once with all ids (GET /items?ids=1,2,3); if the service has none, add one, or fetch concurrently (CompletableFuture.allOf, or WebClient with Flux.flatMap and a concurrency).`,
	"ruby":   `Call a batch endpoint once with all ids (GET /items?ids=1,2,3); if the service has none, add one, or fetch concurrently (Typhoeus::Hydra, or concurrent-ruby futures).`,
	"dotnet": `Call a batch endpoint once with all ids (GET /items?ids=1,2,3); if the service has none, add one, or fetch concurrently with Task.WhenAll and a SemaphoreSlim.`,
}

const genericAPIFix = `Call a batch endpoint once with all ids (GET /items?ids=1,2,3) instead of one request per item; if the service has none, add one, or fetch concurrently with a bounded pool.`

func apiFix(language string) string {
	if fix, ok := apiFixes[language]; ok {
		return fix
	}
	return genericAPIFix
}
