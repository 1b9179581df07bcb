#!/usr/bin/env python3
"""Workload for healthchecks (https://github.com/healthchecks/healthchecks): HTTP only.

Phase "signup": three people sign up through the sign-up form (sign-in links go by
e-mail, which is unconfigured; the operator then sets their passwords with manage.py).
Phase "main": they log in with passwords and use the app as its users do: projects,
API keys, ~120 checks through the API (tags, simple timeouts, cron and OnCalendar
schedules, time zones), pings (success, start, fail, exit codes, log, with bodies, by
UUID and by slug), the checks list with sorts, tag/status filters and searches, details,
event logs and filtered log events, ping details and bodies, badges, integrations,
project settings, team invitations, the API v1/v3 (list, get, create, update, pause,
resume, pings, bodies, flips, channels, badges, delete) and the web forms (name, tags,
timeout, cron, filtering rules, pause, resume, copy, transfer, remove, clear events).

All data is fake (example.org addresses, made-up job names). Phase "admin": the operator (alice, made staff and superuser with manage.py) browses
the Django admin's changelists (pages, searches, filters) and change forms.

Usage:
    drive.py signup [base_url]   # then, outside HTTP: manage.py sets the three passwords
    drive.py main [base_url]     # then, outside HTTP: manage.py makes alice staff
    drive.py admin [base_url]
"""
import random
import re
import sys
import time

import requests

BASE = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:18000"
PASSWORD = "correct-horse-battery-fake"
USERS = ["alice@example.org", "bob@example.org", "carol@example.org"]
rnd = random.Random(20261205)
N = 0


def count(r):
    global N
    N += 1
    return r


class Web:
    def __init__(self):
        self.s = requests.Session()

    def csrf(self):
        return self.s.cookies.get("csrftoken", "")

    def get(self, path, **kw):
        return count(self.s.get(BASE + path, allow_redirects=False, **kw))

    def post(self, path, data=None, **kw):
        data = dict(data or {})
        data["csrfmiddlewaretoken"] = self.csrf()
        headers = {"Referer": BASE + path, "X-CSRFToken": self.csrf()}
        return count(self.s.post(BASE + path, data=data, headers=headers,
                                 allow_redirects=False, **kw))

    def login(self, email):
        self.get("/accounts/login/")
        r = self.post("/accounts/login/", {"action": "login", "email": email,
                                            "password": PASSWORD})
        assert r.status_code == 302, (email, r.status_code)


class Api:
    def __init__(self, key, v=3):
        self.h = {"X-Api-Key": key}
        self.v = v

    def url(self, p):
        return f"{BASE}/api/v{self.v}/{p}"

    def get(self, p, **kw):
        return count(requests.get(self.url(p), headers=self.h, **kw))

    def post(self, p, js=None):
        return count(requests.post(self.url(p), headers=self.h, json=js or {}))

    def delete(self, p):
        return count(requests.delete(self.url(p), headers=self.h))


def signup():
    for email in USERS:
        s = requests.Session()
        tok = count(s.get(BASE + "/accounts/signup/csrf/")).text
        r = count(s.post(BASE + "/accounts/signup/",
                         data={"identity": email, "tz": "Europe/Riga",
                               "csrfmiddlewaretoken": tok},
                         headers={"Referer": BASE + "/", "X-CSRFToken": tok}))
        print("signup", email, r.status_code)


JOBS = ["backup-db", "nightly-etl", "invoice-run", "cache-warm", "log-rotate",
        "cert-renew", "report-mail", "sitemap", "search-index", "thumbs",
        "cleanup-tmp", "sync-ldap", "billing-sync", "feed-import", "metrics-rollup"]
HOSTS = ["web1", "web2", "db1", "worker1", "worker2", "batch"]
TAGS = ["prod", "staging", "db", "backup", "etl", "billing", "infra", "web", "nightly",
        "hourly", "critical"]
