#!/usr/bin/env python3
"""Workload for CTFd (teams mode): HTTP calls against the running app only.

Usage: drive.py BASE_URL

Runs the setup wizard (admin account, teams mode), creates through the REST API as the
admin 30 challenges with flags, hints, tags and topics, 1,150 users (the user lists page
past offset 1,000), 60 teams of four, awards, notifications and a page; then 48 team
members log in, open the challenge board and submit wrong and right flags, unlock hints
and read the scoreboard; then every public page, every API list (first, next and deep
pages), details, the statistics endpoints and the admin panel are read. Standard library only.
"""
import http.cookiejar
import json
import random
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:38081"
rng = random.Random(17)
stats = {"requests": 0, "errors": 0}
PASSWORD = "a-long-passw0rd"


class Client:
    def __init__(self, token=None):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.token = token
        self.nonce = None

    def call(self, method, path, body=None, form=None, expect=()):
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.token:
            headers["Authorization"] = "Token " + self.token
        if self.nonce and method != "GET":
            headers["CSRF-Token"] = self.nonce
        req = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
        stats["requests"] += 1
        try:
            with self.opener.open(req, timeout=120) as r:
                status, text = r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode("utf-8", "replace")
        if status >= 400 and status not in expect:
            stats["errors"] += 1
            print(f"{method} {path} -> {status}: {text[:160]!r}", file=sys.stderr)
        m = re.search(r"'csrfNonce': \"([0-9a-f]+)\"", text)
        if m:
            self.nonce = m.group(1)
        return status, text

    def get(self, path, expect=()):
        return self.call("GET", path, expect=expect)

    def api(self, method, path, body=None, expect=()):
        status, text = self.call(method, path, body=body, expect=expect)
        try:
            return status, json.loads(text)
        except ValueError:
            return status, None

    def form_nonce(self, path):
        _, text = self.get(path)
        m = re.search(r'name="nonce"[^>]*value="([^"]+)"', text) or re.search(r'value="([^"]+)"[^>]*name="nonce"', text)
        return m.group(1)

    logins = 0

    def login(self, name, password):
        # The app allows 10 login POSTs per address while they come less than 5 seconds apart.
        Client.logins += 1
        time.sleep(6 if Client.logins % 8 == 0 else 0.2)
        nonce = self.form_nonce("/login")
        self.call("POST", "/login", form={"name": name, "password": password, "nonce": nonce})


