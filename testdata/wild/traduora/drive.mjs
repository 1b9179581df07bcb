#!/usr/bin/env node
// Workload for Ever Traduora (translation management, NestJS + TypeORM): HTTP calls against a
// running instance only, through its REST API (/api/v1).
// Usage: TRADUORA_ADMIN_EMAIL=... TRADUORA_ADMIN_PASSWORD=... node drive.mjs http://127.0.0.1:28082
// (the admin is the one the instance seeds at start from TR_ADMIN_EMAIL / TR_ADMIN_PASSWORD)
const base = (process.argv[2] || "").replace(/\/$/, "");
const adminEmail = process.env.TRADUORA_ADMIN_EMAIL;
const adminPassword = process.env.TRADUORA_ADMIN_PASSWORD;
if (!base || !adminEmail || !adminPassword) {
  console.error("usage: TRADUORA_ADMIN_EMAIL=... TRADUORA_ADMIN_PASSWORD=... node drive.mjs BASE_URL");
  process.exit(2);
}
const counts = {};
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

async function call(method, path, { json, multipart, token } = {}) {
  const headers = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  let body;
  if (json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(json);
  } else if (multipart) {
    body = multipart;
  }
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  const key = `${method} ${path.replace(/\?.*/, "").replace(UUID, ":id")} ${res.status}`;
  counts[key] = (counts[key] || 0) + 1;
  let parsed;
  try { parsed = JSON.parse(text); } catch { parsed = text; }
  return { status: res.status, body: parsed };
}

function must(r, what) {
  if (r.status >= 400) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body;
}

async function pool(n, items, fn) {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (i < items.length) {
      const k = i++;
      await fn(items[k], k);
    }
  }));
}

async function token(username, password) {
  return must(await call("POST", "/api/v1/auth/token", { json: { grant_type: "password", username, password } }), "token").access_token;
}

function importFile(name, obj) {
  const fd = new FormData();
  fd.append("file", new Blob([JSON.stringify(obj, null, 2)], { type: "application/json" }), name);
  return fd;
}

const sections = ["home", "settings", "profile", "billing", "errors", "checkout", "search", "nav", "onboarding", "admin", "reports", "help"];
const keyOf = (i) => `${sections[i % sections.length]}.item_${i}`;

