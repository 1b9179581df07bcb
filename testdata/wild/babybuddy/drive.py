#!/usr/bin/env python3
"""Workload for Baby Buddy: HTTP calls against the running app only.

Usage: drive.py BASE_URL [USERNAME PASSWORD]   (the app's default admin is admin/admin)

Creates tags, children and ~1,600 entries through the REST API (1,150 feedings so the
feeding lists page past offset 1,000), then reads every API list (default page, small
pages, deep offsets, filters), details, updates and deletes, and walks the web UI: the
dashboards, every list page (first, second and deep pages), the add/update/delete forms,
timeline, every report of every child, tags, timers, users, settings and the Django admin.
Standard library only.
"""
import datetime as dt
import http.cookiejar
import json
import random
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:38080"
USER = sys.argv[2] if len(sys.argv) > 2 else "admin"
PASSWORD = sys.argv[3] if len(sys.argv) > 3 else "admin"
rng = random.Random(17)
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
stats = {"requests": 0, "errors": 0}


class Client:
    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.token = None

    def call(self, method, path, body=None, form=None, expect=None):
        url = BASE + path
        headers = {"Referer": BASE + "/"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.token and path.startswith("/api/"):
            headers["Authorization"] = "Token " + self.token
        csrf = self.cookie("csrftoken")
        if csrf and method != "GET":
            headers["X-CSRFToken"] = csrf
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        stats["requests"] += 1
        try:
            with self.opener.open(req, timeout=60) as r:
                status, text = r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode("utf-8", "replace")
        if status >= 400 and status != expect:
            stats["errors"] += 1
            print(f"{method} {path} -> {status}: {text[:200]}", file=sys.stderr)
        return status, text

    def cookie(self, name):
        for c in self.jar:
            if c.name == name:
                return c.value
        return None

    def get(self, path):
        return self.call("GET", path)

    def api(self, method, path, body=None):
        status, text = self.call(method, path, body=body)
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, None

    def form_token(self, path):
        status, text = self.get(path)
        m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        return m.group(1) if m else self.cookie("csrftoken")

    def submit(self, path, fields, get_path=None):
        token = self.form_token(get_path or path)
        form = dict(fields)
        form["csrfmiddlewaretoken"] = token
        return self.call("POST", path, form=form)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S") + "Z"


def local(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S")


def some_tags(names, k=None):
    k = rng.randint(0, 3) if k is None else k
    return rng.sample(names, k)


def main():
    c = Client()
    token = c.form_token("/login/")
    c.call("POST", "/login/", form={"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token})
    _, profile = c.api("GET", "/api/profile")
    c.token = profile["api_key"]

    # --- writes through the API -------------------------------------------------
    tag_names = ["night", "fussy", "growth-spurt", "daycare", "grandma", "teething",
                 "travel", "sick", "vitamin-d", "new-bottle", "outside", "happy"]
    for i, name in enumerate(tag_names):
        c.api("POST", "/api/tags/", {"name": name, "color": "#%06x" % rng.randint(0, 0xFFFFFF)})
    children = []
    for first, last, days in [("Ada", "Lovelace", 300), ("Grace", "Hopper", 240), ("Alan", "Turing", 200)]:
        _, ch = c.api("POST", "/api/children/", {"first_name": first, "last_name": last,
                                                 "birth_date": str((NOW - dt.timedelta(days=days)).date())})
        children.append(ch)
    ids = [ch["id"] for ch in children]
    slugs = [ch["slug"] for ch in children]

    # 1,150 feedings: slot i every 2 hours back in time, children in turn (no overlap per child)
    types = [("breast milk", "left breast"), ("breast milk", "right breast"), ("formula", "bottle"),
             ("fortified breast milk", "bottle"), ("solid food", "parent fed")]
    for i in range(1150):
        start = NOW - dt.timedelta(hours=2 * (i + 1))
        ty, me = types[i % len(types)]
        body = {"child": ids[i % 3], "start": iso(start), "end": iso(start + dt.timedelta(minutes=25)),
                "type": ty, "method": me, "tags": some_tags(tag_names)}
        if me == "bottle":
            body["amount"] = rng.randint(60, 180)
        c.api("POST", "/api/feedings/", body)

    def timed(path, n, minutes, extra, step_hours=5, offset_minutes=0):
        for i in range(n):
            start = NOW - dt.timedelta(hours=step_hours * (i + 1), minutes=offset_minutes)
            body = {"child": ids[i % 3], "start": iso(start),
                    "end": iso(start + dt.timedelta(minutes=minutes)), "tags": some_tags(tag_names)}
            body.update(extra(i))
            c.api("POST", path, body)

    timed("/api/sleep/", 60, 90, lambda i: {"nap": i % 2 == 0, "notes": "sleep %d" % i}, offset_minutes=30)
    timed("/api/tummy-times/", 40, 10, lambda i: {"milestone": "rolled over" if i % 7 == 0 else ""}, offset_minutes=150)
    timed("/api/pumping/", 40, 15, lambda i: {"amount": 50 + i}, offset_minutes=200)
    for i in range(60):
        c.api("POST", "/api/changes/", {"child": ids[i % 3], "time": iso(NOW - dt.timedelta(hours=3 * i + 1)),
                                        "wet": i % 2 == 0, "solid": i % 3 == 0, "color": ["black", "brown", "green", "yellow"][i % 4],
                                        "tags": some_tags(tag_names)})
    for i in range(40):
        c.api("POST", "/api/notes/", {"child": ids[i % 3], "note": "note number %d" % i,
                                      "time": iso(NOW - dt.timedelta(hours=7 * i + 2)), "tags": some_tags(tag_names)})
        c.api("POST", "/api/temperature/", {"child": ids[i % 3], "temperature": 36.5 + (i % 10) / 10,
                                            "time": iso(NOW - dt.timedelta(hours=9 * i + 3)), "tags": some_tags(tag_names)})
    for i in range(30):
        c.api("POST", "/api/medication/", {"child": ids[i % 3], "name": ["Vitamin D", "Paracetamol", "Ibuprofen"][i % 3],
                                           "dosage": 2.5, "dosage_unit": "ml", "time": iso(NOW - dt.timedelta(hours=11 * i + 4)),
                                           "next_dose_interval": "06:00:00", "tags": some_tags(tag_names)})
    for i in range(21):
        day = str((NOW - dt.timedelta(days=7 * (i // 3) + 1)).date())
        child = ids[i % 3]
        c.api("POST", "/api/weight/", {"child": child, "weight": 4 + i * 0.2, "date": day, "tags": some_tags(tag_names)})
        c.api("POST", "/api/height/", {"child": child, "height": 50 + i, "date": day, "tags": some_tags(tag_names)})
        c.api("POST", "/api/head-circumference/", {"child": child, "head_circumference": 35 + i * 0.3, "date": day,
                                                   "tags": some_tags(tag_names)})
        c.api("POST", "/api/bmi/", {"child": child, "bmi": 14 + i * 0.1, "date": day, "tags": some_tags(tag_names)})
    timers = []
    for i in range(6):
        _, t = c.api("POST", "/api/timers/", {"child": ids[i % 3], "name": "timer %d" % i,
                                              "start": iso(NOW - dt.timedelta(minutes=20 + i))})
        timers.append(t["id"])

    # --- reads through the API --------------------------------------------------
    lists = ["bmi", "changes", "children", "feedings", "head-circumference", "height", "medication",
             "notes", "pumping", "sleep", "tags", "temperature", "timers", "tummy-times", "weight"]
    c.api("GET", "/api/")
    for rep in range(2):
        for name in lists:
            c.api("GET", "/api/%s/" % name)
            c.api("GET", "/api/%s/?limit=20&offset=20" % name)
            c.api("GET", "/api/%s/?child=%d" % (name, ids[rep]) if name not in ("children", "tags") else "/api/%s/?limit=5" % name)
    for off in (0, 500, 1000, 1050, 1100):
        c.api("GET", "/api/feedings/?limit=25&offset=%d" % off)
    c.api("GET", "/api/feedings/?limit=50&offset=1000&ordering=start")
    c.api("GET", "/api/feedings/?type=formula&limit=30")
    c.api("GET", "/api/feedings/?tags=night&limit=30")
    c.api("GET", "/api/sleep/?tags=fussy")
    c.api("GET", "/api/changes/?wet=true&child=%d" % ids[0])
    c.api("GET", "/api/medication/?name=Vitamin%20D")
    c.api("GET", "/api/timers/?active=true")
    _, feedings = c.api("GET", "/api/feedings/?limit=10")
    fids = [f["id"] for f in feedings["results"]]
    for fid in fids[:4]:
        c.api("GET", "/api/feedings/%d/" % fid)
    c.api("PATCH", "/api/feedings/%d/" % fids[0], {"notes": "patched", "tags": ["happy", "night"]})
    c.api("PATCH", "/api/feedings/%d/" % fids[1], {"amount": 99})
    c.api("PATCH", "/api/children/%s/" % slugs[2], {"last_name": "Turing"})
    c.api("GET", "/api/children/%s/" % slugs[0])
    c.api("GET", "/api/tags/night/")
    c.api("PATCH", "/api/tags/happy/", {"color": "#00ff00"})
    c.api("GET", "/api/timers/%d/" % timers[0])
    c.api("PATCH", "/api/timers/%d/" % timers[0], {"name": "renamed"})
    # a sleep from a running timer (the API stops it)
    c.api("POST", "/api/sleep/", {"timer": timers[5], "nap": True})
    c.api("DELETE", "/api/feedings/%d/" % fids[9])
    c.api("DELETE", "/api/timers/%d/" % timers[4])
    c.api("GET", "/api/profile")
    c.api("OPTIONS", "/api/feedings/")

    # --- the web UI (session) ---------------------------------------------------
    web_lists = ["bmi", "children", "changes", "feedings", "head-circumference", "height", "medication",
                 "notes", "pumping", "sleep", "temperature", "tags", "timers", "tummy-time", "weight"]
    paged_lists = {"changes", "feedings", "medication", "notes", "pumping", "sleep", "temperature", "tummy-time"}
    for rep in range(2):
        c.get("/dashboard/")
        for s in slugs:
            c.get("/children/%s/dashboard/" % s)
        for name in web_lists:
            c.get("/%s/" % name)
            if name in paged_lists:
                c.get("/%s/?page=2" % name)
    for page in (20, 40, 45, 46):
        c.get("/feedings/?page=%d" % page)
    c.get("/feedings/?child=%s" % slugs[1])
    c.get("/feedings/?tags=night")
    c.get("/sleep/?child=%s&page=2" % slugs[0])
    for s in slugs:
        c.get("/children/%s/" % s)
    c.get("/children/%s/?date=%s" % (slugs[0], str((NOW - dt.timedelta(days=2)).date())))
    c.get("/timeline/")
    c.get("/timeline/?date=%s" % str((NOW - dt.timedelta(days=1)).date()))
    for s in slugs:
        c.get("/children/%s/reports" % s)
        for r in ["bmi/bmi", "changes/amounts", "changes/lifetimes", "changes/types", "changes/intervals",
                  "feeding/amounts", "head-circumference/head-circumference", "height/height", "height/boy",
                  "height/girl", "feeding/duration", "pumping/amounts", "feeding/intervals", "feeding/pattern",
                  "sleep/pattern", "sleep/totals", "temperature/temperature", "tummy-time/duration",
                  "weight/weight", "weight/boy", "weight/girl", "medication/frequency", "medication/intervals"]:
            c.get("/children/%s/reports/%s/" % (s, r))
    c.get("/tags/night/")
    c.get("/tags/add/")
    c.submit("/tags/add/", {"name": "web-tag", "color": "#123456"})
    c.submit("/tags/web-tag/edit", {"name": "web-tag", "color": "#654321"})
    c.submit("/tags/web-tag/delete/", {})
    for t in timers[:2]:
        c.get("/timers/%d/" % t)
    c.submit("/timers/add/", {"name": "web timer", "child": ids[0], "start": local(NOW - dt.timedelta(minutes=5))})
    c.call("POST", "/timers/add/quick/", form={"csrfmiddlewaretoken": c.cookie("csrftoken")})
    c.submit("/timers/%d/restart/" % timers[1], {}, get_path="/timers/%d/" % timers[1])
    c.submit("/timers/%d/delete/" % timers[3], {})

    # add forms (GET then POST)
    t0 = NOW - dt.timedelta(days=200)
    c.submit("/feedings/add/", {"child": ids[0], "start": local(t0), "end": local(t0 + dt.timedelta(minutes=20)),
                                "type": "formula", "method": "bottle", "amount": 120, "tags": "night,fussy"})
    c.get("/feedings/bottle/add/")
    c.submit("/feedings/add/?timer=%d" % timers[2], {"child": ids[2], "start": local(t0 + dt.timedelta(hours=1)),
                                                      "end": local(t0 + dt.timedelta(hours=1, minutes=10)),
                                                      "type": "breast milk", "method": "left breast"})
    c.submit("/sleep/add/", {"child": ids[1], "start": local(t0), "end": local(t0 + dt.timedelta(hours=2)), "nap": "on",
                             "tags": "night"})
    c.submit("/changes/add/", {"child": ids[0], "time": local(t0), "wet": "on", "color": "yellow", "tags": "daycare"})
    c.submit("/tummy-time/add/", {"child": ids[0], "start": local(t0), "end": local(t0 + dt.timedelta(minutes=5))})
    c.submit("/notes/add/", {"child": ids[1], "note": "from the web form", "time": local(t0), "tags": "happy,outside"})
    c.submit("/temperature/add/", {"child": ids[2], "temperature": 37.1, "time": local(t0)})
    c.submit("/weight/add/", {"child": ids[0], "weight": 5.5, "date": str(t0.date())})
    c.submit("/height/add/", {"child": ids[0], "height": 60, "date": str(t0.date())})
    c.submit("/head-circumference/add/", {"child": ids[0], "head_circumference": 40, "date": str(t0.date())})
    c.submit("/bmi/add/", {"child": ids[0], "bmi": 15.2, "date": str(t0.date())})
    c.submit("/pumping/add/", {"child": ids[1], "amount": 80, "start": local(t0), "end": local(t0 + dt.timedelta(minutes=15))})
    c.submit("/medication/add/", {"child": ids[2], "name": "Vitamin D", "dosage": 1, "dosage_unit": "drops",
                                  "time": local(t0), "next_dose_interval": 24})
    c.submit("/children/add/", {"first_name": "Web", "last_name": "Child",
                                "birth_date": str((NOW - dt.timedelta(days=30)).date())})
    # update and delete forms on existing rows
    _, fl = c.api("GET", "/api/feedings/?limit=3&offset=40")
    for f in fl["results"][:2]:
        c.get("/feedings/%d/" % f["id"])
    f = fl["results"][0]
    c.submit("/feedings/%d/" % f["id"], {"child": f["child"], "start": local(dt.datetime.fromisoformat(f["start"])),
                                         "end": local(dt.datetime.fromisoformat(f["end"])), "type": "formula",
                                         "method": "bottle", "amount": 111, "tags": "night,teething"})
    c.submit("/feedings/%d/delete/" % fl["results"][2]["id"], {})
    for name, api_name in [("sleep", "sleep"), ("changes", "changes"), ("notes", "notes"), ("temperature", "temperature"),
                           ("weight", "weight"), ("tummy-time", "tummy-times"), ("pumping", "pumping"),
                           ("medication", "medication"), ("height", "height"), ("bmi", "bmi"),
                           ("head-circumference", "head-circumference")]:
        _, rows = c.api("GET", "/api/%s/?limit=2&offset=5" % api_name)
        c.get("/%s/%d/" % (name, rows["results"][0]["id"]))
        c.submit("/%s/%d/delete/" % (name, rows["results"][1]["id"]), {})
    c.get("/children/%s/edit/" % slugs[1])
    c.get("/children/web-child/delete/")

    # users, settings, admin
    c.get("/users/")
    for i in range(3):
        c.submit("/users/add/", {"username": "carer%d" % i, "first_name": "Carer", "last_name": str(i),
                                 "email": "carer%d@example.invalid" % i, "password1": "a-long-passw0rd-%d" % i,
                                 "password2": "a-long-passw0rd-%d" % i, "is_staff": "", "is_read_only": ""})
    c.get("/users/")
    c.get("/users/2/edit/")
    c.get("/user/settings/")
    c.get("/user/password/")
    c.get("/user/add-device/")
    c.get("/settings/")
    c.get("/welcome/")
    for path in ["/admin/", "/admin/core/feeding/", "/admin/core/feeding/?p=10", "/admin/core/sleep/",
                 "/admin/core/diaperchange/", "/admin/core/note/", "/admin/core/timer/", "/admin/core/tag/",
                 "/admin/core/child/", "/admin/auth/user/", "/admin/core/medication/"]:
        c.get(path)
    c.get("/admin/core/feeding/%d/change/" % fids[2])
    c.call("POST", "/logout/", form={"csrfmiddlewaretoken": c.cookie("csrftoken")})
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
