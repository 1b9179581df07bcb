#!/usr/bin/env node
// Workload for Kaneo (project management, Hono + Drizzle ORM on PostgreSQL): HTTP calls
// against a running API only, as its web app makes them.
// Usage: node drive.mjs http://127.0.0.1:1337
// The instance must be fresh (no user yet); KANEO_CLIENT_URL must be the origin sent below.
const base = (process.argv[2] || "").replace(/\/$/, "");
if (!base) {
  console.error("usage: node drive.mjs BASE_URL");
  process.exit(2);
}
const ORIGIN = process.env.DRIVE_ORIGIN || "http://127.0.0.1:5173";
const counts = {};

// One cookie jar per user: Better Auth's session cookies, as a browser keeps them.
function jar() {
  return { cookies: new Map() };
}

async function call(who, method, path, body) {
  const h = { origin: ORIGIN, accept: "application/json", "user-agent": "kaneo-wild-drive/1" };
  if (who && who.cookies.size) h.cookie = [...who.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  if (body !== undefined) h["content-type"] = "application/json";
  const res = await fetch(base + path, {
    method,
    headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: "manual",
  });
  for (const c of res.headers.getSetCookie()) {
    const [kv] = c.split(";");
    const i = kv.indexOf("=");
    const k = kv.slice(0, i), v = kv.slice(i + 1);
    if (who) {
      if (v === "" || /max-age=0/i.test(c)) who.cookies.delete(k);
      else who.cookies.set(k, v);
    }
  }
  const text = await res.text();
  const key = `${method} ${path.replace(/\?.*/, "").replace(/\/[a-z0-9]{20,}(?=\/|$)/gi, "/:id")} ${res.status}`;
  counts[key] = (counts[key] || 0) + 1;
  let json;
  try { json = JSON.parse(text); } catch { json = text; }
  return { status: res.status, json };
}

async function must(who, method, path, body) {
  const r = await call(who, method, path, body);
  if (r.status >= 400) throw new Error(`${method} ${path}: HTTP ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`);
  return r.json;
}

// A fixed pseudo-random sequence: the same workload on every run.
let seed = 20261205;
function rnd(n) {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
}
const pick = (arr) => arr[rnd(arr.length)];

const words = ["login", "billing", "export", "search", "cache", "sync", "upload", "avatar", "webhook", "report",
  "onboarding", "pagination", "timezone", "invoice", "dashboard", "settings", "permissions", "import", "email", "mobile"];
const verbs = ["Fix", "Add", "Refactor", "Document", "Test", "Investigate", "Speed up", "Remove", "Migrate", "Polish"];
const priorities = ["no-priority", "low", "medium", "high", "urgent"];
const day = (i) => new Date(Date.UTC(2027, 0, 1 + (i % 90), 12)).toISOString();
function title(i) {
  return `${verbs[i % verbs.length]} ${words[(i * 7) % words.length]} ${words[(i * 3 + 1) % words.length]} #${i}`;
}

const password = "Wild-corpus-2026!";
const people = [
  { name: "Ada Owner", email: "ada@kaneo.test" },
  { name: "Bob Builder", email: "bob@kaneo.test" },
  { name: "Cy Tester", email: "cy@kaneo.test" },
  { name: "Dee Designer", email: "dee@kaneo.test" },
];

async function main() {
  // Sign up: the first user becomes the instance admin.
  const users = [];
  for (const p of people) {
    const j = jar();
    const r = await must(j, "POST", "/api/auth/sign-up/email", { ...p, password });
    users.push({ ...p, jar: j, id: r.user.id });
  }
  const [ada, ...members] = users;
  await must(ada.jar, "GET", "/api/auth/get-session");

  // Workspace, members by invitation.
  const ws = await must(ada.jar, "POST", "/api/auth/organization/create", { name: "Wild Corp", slug: "wild-corp" });
  await must(ada.jar, "POST", "/api/auth/organization/set-active", { organizationId: ws.id });
  for (const m of members) {
    const inv = await must(ada.jar, "POST", "/api/auth/organization/invite-member", {
      email: m.email, role: "member", organizationId: ws.id,
    });
    await must(m.jar, "GET", "/api/invitation/pending");
    await must(m.jar, "POST", "/api/auth/organization/accept-invitation", { invitationId: inv.id });
    await must(m.jar, "POST", "/api/auth/organization/set-active", { organizationId: ws.id });
  }
  await must(ada.jar, "GET", `/api/workspace/${ws.id}/members`);
  const assignees = users.map((u) => u.id);

  // Projects.
  const specs = [
    { name: "Platform", slug: "PLT", icon: "Layout" },
    { name: "Mobile App", slug: "MOB", icon: "Smartphone" },
    { name: "Website", slug: "WEB", icon: "Globe" },
  ];
  const projects = [];
  for (const s of specs) {
    projects.push(await must(ada.jar, "POST", "/api/project", { ...s, workspaceId: ws.id }));
    await must(ada.jar, "GET", `/api/project?workspaceId=${ws.id}`);
  }
  const [plt, mob, web] = projects;

  // Columns: three more on Platform, then the board's order changed (drag and drop).
  for (const name of ["Blocked", "QA", "Released"]) {
    await must(ada.jar, "POST", `/api/column/${plt.id}`, { name, isFinal: name === "Released" });
  }
  let cols = await must(ada.jar, "GET", `/api/column/${plt.id}`);
  for (let k = 0; k < 4; k++) {
    const order = [...cols].sort((a, b) => ((a.position * 5 + k * 3) % 7) - ((b.position * 5 + k * 3) % 7));
    await must(ada.jar, "PUT", `/api/column/reorder/${plt.id}`, {
      columns: order.map((c, i) => ({ id: c.id, position: i })),
    });
    cols = await must(ada.jar, "GET", `/api/column/${plt.id}`);
  }
  const pltStatuses = cols.map((c) => c.slug);
  const stdStatuses = ["to-do", "in-progress", "in-review", "done"];

  // Workspace labels.
  const labelNames = ["bug", "feature", "chore", "docs", "security", "performance", "ux", "backend"];
  const colors = ["#ef4444", "#22c55e", "#64748b", "#3b82f6", "#a855f7", "#f59e0b", "#ec4899", "#14b8a6"];
  const labels = [];
  for (let i = 0; i < labelNames.length; i++) {
    labels.push(await must(ada.jar, "POST", "/api/label", { name: labelNames[i], color: colors[i], workspaceId: ws.id }));
  }
  await must(ada.jar, "GET", `/api/label/workspace/${ws.id}`);

  // Tasks created one by one (the board's "new task" form), by several members.
  const tasks = { [plt.id]: [], [mob.id]: [], [web.id]: [] };
  let n = 0;
  async function create(project, statuses, count) {
    for (let i = 0; i < count; i++, n++) {
      const who = users[n % users.length];
      const body = {
        title: title(n),
        description: `Steps: open the ${words[n % words.length]} page and check the ${words[(n + 5) % words.length]} flow.`,
        priority: priorities[n % priorities.length],
        status: statuses[n % statuses.length],
      };
      if (n % 3 !== 0) body.userId = assignees[n % assignees.length];
      if (n % 4 === 0) body.dueDate = day(n);
      tasks[project.id].push(await must(who.jar, "POST", `/api/task/${project.id}`, body));
    }
  }
  await create(plt, pltStatuses, 160);
  await create(web, stdStatuses, 45);

  // Mobile's backlog imported from a file (the import dialog), in two batches.
  for (let b = 0; b < 2; b++) {
    const batch = [];
    for (let i = 0; i < 40; i++, n++) {
      batch.push({
        title: title(n),
        description: `Imported from the old tracker, item ${n}.`,
        status: stdStatuses[n % stdStatuses.length],
        priority: priorities[n % priorities.length],
        dueDate: n % 5 === 0 ? day(n) : null,
        userId: n % 2 === 0 ? assignees[n % assignees.length] : null,
      });
    }
    const r = await must(ada.jar, "POST", `/api/task/import/${mob.id}`, { tasks: batch });
    for (const t of r.results.tasks) if (t.success) tasks[mob.id].push(t.task);
  }

  // Labels put on tasks, one task at a time from its detail panel.
  const pltTasks = tasks[plt.id];
  for (let i = 0; i < 60; i++) {
    const t = pltTasks[(i * 7) % pltTasks.length];
    const l = labels[i % labels.length];
    await must(ada.jar, "PUT", `/api/label/${l.id}/task`, { taskId: t.id });
  }

  // Comments, time entries and relations.
  for (let i = 0; i < 40; i++) {
    const t = pltTasks[(i * 3) % pltTasks.length];
    const who = users[i % users.length];
    await must(who.jar, "POST", `/api/comment/${t.id}`, { content: `Looked at this: ${words[i % words.length]} is affected (${i}).` });
    if (i % 2 === 0) {
      await must(who.jar, "POST", `/api/time-entry`, {
        taskId: t.id,
        startTime: new Date(Date.UTC(2026, 10, 1 + (i % 20), 9)).toISOString(),
        endTime: new Date(Date.UTC(2026, 10, 1 + (i % 20), 11)).toISOString(),
        description: "work session",
      });
    }
  }
  for (let i = 0; i < 20; i++) {
    await must(ada.jar, "POST", "/api/task-relation", {
      sourceTaskId: pltTasks[i].id,
      targetTaskId: pltTasks[i + 20].id,
      relationType: ["subtask", "blocks", "related"][i % 3],
    });
  }

  // The board: every project loaded whole, as the board view does.
  for (const p of projects) {
    for (let k = 0; k < 3; k++) await must(users[k].jar, "GET", `/api/task/tasks/${p.id}`);
    await must(ada.jar, "GET", `/api/project/${p.id}?workspaceId=${ws.id}`);
    await must(ada.jar, "GET", `/api/column/${p.id}`);
    await must(ada.jar, "GET", `/api/workflow-rule/${p.id}`);
  }
  await must(ada.jar, "GET", `/api/project?workspaceId=${ws.id}`);

  // The list view: pages of 10, 25 and 50, to the last page, sorted and filtered.
  for (const [p, size] of [[plt, 10], [plt, 25], [mob, 10], [web, 50]]) {
    const total = tasks[p.id].length;
    for (let page = 1; page <= Math.ceil(total / size); page++) {
      await must(ada.jar, "GET", `/api/task/tasks/${p.id}?page=${page}&limit=${size}`);
    }
  }
  for (const sortBy of ["createdAt", "priority", "dueDate", "title", "number"]) {
    for (const sortOrder of ["asc", "desc"]) {
      for (const page of [1, 2, 6]) {
        await must(ada.jar, "GET", `/api/task/tasks/${plt.id}?page=${page}&limit=25&sortBy=${sortBy}&sortOrder=${sortOrder}`);
      }
    }
  }
  for (const s of pltStatuses) await must(ada.jar, "GET", `/api/task/tasks/${plt.id}?status=${s}&page=1&limit=25`);
  for (const pr of priorities) await must(ada.jar, "GET", `/api/task/tasks/${plt.id}?priority=${pr}&page=1&limit=25`);
  for (const a of assignees) await must(ada.jar, "GET", `/api/task/tasks/${plt.id}?assigneeId=${a}&page=1&limit=25`);
  await must(ada.jar, "GET", `/api/task/tasks/${plt.id}?dueAfter=2027-01-10&dueBefore=2027-02-20&page=1&limit=25`);

  // Task details: the panel loads the task, its activity, comments, labels, time, relations, links.
  for (let i = 0; i < 45; i++) {
    const t = pltTasks[(i * 11) % pltTasks.length];
    const who = users[i % users.length];
    await must(who.jar, "GET", `/api/task/${t.id}`);
    await must(who.jar, "GET", `/api/activity/${t.id}`);
    await must(who.jar, "GET", `/api/comment/${t.id}`);
    await must(who.jar, "GET", `/api/label/task/${t.id}`);
    await must(who.jar, "GET", `/api/time-entry/task/${t.id}`);
    await must(who.jar, "GET", `/api/task-relation/${t.id}`);
    await must(who.jar, "GET", `/api/external-link/task/${t.id}`);
  }

  // Edits from the detail panel (assignment is the owner's: members may not assign).
  for (let i = 0; i < 30; i++) {
    const t = pltTasks[(i * 13 + 5) % pltTasks.length];
    const who = users[i % users.length];
    await must(who.jar, "PUT", `/api/task/status/${t.id}`, { status: pltStatuses[(i + 1) % pltStatuses.length] });
    await must(who.jar, "PUT", `/api/task/priority/${t.id}`, { priority: priorities[(i + 2) % priorities.length] });
    await must(ada.jar, "PUT", `/api/task/assignee/${t.id}`, { userId: assignees[(i + 1) % assignees.length] });
    await must(who.jar, "PUT", `/api/task/due-date/${t.id}`, { dueDate: day(i + 40) });
    await must(who.jar, "PUT", `/api/task/title/${t.id}`, { title: `${t.title} (revised)` });
    await must(who.jar, "PUT", `/api/task/description/${t.id}`, { description: `Updated notes for ${t.title}.` });
  }
  for (let i = 0; i < 10; i++) {
    const t = tasks[web.id][i];
    await must(ada.jar, "PUT", `/api/task/${t.id}`, {
      title: `${t.title} v2`, description: "rewritten", priority: "high", status: "in-progress",
      projectId: web.id, position: i + 1, userId: assignees[(i + 2) % assignees.length],
    });
  }

  // Bulk edits from the list view's selection bar.
  const sel = (p, from, count) => tasks[p.id].slice(from, from + count).map((t) => t.id);
  await must(ada.jar, "PATCH", "/api/task/bulk", { taskIds: sel(plt, 0, 30), operation: "updateStatus", value: "in-review" });
  await must(ada.jar, "PATCH", "/api/task/bulk", { taskIds: sel(plt, 30, 30), operation: "updatePriority", value: "urgent" });
  await must(ada.jar, "PATCH", "/api/task/bulk", { taskIds: sel(plt, 60, 30), operation: "updateAssignee", value: members[0].id });
  await must(ada.jar, "PATCH", "/api/task/bulk", { taskIds: sel(mob, 0, 25), operation: "updateAssignee", value: members[1].id });
  await must(ada.jar, "PATCH", "/api/task/bulk", { taskIds: sel(plt, 90, 25), operation: "addLabel", value: labels[0].id });
  await must(ada.jar, "PATCH", "/api/task/bulk", { taskIds: sel(plt, 90, 25), operation: "removeLabel", value: labels[0].id });
  await must(ada.jar, "PATCH", "/api/task/bulk", { taskIds: sel(mob, 25, 20), operation: "updateDueDate", value: day(77) });
  await must(ada.jar, "PATCH", "/api/task/bulk", { taskIds: sel(mob, 45, 20), operation: "updateStatus", value: "done" });

  // Search, as typed in the command palette.
  for (const q of ["login", "bill", "export", "cache", "PLT-12", "MOB-3", "affected", "refactor", "webhook", "Wild",
    "Platform", "revised", "time", "avatar", "sync", "nothing-matches-this"]) {
    await must(ada.jar, "GET", `/api/search?q=${encodeURIComponent(q)}&workspaceId=${ws.id}`);
    await must(members[0].jar, "GET", `/api/search?q=${encodeURIComponent(q)}&type=tasks&workspaceId=${ws.id}&limit=10`);
  }

  // Notifications of each member.
  for (const u of users) {
    await must(u.jar, "GET", "/api/notification");
    await must(u.jar, "PATCH", "/api/notification/read-all");
    await must(u.jar, "GET", "/api/notification");
  }

  // Export of every project.
  for (const p of projects) await must(ada.jar, "GET", `/api/task/export/${p.id}`);

  // Moves between projects, deletes, label and project edits.
  for (let i = 0; i < 8; i++) {
    const t = tasks[web.id][20 + i];
    await must(ada.jar, "PUT", `/api/task/move/${t.id}`, { destinationProjectId: mob.id, destinationStatus: "to-do" });
  }
  for (let i = 0; i < 10; i++) {
    await must(ada.jar, "DELETE", `/api/task/${pltTasks[150 + i].id}`);
  }
  await must(ada.jar, "PATCH", "/api/task/bulk", { taskIds: sel(plt, 120, 15), operation: "delete" });
  await must(ada.jar, "PUT", `/api/label/${labels[7].id}`, { name: "server", color: "#0ea5e9" });
  await must(ada.jar, "DELETE", `/api/label/${labels[6].id}`);
  await must(ada.jar, "PUT", `/api/project/${web.id}`, { name: "Website 2027", icon: "Globe", slug: "WEB", description: "the new site", isPublic: false });
  await must(ada.jar, "PUT", `/api/project/${web.id}/archive`);
  await must(ada.jar, "GET", `/api/project?workspaceId=${ws.id}`);
  await must(ada.jar, "GET", `/api/project?workspaceId=${ws.id}&includeArchived=true`);
  await must(ada.jar, "PUT", `/api/project/${web.id}/unarchive`);

  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  for (const k of Object.keys(counts).sort()) console.log(String(counts[k]).padStart(5), k);
  console.log(`${total} requests`);
}

main().catch((e) => {
  for (const k of Object.keys(counts).sort()) console.log(String(counts[k]).padStart(5), k);
  console.error(e);
  process.exit(1);
});