CRONS = ["*/5 * * * *", "0 * * * *", "15 2 * * *", "0 3 * * 1", "30 4 1 * *",
         "*/15 9-17 * * 1-5", "0 0 * * 0", "45 23 * * *"]
ONCAL = ["daily", "hourly", "Mon..Fri 09:00", "*-*-* 02:30:00", "weekly"]
TZS = ["UTC", "Europe/Riga", "America/New_York", "Asia/Tokyo", "Europe/Berlin"]


def check_spec(i):
    job = f"{JOBS[i % len(JOBS)]}-{HOSTS[i % len(HOSTS)]}-{i}"
    tags = " ".join(rnd.sample(TAGS, rnd.randint(1, 4)))
    spec = {"name": job.replace("-", " ").title(), "slug": job, "tags": tags,
            "desc": f"Fake job number {i}", "grace": rnd.choice([300, 900, 3600]),
            "channels": "*"}
    k = i % 3
    if k == 0:
        spec["timeout"] = rnd.choice([3600, 86400, 600])
    elif k == 1:
        spec["schedule"] = rnd.choice(CRONS)
        spec["tz"] = rnd.choice(TZS)
    else:
        spec["schedule"] = rnd.choice(ONCAL)
        spec["tz"] = rnd.choice(TZS)
    return spec


def ping(path, body=None, method="POST"):
    if body is None and method == "GET":
        return count(requests.get(BASE + path))
    return count(requests.post(BASE + path, data=body or b""))


def project_keys(web, code):
    keys = {}
    for kind, name in (("api_key", "rw"), ("api_key_readonly", "ro"), ("ping_key", "ping")):
        r = web.post(f"/projects/{code}/settings/", {"create_key": kind})
        assert r.status_code == 200, (kind, r.status_code)
        # the new key is shown once, in the page's modal
        keys[name] = re.search(r'class="form-control" value="([^"]+)" readonly', r.text).group(1)
    return keys


