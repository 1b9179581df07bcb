#!/usr/bin/env node
// Workload for Gancio (shared event agenda, Express + Sequelize): HTTP calls against a running
// instance only, through its API, its feeds and its ActivityPub/nodeinfo endpoints.
// Usage: GANCIO_ADMIN_PASSWORD=... node drive.mjs http://127.0.0.1:28081
// The instance must be freshly set up (its setup wizard gives the admin "admin" a password).
const base = (process.argv[2] || "").replace(/\/$/, "");
const adminPassword = process.env.GANCIO_ADMIN_PASSWORD;
if (!base || !adminPassword) {
  console.error("usage: GANCIO_ADMIN_PASSWORD=... node drive.mjs BASE_URL");
  process.exit(2);
}
const counts = {};
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

async function call(method, path, { json, form, multipart, token, accept = "application/json" } = {}) {
  const headers = { accept };
  if (token) headers.authorization = `Bearer ${token}`;
  let body;
  if (json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(form).toString();
  } else if (multipart) {
    body = multipart;
  }
  const res = await fetch(base + path, { method, headers, body, redirect: "manual" });
  const text = await res.text();
  const key = `${method} ${path.replace(/\?.*/, "").replace(/\/\d+(?=\/|$|\.)/g, "/:n")} ${res.status}`;
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

async function login(username, password) {
  const r = must(await call("POST", "/oauth/login", { form: { grant_type: "password", client_id: "self", username, password } }), "login");
  return r.access_token;
}

const placeNames = Array.from({ length: 30 }, (_, i) => [`Venue ${i}`, `${10 + i} Main Street, District ${i % 7}`]);
const tagNames = ["music", "punk", "jazz", "assembly", "cinema", "theatre", "kids", "workshop", "bike", "garden",
  "reading", "poetry", "dance", "climate", "housing", "food", "market", "sport", "hiking", "photo",
  "radio", "hacklab", "linux", "repair", "sewing", "yoga", "chess", "games", "talk", "debate",
  "history", "feminism", "queer", "migrants", "school", "library", "art", "exhibition", "festival", "party"];
const now = Math.floor(Date.now() / 1000);
const day = 86400;

function eventBody(i, { anon = false } = {}) {
  const [place_name, place_address] = placeNames[i % placeNames.length];
  const start = now + day * (1 + (i % 300)) + 3600 * (i % 12);
  const tags = Array.from({ length: 1 + (i % 4) }, (_, k) => tagNames[(i * 7 + k * 11) % tagNames.length]);
  const body = {
    title: `${anon ? "Proposed" : "Event"} ${i}: ${tags[0]} at ${place_name}`,
    description: `<p>Description of event ${i}, with <b>details</b> and a link https://example.org/e/${i}</p>`,
    place_name,
    place_address,
    start_datetime: start,
    end_datetime: start + 7200,
    multidate: i % 40 === 0,
    tags,
  };
  return body;
}

async function ready() {
  for (let i = 0; i < 60; i++) {
    try {
      if ((await fetch(base + "/api/ping")).status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error("the instance is not ready");
}

async function main() {
  await ready();
  // 1. the admin logs in and sets the instance up
  const admin = await login("admin", adminPassword);
  must(await call("GET", "/api/user", { token: admin }), "current user");
  for (const [key, value] of [["allow_recurrent_event", true], ["recurrent_event_visible", true], ["enable_moderation", true],
    ["enable_report", true], ["enable_resources", true], ["title", "Wild agenda"], ["instance_timezone", "UTC"]]) {
    must(await call("POST", "/api/settings", { token: admin, json: { key, value } }), "setting");
  }
  must(await call("GET", "/api/settings", { token: admin }), "settings");

  // 2. users: created by the admin (one editor), one registering on their own
  const users = [];
  for (let i = 0; i < 5; i++) {
    const u = { email: `user${i}@gancio.test`, password: `user-password-${i}`, role: i === 0 ? "editor" : "user" };
    must(await call("POST", "/api/user", { token: admin, json: u }), "create user");
    users.push({ ...u, token: await login(u.email, u.password) });
  }
  must(await call("POST", "/api/user/register", { json: { email: "newcomer@example.org", password: "newcomer-password", description: "hello" } }), "register");

  // 3. events: 1,150 by the users (places and tags created on the way), a few with an image
  // (the first ones one at a time: two requests creating the same new tag at once fail on its
  // unique key, a race in the app's find-then-bulkCreate of tags)
  const items = Array.from({ length: 1150 }, (_, i) => i);
  const addEvent = async (i) => {
    const u = users[i % users.length];
    const body = eventBody(i);
    if (i % 100 === 5) {
      const fd = new FormData();
      for (const [k, v] of Object.entries(body)) {
        if (k === "tags") v.forEach((t) => fd.append("tags[]", t));
        else fd.append(k, String(v));
      }
      fd.append("image", new Blob([PNG], { type: "image/png" }), "poster.png");
      must(await call("POST", "/api/event", { token: u.token, multipart: fd }), "add event with image");
    } else {
      must(await call("POST", "/api/event", { token: u.token, json: body }), "add event");
    }
  };
  for (const i of items.slice(0, 60)) await addEvent(i);
  await pool(3, items.slice(60), addEvent);
  // recurrent events (each creates its next occurrence) and anonymous proposals to confirm
  for (let i = 0; i < 5; i++) {
    const body = { ...eventBody(2000 + i), title: `Weekly ${tagNames[i]} meeting`, recurrent: JSON.stringify({ frequency: i % 2 ? "2w" : "1w" }) };
    must(await call("POST", "/api/event", { token: users[1 + (i % 4)].token, json: body }), "recurrent event");
  }
  const proposed = [];
  for (let i = 0; i < 12; i++) {
    proposed.push(must(await call("POST", "/api/event", { json: eventBody(3000 + i, { anon: true }) }), "anonymous event"));
  }

  // 4. the public agenda: the home page (this month on), pages of the API, filters, searches
  const startMonth = now - (now % (30 * day));
  for (let r = 0; r < 3; r++) {
    must(await call("GET", `/api/events?start=${startMonth}&show_recurrent=true&show_multidate=true`), "home");
  }
  for (const page of [0, 1, 2, 5, 10, 20, 30, 40, 44]) {
    must(await call("GET", `/api/events?max=25&page=${page}`), "page");
  }
  for (const page of [0, 9, 10]) {
    must(await call("GET", `/api/events?max=100&page=${page}&show_recurrent=true`), "page");
  }
  for (const t of ["music", "jazz,punk", "bike,hiking,garden"]) {
    must(await call("GET", `/api/events?tags=${encodeURIComponent(t)}&max=20`), "by tag");
  }
  must(await call("GET", "/api/events?places=1,2,3&max=50"), "by place");
  must(await call("GET", "/api/events?tags=music&places=1&max=10"), "by tag and place");
  for (const q of ["jazz", "venue 1", "event 10"]) {
    must(await call("GET", `/api/events?query=${encodeURIComponent(q)}&older=true`), "search");
  }
  must(await call("GET", `/api/events?start=${now + 30 * day}&end=${now + 60 * day}`), "range");
  for (const s of ["ven", "mus", "ja"]) {
    must(await call("GET", `/api/event/meta?search=${s}`), "meta");
    must(await call("GET", `/api/tag?search=${s}`), "tag search");
    must(await call("GET", `/api/place?search=${s}`), "place search");
  }

  // 5. event pages: detail (with next and previous), ics, ActivityPub object
  const listed = must(await call("GET", "/api/events?max=40&page=3"), "page");
  for (const e of listed.slice(0, 25)) {
    must(await call("GET", `/api/event/detail/${e.slug}`), "detail");
  }
  for (const e of listed.slice(25, 30)) {
    await call("GET", `/api/event/detail/${e.id}.ics`, { accept: "text/calendar" });
    await call("GET", `/federation/m/${e.id}`, { accept: "application/activity+json" });
  }
  for (const u of users) {
    must(await call("GET", "/api/events/mine", { token: u.token }), "mine");
  }

  // 6. tags, places and feeds
  for (const t of ["music", "assembly", "hacklab", "party"]) {
    must(await call("GET", `/api/tag/${t}`), "tag events");
  }
  for (const p of [1, 2, 3]) {
    must(await call("GET", `/api/place/${p}`), "place events");
  }
  // by name: on PostgreSQL this answers 500 (the name is compared with the integer id)
  await call("GET", `/api/place/${encodeURIComponent("Venue 4")}`);
  await call("GET", "/feed/rss", { accept: "application/rss+xml" });
  await call("GET", "/feed/ics", { accept: "text/calendar" });
  await call("GET", "/feed/rss/tag/music", { accept: "application/rss+xml" });
  await call("GET", "/feed/ics/place/2", { accept: "text/calendar" });
  await call("GET", "/api/export/json");
  await call("GET", "/api/export/ics?tags=jazz", { accept: "text/calendar" });

  // 7. collections with filters, shown on their own and pinned
  const colls = [];
  for (const [name, tags] of [["music", ["music", "punk", "jazz"]], ["outdoor", ["bike", "hiking", "garden"]], ["talks", ["talk", "debate", "history"]]]) {
    const c = must(await call("POST", "/api/collections", { token: admin, json: { name } }), "collection");
    must(await call("POST", "/api/filter", { token: admin, json: { collectionId: c.id, tags, places: [] } }), "filter");
    colls.push(c);
  }
  must(await call("POST", "/api/filter", { token: admin, json: { collectionId: colls[1].id, tags: [], places: [{ id: 3, name: "Venue 2" }] } }), "filter");
  must(await call("GET", "/api/collections?withFilters=true", { token: admin }), "collections");
  must(await call("GET", "/api/collections"), "collections");
  for (const c of colls) {
    must(await call("GET", `/api/collections/${c.name}?max=20`), "collection events");
    must(await call("GET", `/api/filter/${c.id}`, { token: admin }), "filters");
  }
  await call("GET", "/feed/rss/collection/music", { accept: "application/rss+xml" });
  must(await call("PUT", `/api/collection/toggle/${colls[0].id}`, { token: admin }), "pin");
  must(await call("PUT", `/api/collection/moveup/${colls[1].sortIndex}`, { token: admin }), "move up");

  // 8. moderation: unconfirmed proposals, confirm some, reports and messages
  must(await call("GET", "/api/event/unconfirmed", { token: admin }), "unconfirmed");
  for (const e of proposed.slice(0, 8)) {
    must(await call("PUT", `/api/event/confirm/${e.id}`, { token: admin }), "confirm");
  }
  must(await call("PUT", `/api/event/unconfirm/${proposed[0].id}`, { token: admin }), "unconfirm");
  for (const e of listed.slice(0, 6)) {
    must(await call("POST", `/api/event/messages/${e.id}`, { json: { message: "Is this still happening?", is_author_visible: true } }), "report");
    must(await call("GET", `/api/event/messages/${e.id}`, { token: admin }), "messages");
  }

  // 9. edits and deletes by the authors and the editor
  const mine = must(await call("GET", "/api/events/mine", { token: users[2].token }), "mine");
  for (const [k, e] of mine.slice(0, 10).entries()) {
    const body = { id: e.id, title: `${e.title} (updated)`, description: "<p>Changed</p>", start_datetime: e.start_datetime,
      end_datetime: e.start_datetime + 5400, place_id: e.place.id, tags: [...e.tags.slice(0, 2), tagNames[(k * 3) % tagNames.length]], image: "" };
    must(await call("PUT", "/api/event", { token: users[2].token, json: body }), "update");
  }
  for (const e of mine.slice(10, 16)) {
    must(await call("DELETE", `/api/event/${e.id}`, { token: users[2].token }), "delete");
  }
  must(await call("PUT", "/api/event/assign_to_author", { token: admin, json: { id: mine[20].id, user_id: 4 } }), "assign");

  // 10. the admin's pages: users, places, tags, instances, resources, announcements, plugins, clients
  must(await call("GET", "/api/users", { token: admin }), "users");
  must(await call("GET", "/api/places", { token: admin }), "places");
  must(await call("GET", "/api/tags", { token: admin }), "tags");
  must(await call("PUT", "/api/place", { token: admin, json: { id: 5, name: "Venue 4", address: "14 Main Street, Renamed" } }), "place update");
  must(await call("PUT", "/api/tag", { token: admin, json: { tag: "poetry", newTag: "reading" } }), "tag merge");
  must(await call("PUT", "/api/tag", { token: admin, json: { tag: "chess", newTag: "boardgames" } }), "tag rename");
  must(await call("DELETE", "/api/tag/sewing", { token: admin }), "tag delete");
  must(await call("GET", "/api/instances", { token: admin }), "instances");
  must(await call("GET", "/api/instances/trusted"), "trusted");
  must(await call("GET", "/api/instances/stats"), "stats");
  must(await call("GET", "/api/resources", { token: admin }), "resources");
  for (let i = 0; i < 3; i++) {
    must(await call("POST", "/api/announcements", { token: admin, json: { title: `Announcement ${i}`, announcement: `<p>News ${i}</p>` } }), "announce");
  }
  const anns = must(await call("GET", "/api/announcements", { token: admin }), "announcements");
  must(await call("GET", `/api/announcements/${anns[0].id}`), "announcement");
  must(await call("PUT", `/api/announcements/${anns[0].id}`, { token: admin, json: { title: "Announcement 0", announcement: "<p>Updated</p>", visible: true } }), "announce update");
  must(await call("GET", "/api/plugins", { token: admin }), "plugins");
  must(await call("POST", "/api/client", { json: { client_name: "wild-client", redirect_uris: "http://127.0.0.1/cb", scopes: "event:write", website: "http://127.0.0.1" } }), "client");
  must(await call("GET", "/api/clients", { token: admin }), "clients");
  const all = must(await call("GET", "/api/users", { token: admin }), "users");
  const newcomer = all.find((u) => u.email === "newcomer@example.org");
  if (newcomer) {
    must(await call("PUT", "/api/user", { token: admin, json: { id: newcomer.id, is_active: true } }), "activate");
    must(await call("DELETE", `/api/user/${newcomer.id}`, { token: admin }), "remove user");
  }

  // 11. federation and discovery: actor, outbox pages (deep), webfinger, nodeinfo
  await call("GET", "/federation/u/relay", { accept: "application/activity+json" });
  await call("GET", "/federation/u/relay/outbox", { accept: "application/activity+json" });
  for (const page of [1, 2, 3, 10, 50, 100, 101, 115]) {
    await call("GET", `/federation/u/relay/outbox?page=${page}`, { accept: "application/activity+json" });
  }
  await call("GET", "/federation/p/2", { accept: "application/activity+json" });
  await call("GET", "/.well-known/nodeinfo");
  for (let r = 0; r < 3; r++) {
    await call("GET", "/.well-known/nodeinfo/2.0");
  }
  await call("GET", "/.well-known/nodeinfo/2.1");
  await call("GET", "/.well-known/x-nodeinfo2");

  for (const [k, n] of Object.entries(counts).sort()) console.log(String(n).padStart(5), k);
  console.log(Object.values(counts).reduce((a, b) => a + b, 0), "requests");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
