#!/usr/bin/env node
// Workload for Kutt (URL shortener, Express + Knex): HTTP calls against a running instance only.
// Usage: node drive.mjs http://127.0.0.1:28080
// The instance must be fresh (no user yet), with DISALLOW_ANONYMOUS_LINKS=false and
// DEFAULT_DOMAIN set to the base URL's host:port.
const base = (process.argv[2] || "").replace(/\/$/, "");
if (!base) {
  console.error("usage: node drive.mjs BASE_URL");
  process.exit(2);
}
const host = new URL(base).host;
const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
const counts = {};

async function call(method, path, { body, apikey, token, html, form, redirect = "manual", headers = {} } = {}) {
  const h = { "user-agent": UA, ...headers };
  if (apikey) h["x-api-key"] = apikey;
  if (token) h.cookie = `token=${token}`;
  h.accept = html ? "text/html" : "application/json";
  let payload;
  if (body !== undefined) {
    if (form) {
      h["content-type"] = "application/x-www-form-urlencoded";
      payload = new URLSearchParams(body).toString();
    } else {
      h["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }
  }
  const res = await fetch(base + path, { method, headers: h, body: payload, redirect });
  const text = await res.text();
  const key = `${method} ${path.replace(/\?.*/, "").replace(/[0-9a-f-]{36}/g, ":uuid").replace(/\/\d+(?=\/|$)/g, "/:n")} ${res.status}`;
  counts[key] = (counts[key] || 0) + 1;
  let json;
  try { json = JSON.parse(text); } catch { json = text; }
  return { status: res.status, json };
}

function must(r, what) {
  if (r.status >= 400) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`);
  return r.json;
}

async function pool(n, items, fn) {
  let i = 0;
  const workers = Array.from({ length: n }, async () => {
    while (i < items.length) {
      const k = i++;
      await fn(items[k], k);
    }
  });
  await Promise.all(workers);
}

const words = ["alpha", "beta", "gamma", "delta", "report", "docs", "release", "notes", "video", "talk", "meetup", "paper"];
const sites = ["docs.example.org", "blog.example.net", "shop.example.com", "news.example.io", "198.51.100.23", "203.0.113.7"];
function target(i) {
  return `https://${sites[i % sites.length]}/${words[i % words.length]}/${i}?ref=drive`;
}

async function main() {
  // 1. the first user is the admin (the create-admin form of a fresh instance)
  const admin = { email: "admin@kutt.test", password: "admin-password-1" };
  // (the token create-admin returns has no subject: log in as the web UI then does)
  await call("POST", "/api/v2/auth/create-admin", { body: admin });
  const adminToken = must(await call("POST", "/api/v2/auth/login", { body: admin }), "admin login").token;
  const adminKey = must(await call("POST", "/api/v2/auth/apikey", { token: adminToken }), "admin apikey").apikey;

  // 2. the admin creates users (the admin page's "create user" dialog)
  const users = [];
  for (let i = 0; i < 6; i++) {
    const u = { email: `user${i}@kutt.test`, password: `user-password-${i}`, role: "USER", verified: true };
    must(await call("POST", "/api/v2/users/admin", { apikey: adminKey, body: u }), "create user");
    const token = must(await call("POST", "/api/v2/auth/login", { body: { email: u.email, password: u.password } }), "login").token;
    const apikey = must(await call("POST", "/api/v2/auth/apikey", { token }), "apikey").apikey;
    users.push({ ...u, token, apikey });
  }
  const [heavy, ...others] = users;

  // 3. custom domains: users add their own, the admin adds and bans some
  for (let i = 0; i < 3; i++) {
    must(await call("POST", "/api/v2/domains", { apikey: users[i].apikey, body: { address: `go${i}.example.com`, homepage: `https://home${i}.example.com` } }), "add domain");
  }
  must(await call("POST", "/api/v2/domains/admin", { apikey: adminKey, body: { address: "spam.example.com", banned: true } }), "admin add domain");
  must(await call("POST", "/api/v2/domains/admin", { apikey: adminKey, body: { address: "links.example.com", homepage: "https://links.example.com" } }), "admin add domain");

  // 4. links: one user with 1,100 links (deep pages), the others a few dozen each, some anonymous
  const heavyLinks = Array.from({ length: 1100 }, (_, i) => i);
  await pool(4, heavyLinks, async (i) => {
    const body = { target: target(i), description: `${words[i % words.length]} link ${i}` };
    if (i % 50 === 0) body.customurl = `heavy-${i}`;
    if (i % 97 === 0) body.password = "secret-pass";
    if (i % 31 === 0) body.expire_in = "30 days";
    if (i % 120 === 0) body.domain = "go0.example.com";
    must(await call("POST", "/api/v2/links", { apikey: heavy.apikey, body }), "create link");
  });
  for (const [k, u] of others.entries()) {
    for (let i = 0; i < 25 + 5 * k; i++) {
      const body = { target: target(1000 + 40 * k + i), description: `user ${k} link ${i}` };
      if (i % 9 === 0) body.reuse = true;
      must(await call("POST", "/api/v2/links", { apikey: u.apikey, body }), "create link");
    }
  }
  for (let i = 0; i < 15; i++) {
    must(await call("POST", "/api/v2/links", { body: { target: target(3000 + i) } }), "anonymous link");
  }
  // the same target again with reuse: returns the existing link
  for (let i = 0; i < 5; i++) {
    await call("POST", "/api/v2/links", { apikey: heavy.apikey, body: { target: target(i), reuse: true } });
  }

  // 5. lists, page by page (the API's limit/skip and the web UI's table)
  const pages = [0, 10, 20, 50, 100, 300, 600, 1000, 1050, 1090];
  for (const skip of pages) {
    must(await call("GET", `/api/v2/links?limit=10&skip=${skip}`, { apikey: heavy.apikey }), "links page");
    must(await call("GET", `/api/v2/links?limit=50&skip=${skip}`, { apikey: heavy.apikey }), "links page");
  }
  for (const search of ["report", "docs", "link 10", "example.net"]) {
    must(await call("GET", `/api/v2/links?limit=20&skip=0&search=${encodeURIComponent(search)}`, { apikey: heavy.apikey }), "search");
  }
  for (const u of others) {
    must(await call("GET", "/api/v2/links?limit=10", { apikey: u.apikey }), "links");
    must(await call("GET", "/api/v2/links?limit=50&skip=10", { apikey: u.apikey }), "links");
  }
  for (const skip of [0, 10, 1000]) {
    await call("GET", `/api/links?limit=10&skip=${skip}`, { token: heavy.token, html: true });
  }

  // 6. the account: user info with domains, the settings page
  for (const u of users) {
    must(await call("GET", "/api/v2/users", { apikey: u.apikey }), "user");
  }
  await call("GET", "/settings", { token: heavy.token, html: true });
  await call("GET", "/", { token: heavy.token, html: true });

  // 7. redirects (visits), link info, protected links, stats
  const firstPage = must(await call("GET", "/api/v2/links?limit=50&skip=0", { apikey: heavy.apikey }), "links").data;
  const visited = firstPage.filter((l) => !l.password).slice(0, 12);
  const referrers = ["https://news.example.io/a", "https://social.example.net/p/1", undefined];
  for (const [i, l] of visited.entries()) {
    for (let v = 0; v < 3 + (i % 4); v++) {
      const headers = { "x-forwarded-for": `198.51.100.${10 + v}` };
      const ref = referrers[v % referrers.length];
      if (ref) headers.referer = ref;
      const addr = l.link.split("/").pop();
      await call("GET", `/${addr}`, { headers, html: true });
    }
    await call("GET", `/${l.link.split("/").pop()}+`, {});
  }
  const deep = must(await call("GET", "/api/v2/links?limit=50&skip=1000", { apikey: heavy.apikey }), "links").data;
  const protectedLink = [...firstPage, ...deep].find((l) => l.password);
  if (protectedLink) {
    await call("POST", `/api/v2/links/${protectedLink.id}/protected`, { body: { password: "secret-pass" } });
    await call("POST", `/api/v2/links/${protectedLink.id}/protected`, { body: { password: "wrong-pass" } });
  }
  await new Promise((res) => setTimeout(res, 500));
  for (const l of visited.slice(0, 8)) {
    must(await call("GET", `/api/v2/links/${l.id}/stats`, { apikey: heavy.apikey }), "stats");
  }
  await call("GET", `/stats?id=${visited[0].id}`, { token: heavy.token, html: true });

  // 8. edits: the owner's form and the admin's
  for (const [i, l] of firstPage.slice(15, 27).entries()) {
    const body = { description: `edited description ${i}` };
    if (i % 3 === 0) body.target = target(5000 + i);
    if (i % 4 === 0) body.expire_in = "2 days";
    must(await call("PATCH", `/api/v2/links/${l.id}`, { apikey: heavy.apikey, body }), "edit link");
  }
  for (const [i, l] of firstPage.slice(27, 32).entries()) {
    must(await call("PATCH", `/api/v2/links/admin/${l.id}`, { apikey: adminKey, body: { description: `admin edit ${i}` } }), "admin edit");
  }
  await call("GET", `/link/edit/${firstPage[15].id}`, { token: heavy.token, html: true });

  // 9. the admin's tables: links, users, domains, with their filters and deep pages
  for (const skip of [0, 10, 100, 1000, 1100]) {
    must(await call("GET", `/api/v2/links/admin?limit=10&skip=${skip}`, { apikey: adminKey }), "admin links");
  }
  for (const q of ["search=report", "user=user1%40kutt.test", `user=${encodeURIComponent(heavy.email)}&skip=20&limit=20`, "anonymous=true", "banned=false&limit=30", "has_domain=true", "domain=go0.example.com"]) {
    must(await call("GET", `/api/v2/links/admin?${q}`, { apikey: adminKey }), "admin links filter");
  }
  for (const q of ["", "limit=5&skip=0", "search=user", "verified=true", "links=true", "domains=true", "role=USER", "banned=false"]) {
    must(await call("GET", `/api/v2/users/admin?${q}`, { apikey: adminKey }), "admin users");
  }
  for (const q of ["", "search=example", "links=true", "owner=true", "banned=true", "user=user0%40kutt.test"]) {
    must(await call("GET", `/api/v2/domains/admin?${q}`, { apikey: adminKey }), "admin domains");
  }
  await call("GET", "/admin", { token: adminToken, html: true });
  await call("GET", "/api/links/admin?limit=10&skip=0", { token: adminToken, html: true });
  await call("GET", "/api/users/admin?limit=10&skip=0", { token: adminToken, html: true });
  await call("GET", "/api/domains/admin?limit=10&skip=0", { token: adminToken, html: true });

  // 10. deletes and bans
  for (const l of firstPage.slice(40, 48)) {
    must(await call("DELETE", `/api/v2/links/${l.id}`, { apikey: heavy.apikey }), "delete link");
  }
  const otherLinks = must(await call("GET", "/api/v2/links?limit=10", { apikey: others[0].apikey }), "links").data;
  must(await call("POST", `/api/v2/links/admin/ban/${otherLinks[0].id}`, { apikey: adminKey, body: { domain: true } }), "ban link");
  const adminUsers = must(await call("GET", "/api/v2/users/admin?limit=20", { apikey: adminKey }), "admin users").data;
  const byEmail = Object.fromEntries(adminUsers.map((u) => [u.email, u]));
  const last = others[others.length - 1];
  must(await call("POST", `/api/v2/users/admin/ban/${byEmail[others[3].email].id}`, { apikey: adminKey, body: { links: true, domains: true } }), "ban user");
  const ownDomains = must(await call("GET", "/api/v2/users", { apikey: users[2].apikey }), "user").domains;
  if (ownDomains && ownDomains[0]) {
    must(await call("DELETE", `/api/v2/domains/${ownDomains[0].id}`, { apikey: users[2].apikey }), "delete domain");
  }
  const adminDomains = must(await call("GET", "/api/v2/domains/admin?limit=20", { apikey: adminKey }), "domains").data;
  const spare = adminDomains.find((d) => d.address === "links.example.com");
  if (spare) must(await call("DELETE", `/api/v2/domains/admin/${spare.id}?links=true`, { apikey: adminKey }), "admin delete domain");
  const go1 = adminDomains.find((d) => d.address === "go1.example.com");
  if (go1) must(await call("POST", `/api/v2/domains/admin/ban/${go1.id}`, { apikey: adminKey, body: { links: true } }), "ban domain");
  must(await call("DELETE", `/api/v2/users/admin/${byEmail[last.email].id}`, { apikey: adminKey }), "delete user");

  // 11. the account's own actions
  must(await call("POST", "/api/v2/auth/change-password", { token: others[1].token, body: { currentpassword: others[1].password, newpassword: "user-password-new" }, form: true }), "change password");
  must(await call("POST", "/api/v2/auth/apikey", { token: others[1].token }), "new apikey");

  const summary = Object.entries(counts).sort();
  for (const [k, n] of summary) console.log(String(n).padStart(5), k);
  console.log(Object.values(counts).reduce((a, b) => a + b, 0), "requests");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