def main():
    alice = Web()
    alice.login(USERS[0])
    r = alice.get("/")
    assert r.status_code == 200, r.status_code
    p1 = re.search(r'/projects/([0-9a-f-]{36})/checks/', r.text).group(1)
    # two more projects
    codes = [p1]
    for name in ("Staging systems", "Data team"):
        r = alice.post("/projects/add/", {"name": name})
        codes.append(re.search(r"/projects/([0-9a-f-]{36})/checks/", r.headers["Location"]).group(1))
    alice.post(f"/projects/{p1}/settings/", {"set_project_name": "1", "name": "Production"})

    keys = {code: project_keys(alice, code) for code in codes}
    print("keys", {c[:8]: {k: bool(v) for k, v in d.items()} for c, d in keys.items()})

    # webhook integrations (to loopback, never called: alerts are sent by sendalerts,
    # which does not run here)
    for code in codes[:2]:
        for j in range(3):
            alice.get(f"/projects/{code}/add_webhook/")
            alice.post(f"/projects/{code}/add_webhook/", {
                "name": f"Hook {j}", "method_down": "POST", "url_down": f"http://127.0.0.1:9/down/{j}",
                "body_down": "$NAME is $STATUS", "method_up": "GET", "url_up": f"http://127.0.0.1:9/up/{j}"})

    # checks through the API
    sizes = {codes[0]: 60, codes[1]: 35, codes[2]: 25}
    checks = {code: [] for code in codes}
    i = 0
    for code in codes:
        api = Api(keys[code]["rw"])
        for _ in range(sizes[code]):
            r = api.post("checks/", check_spec(i))
            assert r.status_code == 201, (r.status_code, r.text)
            checks[code].append(r.json())
            i += 1
    # a few through the web form
    for j in range(5):
        alice.get(f"/projects/{codes[0]}/checks/")
        alice.post(f"/projects/{codes[0]}/checks/add/", {
            "name": f"Web added {j}", "slug": f"web-added-{j}", "tags": "web manual",
            "desc": "", "kind": "cron", "timeout": 3600, "schedule": "0 6 * * *",
            "tz": "UTC", "grace": 3600})
    r = Api(keys[codes[0]]["rw"]).get("checks/")
    checks[codes[0]] = r.json()["checks"]

    # pings
    for code in codes:
        for c in checks[code]:
            u = c["ping_url"].split("/ping/")[1]
            n = rnd.randint(2, 5)
            for _ in range(n):
                ping(f"/ping/{u}/start")
                ping(f"/ping/{u}", b"rows copied: 1200\nduration ok\n")
            if rnd.random() < 0.3:
                ping(f"/ping/{u}/fail", b"Traceback (most recent call last):\n  fake error\n")
            if rnd.random() < 0.2:
                ping(f"/ping/{u}/1", b"exit status 1")
            if rnd.random() < 0.2:
                ping(f"/ping/{u}/log", b"progress 50%")
    # one busy check with a long log
    busy = checks[codes[0]][0]["ping_url"].split("/ping/")[1]
    for k in range(120):
        ping(f"/ping/{busy}", f"run {k}\n".encode(), method="POST" if k % 2 else "GET")
        if k % 10 == 0:
            ping(f"/ping/{busy}/fail", b"failed run")
    # pings by slug
    pk = keys[codes[0]]["ping"]
    if pk:
        for c in checks[codes[0]][:20]:
            ping(f"/ping/{pk}/{c['slug']}", b"by slug")
            ping(f"/ping/{pk}/{c['slug']}/start")

    # the web: checks lists, sorts, filters, searches
    for code in codes:
        alice.get(f"/projects/{code}/checks/")
        for sort in ("name", "-name", "created", "-last_ping", "last_ping"):
            alice.get(f"/projects/{code}/checks/?sort={sort}")
        for tag in TAGS[:6]:
            alice.get(f"/projects/{code}/checks/?tag={tag}")
        alice.get(f"/projects/{code}/checks/?tag=prod&tag=db")
        alice.get(f"/projects/{code}/checks/?status=down&status=grace")
        alice.get(f"/projects/{code}/checks/?search=backup")
        alice.get(f"/projects/{code}/checks/?urls=slug")
        alice.get(f"/projects/{code}/checks/?urls=uuid")
        for _ in range(3):
            alice.get(f"/projects/{code}/checks/status/")
        alice.get(f"/projects/{code}/badges/")
        alice.get(f"/projects/{code}/integrations/")
        alice.get(f"/projects/{code}/settings/")
    for _ in range(4):
        alice.get("/")
        alice.get("/?refresh=1")
        alice.get("/projects/menu/")

    # details, logs, events
    for code in codes:
        for c in checks[code][:15]:
            u = c["ping_url"].split("/ping/")[1]
            alice.get(f"/checks/{u}/details/")
            alice.get(f"/checks/{u}/log/")
            alice.get(f"/checks/{u}/status/")
            alice.get(f"/checks/{u}/last_ping/")
            alice.get(f"/checks/{u}/pings/1/")
            alice.get(f"/checks/{u}/pings/2/body/")
            alice.get(f"/checks/{u}/log_events/?success=on&fail=on&start=on&flip=on")
    now = time.time()
    for q in ("success=on", "fail=on", "start=on&fail=on", "flip=on&notification=on",
              "success=on&fail=on&start=on&log=on&ign=on&notification=on&flip=on"):
        alice.get(f"/checks/{busy}/log_events/?{q}")
        alice.get(f"/checks/{busy}/log_events/?{q}&end={now - 5}")
        alice.get(f"/checks/{busy}/log_events/?{q}&u={now - 60}")
    for n in (1, 10, 50, 100, 140):
        alice.get(f"/checks/{busy}/pings/{n}/")
        alice.get(f"/checks/{busy}/pings/{n}/body/")

    # web edits
    for c in checks[codes[0]][5:20]:
        u = c["ping_url"].split("/ping/")[1]
        alice.post(f"/checks/{u}/name/", {"name": c["name"] + " (edited)",
                                           "slug": c["slug"] + "-e",
                                           "tags": c["tags"] + " edited", "desc": "edited"})
        alice.post(f"/checks/{u}/timeout/", {"kind": "simple", "timeout": 7200, "grace": 600})
        alice.post(f"/checks/{u}/filtering_rules/", {"filter_subject": "on", "start_kw": "",
                                                     "success_kw": "OK", "failure_kw": "ERROR",
                                                     "methods": ""})
    for c in checks[codes[0]][20:25]:
        u = c["ping_url"].split("/ping/")[1]
        alice.post(f"/checks/{u}/timeout/", {"kind": "cron", "schedule": "0 5 * * *",
                                              "tz": "Europe/Riga", "grace": 900})
        alice.post(f"/checks/{u}/pause/")
        alice.get(f"/checks/{u}/details/")
        alice.post(f"/checks/{u}/resume/")
    for expr in ("*/10 * * * *", "0 9 * * 1-5", "bogus"):
        alice.post("/checks/cron_preview/", {"schedule": expr, "tz": "UTC"})
    alice.post("/checks/oncalendar_preview/", {"schedule": "Mon..Fri 09:00", "tz": "UTC"})
    for c in checks[codes[0]][25:28]:
        u = c["ping_url"].split("/ping/")[1]
        alice.post(f"/checks/{u}/copy/")
    for c in checks[codes[0]][28:31]:
        u = c["ping_url"].split("/ping/")[1]
        alice.get(f"/checks/{u}/transfer/")
        alice.post(f"/checks/{u}/transfer/", {"project": codes[1]})
    for c in checks[codes[0]][31:33]:
        u = c["ping_url"].split("/ping/")[1]
        alice.post(f"/checks/{u}/clear_events/")
    for c in checks[codes[2]][20:23]:
        u = c["ping_url"].split("/ping/")[1]
        alice.post(f"/checks/{u}/remove/")

    # integrations: per-channel check assignment page, renames
    r = alice.get(f"/projects/{codes[0]}/integrations/")
    chans = sorted(set(re.findall(r"/integrations/([0-9a-f-]{36})/checks/", r.text)))
    for ch in chans:
        alice.get(f"/integrations/{ch}/checks/")
        alice.post(f"/integrations/{ch}/name/", {"name": "renamed hook"})
    for c in checks[codes[0]][:10]:
        u = c["ping_url"].split("/ping/")[1]
        if chans:
            alice.post(f"/checks/{u}/channels/{chans[0]}/enabled", {"state": "off"})

    # badges: every badge URL on the badges page, as a README would load them
    r = alice.get(f"/projects/{codes[0]}/badges/")
    for b in sorted(set(re.findall(r'/badge/[^"\']+?\.(?:svg|json|shields)', r.text)))[:40]:
        count(requests.get(BASE + b))
    for c in checks[codes[0]][:10]:
        count(requests.get(c["badge_url"]))

    # team: invite bob and carol to Production
    for email in USERS[1:]:
        alice.post(f"/projects/{codes[0]}/settings/", {"invite_team_member": "1",
                                                      "email": email, "role": "w"})
    alice.get(f"/projects/{codes[0]}/settings/")

    # the API, v1 and v3, read-write and read-only
    for code in codes:
        for v in (1, 3):
            api = Api(keys[code]["rw"], v)
            api.get("checks/")
            api.get("checks/", params={"tag": "prod"})
            api.get("checks/", params=[("tag", "prod"), ("tag", "db")])
            api.get("channels/")
            api.get("badges/")
        ro = Api(keys[code]["ro"])
        r = ro.get("checks/")
        for c in r.json()["checks"][:8]:
            ro.get(f"checks/{c['unique_key']}")
            ro.get(f"checks/{c['unique_key']}/flips/")
    api = Api(keys[codes[0]]["rw"])
    for c in checks[codes[0]][:25]:
        u = c["ping_url"].split("/ping/")[1]
        api.get(f"checks/{u}")
        api.get(f"checks/{u}/pings/")
        api.get(f"checks/{u}/flips/")
        api.get(f"checks/{u}/pings/1/body")
    api.get(f"checks/{busy}/pings/")
    api.get(f"checks/{busy}/flips/", params={"seconds": 3600})
    for c in checks[codes[0]][33:45]:
        u = c["ping_url"].split("/ping/")[1]
        api.post(f"checks/{u}", {"tags": "prod updated", "grace": 1200, "desc": "updated"})
        api.post(f"checks/{u}/pause")
        api.post(f"checks/{u}/resume")
    # upsert by name (unique)
    for j in range(8):
        api.post("checks/", {"name": f"Upsert job {j}", "unique": ["name"], "timeout": 3600,
                             "tags": "upsert"})
        api.post("checks/", {"name": f"Upsert job {j}", "unique": ["name"], "timeout": 7200,
                             "tags": "upsert again"})
    for c in checks[codes[0]][45:50]:
        u = c["ping_url"].split("/ping/")[1]
        api.delete(f"checks/{u}")

    # bob and carol: the shared project
    for email in USERS[1:]:
        w = Web()
        w.login(email)
        w.get("/")
        w.get("/projects/menu/")
        w.get(f"/projects/{codes[0]}/checks/")
        w.get(f"/projects/{codes[0]}/checks/?sort=name&tag=prod")
        w.get(f"/projects/{codes[0]}/checks/status/")
        for c in checks[codes[0]][:5]:
            u = c["ping_url"].split("/ping/")[1]
            w.get(f"/checks/{u}/details/")
            w.get(f"/checks/{u}/log/")
        w.get("/accounts/profile/")
        w.get("/accounts/profile/notifications/")
    alice.get("/accounts/profile/")
    alice.get("/accounts/profile/notifications/")
    alice.get("/accounts/profile/appearance/")
    # remove carol from the team
    alice.post(f"/projects/{codes[0]}/settings/", {"remove_team_member": "1",
                                                  "email": USERS[2]})
    for code in codes:
        alice.get(f"/projects/{code}/checks/")
    print("requests", N)