def main():
    admin = Client()
    nonce = admin.form_nonce("/setup")
    admin.call("POST", "/setup", form={
        "ctf_name": "Wild CTF", "ctf_description": "a local CTF", "user_mode": "teams",
        "challenge_visibility": "private", "account_visibility": "public", "score_visibility": "public",
        "registration_visibility": "public", "team_size": "4", "ctf_theme": "core",
        "name": "admin", "email": "admin@example.invalid", "password": PASSWORD, "nonce": nonce})
    admin.get("/challenges")  # a page of the theme, for the session's CSRF nonce
    _, tok = admin.api("POST", "/api/v1/tokens", {"description": "workload"})
    api = Client(tok["data"]["value"])

    # --- content ----------------------------------------------------------------
    categories = ["web", "crypto", "pwn", "forensics", "reversing", "misc"]
    challenges = []
    for i in range(30):
        body = {"name": "challenge %02d" % i, "category": categories[i % 6],
                "description": "Find the flag of challenge %d." % i, "value": 100 + 50 * (i % 5),
                "state": "visible", "type": "standard"}
        if i >= 28:
            body.update({"type": "dynamic", "initial": 500, "minimum": 100, "decay": 20, "function": "logarithmic"})
            del body["value"]
        _, r = api.api("POST", "/api/v1/challenges", body)
        cid = r["data"]["id"]
        challenges.append(cid)
        api.api("POST", "/api/v1/flags", {"challenge": cid, "content": "flag{%d}" % i, "type": "static"})
        for h in range(1 + i % 2):
            api.api("POST", "/api/v1/hints", {"challenge": cid, "content": "hint %d of %d" % (h, i), "cost": 10 * h})
        for t in rng.sample(["easy", "medium", "hard", "beginner", "classic", "math"], 2):
            api.api("POST", "/api/v1/tags", {"challenge": cid, "value": t})
        api.api("POST", "/api/v1/topics", {"challenge": cid, "value": categories[(i + 1) % 6] + " basics", "type": "challenge"})
    # a prerequisite: challenge 29 needs 0 and 1
    api.api("PATCH", "/api/v1/challenges/%d" % challenges[29], {"requirements": {"prerequisites": challenges[:2]}})

    users = []
    for i in range(1150):
        _, r = api.api("POST", "/api/v1/users", {"name": "player%04d" % i, "email": "player%04d@example.invalid" % i,
                                                 "password": PASSWORD})
        users.append(r["data"]["id"])
    teams = []
    for t in range(60):
        _, r = api.api("POST", "/api/v1/teams", {"name": "team %02d" % t, "email": "team%02d@example.invalid" % t,
                                                 "password": PASSWORD})
        tid = r["data"]["id"]
        teams.append(tid)
        for k in range(4):
            api.api("POST", "/api/v1/teams/%d/members" % tid, {"user_id": users[4 * t + k]})
    for t in range(0, 60, 6):
        api.api("POST", "/api/v1/awards", {"user_id": users[4 * t], "team_id": teams[t], "name": "first blood",
                                           "value": 25, "category": "bonus", "description": "bonus"})
    for n in range(3):
        api.api("POST", "/api/v1/notifications", {"title": "notice %d" % n, "content": "the CTF is running"})
    api.api("POST", "/api/v1/pages", {"title": "Rules", "route": "rules", "content": "Be nice.", "format": "markdown"})
    api.api("POST", "/api/v1/comments", {"content": "needs a second flag", "type": "challenge",
                                         "challenge_id": challenges[3]})

    # --- players ------------------------------------------------------------------
    for p in range(48):
        c = Client()
        c.login("player%04d" % p, PASSWORD)
        c.get("/challenges")
        c.api("GET", "/api/v1/challenges")
        todo = rng.sample(challenges[:28], 8)
        for cid in todo:
            c.api("GET", "/api/v1/challenges/%d" % cid)
            if rng.random() < 0.2:  # a team may send 10 wrong flags a minute
                c.api("POST", "/api/v1/challenges/attempt", {"challenge_id": cid, "submission": "flag{wrong}"})
            right = challenges.index(cid)
            if rng.random() < 0.75:
                c.api("POST", "/api/v1/challenges/attempt", {"challenge_id": cid, "submission": "flag{%d}" % right})
        if p % 4 == 0:
            _, hs = c.api("GET", "/api/v1/challenges/%d/hints" % challenges[1])
            for h in (hs or {}).get("data", [])[:1]:
                c.api("POST", "/api/v1/unlocks", {"target": h["id"], "type": "hints"}, expect=(400, 403))
        if p % 6 == 0:
            c.api("GET", "/api/v1/challenges/%d/solves" % todo[0])
            c.api("GET", "/api/v1/users/me")
            c.api("GET", "/api/v1/users/me/solves")
            c.api("GET", "/api/v1/users/me/fails")
            c.api("GET", "/api/v1/teams/me")
            c.api("GET", "/api/v1/teams/me/solves")
            c.api("GET", "/api/v1/teams/me/awards")
            c.get("/team")
            c.get("/user")
            c.get("/settings")
            c.get("/notifications")
            c.api("GET", "/api/v1/notifications")
            c.get("/scoreboard")
            c.api("GET", "/api/v1/scoreboard")
            c.api("GET", "/api/v1/scoreboard/top/10")
        if p == 47:
            c.call("GET", "/logout")

    # --- public pages and API reads (a logged-in player) ---------------------------
    reader = Client()
    reader.login("player0001", PASSWORD)
    for rep in range(2):
        for path in ["/", "/challenges", "/scoreboard", "/teams", "/users", "/notifications", "/rules",
                     "/teams?page=2", "/users?page=2", "/users?page=23"]:
            reader.get(path)
        for path in ["/api/v1/challenges", "/api/v1/scoreboard", "/api/v1/scoreboard/top/10", "/api/v1/teams",
                     "/api/v1/users", "/api/v1/users?page=2", "/api/v1/users?page=22", "/api/v1/users?page=23",
                     "/api/v1/teams?page=2", "/api/v1/notifications", "/api/v1/challenges/types"]:
            reader.api("GET", path)
    for t in teams[:6]:
        reader.get("/teams/%d" % t)
        reader.api("GET", "/api/v1/teams/%d" % t)
        reader.api("GET", "/api/v1/teams/%d/solves" % t)
        reader.api("GET", "/api/v1/teams/%d/fails" % t)
        reader.api("GET", "/api/v1/teams/%d/awards" % t)
    for u in users[:6] + users[1100:1102]:
        reader.get("/users/%d" % u)
        reader.api("GET", "/api/v1/users/%d" % u)
        reader.api("GET", "/api/v1/users/%d/solves" % u)
        reader.api("GET", "/api/v1/users/%d/awards" % u)
    for cid in challenges[:4]:
        reader.api("GET", "/api/v1/challenges/%d/solves" % cid)
    reader.api("GET", "/api/v1/users?field=name&q=player00")
    reader.api("GET", "/api/v1/teams?field=name&q=team%200")

    # --- admin API reads and writes --------------------------------------------------
    for path in ["/api/v1/challenges?view=admin", "/api/v1/flags", "/api/v1/hints", "/api/v1/tags", "/api/v1/topics",
                 "/api/v1/awards", "/api/v1/unlocks", "/api/v1/submissions", "/api/v1/submissions?page=2",
                 "/api/v1/submissions?per_page=100&page=3", "/api/v1/submissions?type=correct",
                 "/api/v1/configs", "/api/v1/files", "/api/v1/pages", "/api/v1/comments?challenge_id=%d" % challenges[3],
                 "/api/v1/tokens", "/api/v1/users?view=admin", "/api/v1/users?page=23&view=admin",
                 "/api/v1/statistics/challenges/solves", "/api/v1/statistics/challenges/solves/percentages",
                 "/api/v1/statistics/challenges/category", "/api/v1/statistics/challenges/type",
                 "/api/v1/statistics/users", "/api/v1/statistics/teams",
                 "/api/v1/statistics/scores/distribution", "/api/v1/statistics/submissions/type"]:
        api.api("GET", path)
    for cid in challenges[:3]:
        for sub in ["", "/flags", "/hints", "/tags", "/topics", "/files", "/requirements", "/solves"]:
            api.api("GET", "/api/v1/challenges/%d%s" % (cid, sub))
    api.api("PATCH", "/api/v1/challenges/%d" % challenges[5], {"value": 333})
    api.api("PATCH", "/api/v1/users/%d" % users[900], {"name": "renamed player"})
    api.api("PATCH", "/api/v1/teams/%d" % teams[10], {"name": "renamed team"})
    api.api("DELETE", "/api/v1/users/%d" % users[1149])
    api.api("POST", "/api/v1/submissions", {"challenge_id": challenges[7], "user_id": users[200], "team_id": None,
                                            "provided": "manual", "type": "incorrect"}, expect=(400,))

    # --- admin panel (session) ----------------------------------------------------------
    for path in ["/admin/statistics", "/admin/challenges", "/admin/challenges/%d" % challenges[0],
                 "/admin/challenges/%d" % challenges[28], "/admin/challenges/new", "/admin/users",
                 "/admin/users?page=2", "/admin/users?page=23", "/admin/users?field=name&q=player01",
                 "/admin/users/%d" % users[0], "/admin/users/%d" % users[5], "/admin/teams", "/admin/teams?page=2",
                 "/admin/teams/%d" % teams[0], "/admin/teams/%d" % teams[1], "/admin/scoreboard",
                 "/admin/submissions", "/admin/submissions/correct", "/admin/submissions/incorrect",
                 "/admin/submissions?page=2", "/admin/notifications", "/admin/pages", "/admin/config",
                 "/admin/users/new", "/admin/teams/new", "/admin/export/csv?table=challenges"]:
        admin.get(path)
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