async function main() {
  // 1. accounts: the seeded admin, and people signing up
  const admin = await token(adminEmail, adminPassword);
  const people = {};
  for (const [who, name] of [["owner", "Olivia Owner"], ["editor", "Edgar Editor"], ["viewer", "Vera Viewer"], ["other", "Otto Other"]]) {
    const email = `${who}@traduora.example.org`;
    const password = `${who}-password-2026`;
    const r = must(await call("POST", "/api/v1/auth/signup", { json: { name, email, password } }), "signup");
    people[who] = { email, password, token: r.data.accessToken, id: r.data.id };
  }
  const owner = people.owner.token;
  must(await call("GET", "/api/v1/users/me", { token: owner }), "me");
  must(await call("PATCH", "/api/v1/users/me", { token: owner, json: { name: "Olivia O. Owner" } }), "me update");
  must(await call("GET", "/api/v1/auth/providers"), "providers");
  must(await call("GET", "/api/v1/locales", { token: owner }), "locales");

  // 2. projects
  const projects = [];
  for (const [name, description] of [["Web app", "The customer web application"], ["Mobile app", "iOS and Android"], ["Old site", "To be removed"]]) {
    projects.push(must(await call("POST", "/api/v1/projects", { token: owner, json: { name, description } }), "project").data);
  }
  must(await call("POST", "/api/v1/projects", { token: admin, json: { name: "Admin sandbox" } }), "project");
  const pid = projects[0].id;
  const P = `/api/v1/projects/${pid}`;

  // 3. locales first, then labels
  for (const code of ["en", "fr_FR", "de_DE"]) {
    must(await call("POST", `${P}/translations`, { token: owner, json: { code } }), "add locale");
  }
  const labels = [];
  for (const [value, color] of [["backend", "#1f77b4"], ["frontend", "#ff7f0e"], ["legal", "#2ca02c"], ["marketing", "#d62728"], ["deprecated", "#9467bd"], ["review", "#8c564b"]]) {
    labels.push(must(await call("POST", `${P}/labels`, { token: owner, json: { value, color } }), "label").data);
  }

  // 4. terms: 300 added one by one (the editor's "add term"), 900 more by importing the source file
  const items = Array.from({ length: 300 }, (_, i) => i);
  const terms = [];
  await pool(3, items, async (i) => {
    terms.push(must(await call("POST", `${P}/terms`, { token: owner, json: { value: keyOf(i), context: i % 5 === 0 ? `shown on the ${sections[i % sections.length]} page` : undefined } }), "term").data);
  });
  const en = Object.fromEntries(Array.from({ length: 1200 }, (_, i) => [keyOf(i), `English text ${i}`]));
  must(await call("POST", `${P}/imports?locale=en&format=jsonflat`, { token: owner, multipart: importFile("en.json", en) }), "import en");
  const fr = Object.fromEntries(Array.from({ length: 800 }, (_, i) => [keyOf(i), `Texte français ${i}`]));
  must(await call("POST", `${P}/imports?locale=fr_FR&format=jsonflat`, { token: owner, multipart: importFile("fr.json", fr) }), "import fr");
  const de = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [keyOf(i * 3), `Deutscher Text ${i * 3}`]));
  must(await call("POST", `${P}/imports?locale=de_DE&format=jsonflat`, { token: owner, multipart: importFile("de.json", de) }), "import de");
  // a locale added once the project has its terms
  must(await call("POST", `${P}/translations`, { token: owner, json: { code: "es_ES" } }), "add locale es");
  // a locale created by an import (it did not exist yet)
  const it = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [keyOf(i), `Testo italiano ${i}`]));
  must(await call("POST", `${P}/imports?locale=it_IT&format=jsonflat`, { token: owner, multipart: importFile("it.json", it) }), "import it");

  // 5. the smaller projects
  for (const p of projects.slice(1)) {
    must(await call("POST", `/api/v1/projects/${p.id}/translations`, { token: owner, json: { code: "en" } }), "locale");
    for (let i = 0; i < 25; i++) {
      must(await call("POST", `/api/v1/projects/${p.id}/terms`, { token: owner, json: { value: `mobile.${sections[i % sections.length]}.${i}` } }), "term");
    }
  }

  // 6. team: existing users invited (become members), a new address invited then signing up
  must(await call("POST", `${P}/invites`, { token: owner, json: { email: people.editor.email, role: "editor" } }), "invite editor");
  must(await call("POST", `${P}/invites`, { token: owner, json: { email: people.viewer.email, role: "viewer" } }), "invite viewer");
  must(await call("POST", `${P}/invites`, { token: owner, json: { email: people.other.email, role: "viewer" } }), "invite other");
  must(await call("POST", `${P}/invites`, { token: owner, json: { email: "newcomer@traduora.example.org", role: "editor" } }), "invite new");
  must(await call("POST", `/api/v1/projects/${projects[1].id}/invites`, { token: owner, json: { email: "newcomer@traduora.example.org", role: "viewer" } }), "invite new 2");
  must(await call("GET", `${P}/invites`, { token: owner }), "invites");
  const newcomer = must(await call("POST", "/api/v1/auth/signup", { json: { name: "Nina Newcomer", email: "newcomer@traduora.example.org", password: "newcomer-password-2026" } }), "signup newcomer").data;
  const members = must(await call("GET", `${P}/users`, { token: owner }), "users").data;
  must(await call("PATCH", `${P}/users/${people.other.id}`, { token: owner, json: { role: "editor" } }), "role");
  must(await call("DELETE", `${P}/users/${people.other.id}`, { token: owner }), "remove member");
  const editor = people.editor.token;
  const viewer = people.viewer.token;

  // 7. everyone's project list, the project page, its plan and stats
  for (const t of [owner, editor, viewer, newcomer.accessToken, admin]) {
    must(await call("GET", "/api/v1/projects", { token: t }), "projects");
  }
  must(await call("GET", P, { token: editor }), "project");
  must(await call("GET", `${P}/plan`, { token: owner }), "plan");
  must(await call("PATCH", P, { token: owner, json: { name: "Web app (v2)", description: "The customer web application, second edition" } }), "project update");
  for (const t of [owner, editor, viewer]) {
    must(await call("GET", `${P}/stats`, { token: t }), "stats");
  }

  // 8. the editor's screens: terms, locales, a locale's translations, labels
  const allTerms = must(await call("GET", `${P}/terms`, { token: editor }), "terms").data;
  must(await call("GET", `${P}/terms`, { token: viewer }), "terms");
  must(await call("GET", `${P}/translations`, { token: editor }), "locales");
  for (const code of ["en", "fr_FR", "de_DE", "es_ES", "it_IT"]) {
    must(await call("GET", `${P}/translations/${code}`, { token: editor }), "translations");
  }
  must(await call("GET", `${P}/labels`, { token: editor }), "labels");

  // labels on terms and on translations
  for (const [k, t] of allTerms.slice(0, 48).entries()) {
    must(await call("POST", `${P}/labels/${labels[k % labels.length].id}/terms/${t.id}`, { token: editor }), "label term");
  }
  for (const [k, t] of allTerms.slice(48, 64).entries()) {
    must(await call("POST", `${P}/labels/${labels[5].id}/terms/${t.id}/translations/fr_FR`, { token: editor }), "label translation");
  }
  for (const t of allTerms.slice(0, 4)) {
    must(await call("DELETE", `${P}/labels/${labels[0].id}/terms/${t.id}`, { token: editor }), "unlabel term");
  }
  must(await call("DELETE", `${P}/labels/${labels[5].id}/terms/${allTerms[48].id}/translations/fr_FR`, { token: editor }), "unlabel translation");
  for (const l of labels.slice(0, 3)) {
    must(await call("GET", `${P}/terms/filter-by-label?labelId=${l.id}`, { token: editor }), "by label");
  }
  must(await call("PATCH", `${P}/labels/${labels[1].id}`, { token: owner, json: { value: "web", color: "#ffbb78" } }), "label update");

  // translating: the editor fills French and Spanish strings
  for (const [k, t] of allTerms.slice(100, 160).entries()) {
    const code = k % 2 ? "es_ES" : "fr_FR";
    must(await call("PATCH", `${P}/translations/${code}`, { token: editor, json: { termId: t.id, value: `${code} text for ${t.value}` } }), "translate");
  }
  // editing and removing terms
  for (const t of allTerms.slice(200, 210)) {
    must(await call("PATCH", `${P}/terms/${t.id}`, { token: editor, json: { value: `${t.value}_v2`, context: "renamed" } }), "term update");
  }
  for (const t of allTerms.slice(210, 220)) {
    must(await call("DELETE", `${P}/terms/${t.id}`, { token: owner }), "term delete");
  }

  // 9. exports, as a developer's build would fetch them
  for (const [locale, format, extra] of [["en", "jsonflat", ""], ["en", "jsonnested", ""], ["fr_FR", "jsonflat", "&fallbackLocale=en"], ["fr_FR", "csv", ""],
    ["de_DE", "xliff12", ""], ["de_DE", "po", ""], ["es_ES", "yamlnested", "&untranslated=true"], ["it_IT", "androidxml", ""], ["it_IT", "strings", ""],
    ["en", "properties", ""], ["fr_FR", "php", ""], ["en", "resx", ""], ["fr_FR", "yamlflat", ""]]) {
    await call("GET", `${P}/exports?locale=${locale}&format=${format}${extra}`, { token: editor });
  }

  // 10. an API client (CI) that exports and imports with its own token
  const client = must(await call("POST", `${P}/clients`, { token: owner, json: { name: "ci", role: "editor" } }), "client").data;
  must(await call("GET", `${P}/clients`, { token: owner }), "clients");
  const rotated = must(await call("POST", `${P}/clients/${client.id}/rotate-secret`, { token: owner }), "rotate").data;
  const ci = must(await call("POST", "/api/v1/auth/token", { json: { grant_type: "client_credentials", client_id: client.id, client_secret: rotated.secret } }), "client token").access_token;
  for (const locale of ["en", "fr_FR", "de_DE"]) {
    await call("GET", `${P}/exports?locale=${locale}&format=jsonflat`, { token: ci });
  }
  must(await call("GET", `${P}/terms`, { token: ci }), "client terms");
  const fr2 = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [keyOf(800 + i), `Texte français ${800 + i}`]));
  must(await call("POST", `${P}/imports?locale=fr_FR&format=jsonflat`, { token: ci, multipart: importFile("fr-more.json", fr2) }), "client import");
  must(await call("PATCH", `${P}/clients/${client.id}`, { token: owner, json: { role: "viewer" } }), "client update");
  must(await call("DELETE", `${P}/clients/${client.id}`, { token: owner }), "client delete");

  // 11. clean-ups: a label, a locale, a project
  must(await call("DELETE", `${P}/labels/${labels[4].id}`, { token: owner }), "label delete");
  must(await call("DELETE", `${P}/translations/it_IT`, { token: owner }), "locale delete");
  must(await call("DELETE", `/api/v1/projects/${projects[2].id}`, { token: owner }), "project delete");
  must(await call("GET", `${P}/stats`, { token: owner }), "stats");
  must(await call("POST", "/api/v1/auth/change-password", { token: people.viewer.token, json: { oldPassword: people.viewer.password, newPassword: "viewer-password-2027" } }), "change password");

  for (const [k, n] of Object.entries(counts).sort()) console.log(String(n).padStart(5), k);
  console.log(Object.values(counts).reduce((a, b) => a + b, 0), "requests", members.length, "members");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