def admin():
    """The Django admin, as the site's operator (alice, made staff with manage.py)."""
    w = Web()
    w.login(USERS[0])
    w.get("/admin/")
    for model in ("api/check", "api/ping", "api/channel", "api/flip", "api/notification",
                  "accounts/profile", "accounts/project", "auth/user", "accounts/credential",
                  "logs/record"):
        w.get(f"/admin/{model}/")
    for p in (2,):
        w.get(f"/admin/api/check/?p={p}")
    w.get("/admin/api/check/?q=backup")
    w.get("/admin/api/check/?kind__exact=cron")
    w.get("/admin/api/check/?status__exact=down")
    for p in (2, 3, 5, 7, 9):
        w.get(f"/admin/api/ping/?p={p}")
    w.get("/admin/api/ping/?scheme=http")
    w.get("/admin/api/ping/?method=POST&p=4")
    w.get("/admin/api/flip/?p=2")
    r = w.get("/admin/api/check/")
    ids = sorted(set(re.findall(r'/admin/api/check/(\d+)/change/', r.text)))[:6]
    for i in ids:
        w.get(f"/admin/api/check/{i}/change/")
    r = w.get("/admin/accounts/project/")
    for i in sorted(set(re.findall(r'/admin/accounts/project/(\d+)/change/', r.text)))[:3]:
        w.get(f"/admin/accounts/project/{i}/change/")
    r = w.get("/admin/accounts/profile/")
    for i in sorted(set(re.findall(r'/admin/accounts/profile/(\d+)/change/', r.text)))[:3]:
        w.get(f"/admin/accounts/profile/{i}/change/")
    print("requests", N)


if __name__ == "__main__":
    {"signup": signup, "main": main, "admin": admin}[sys.argv[1]]()
