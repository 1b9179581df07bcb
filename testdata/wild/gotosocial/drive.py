#!/usr/bin/env python3
"""Workload for GoToSocial (an ActivityPub server, Go + bun ORM on SQLite): HTTP calls against
the running app only, through its Mastodon-compatible client API, as a phone app would make
them.

    drive.py BASE_URL PASSWORD USER...

The accounts exist beforehand (the app's own `gotosocial admin account create/confirm/promote`
CLI, e-mail USER@gts.local, all with PASSWORD; the first one is the admin). Each user signs in
through the app's OAuth flow (register an app, /oauth/authorize, the sign-in form, the
authorization code exchanged at /oauth/token). Then they follow each other, post statuses with
mentions, hashtags and replies, favourite, boost and bookmark, make lists, and read what a
client reads: home, public, tag and list timelines page by page (max_id, limit), notifications,
account pages, followers, threads, search. Deterministic: no randomness but a fixed-seed PRNG.
"""
import json
import random
import sys
import urllib.error
import urllib.parse
import urllib.request

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:18095"
PASSWORD = sys.argv[2] if len(sys.argv) > 2 else "Querylens-Pass-2026!"
USERS = sys.argv[3:] or ["ops", "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
REDIRECT = "http://127.0.0.1:9/callback"
rng = random.Random(20261205)
calls = {"n": 0, "errors": 0}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


PLAIN = urllib.request.build_opener(NoRedirect())


def call(method, path, token=None, body=None, form=None, jar=None, quiet=False):
    url = path if path.startswith("http") else BASE + path
    html = path.startswith(("/oauth/authorize", "/auth/"))
    h = {"User-Agent": "querylens-wild-drive/1.0", "Accept": "text/html" if html else "application/json"}
    if jar:
        h["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
    if token:
        h["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form, doseq=True).encode()
        h["Content-Type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(url, data=data, headers=h, method=method)
    calls["n"] += 1
    try:
        r = PLAIN.open(req, timeout=60)
        raw, status, hdrs = r.read(), r.status, r.headers
    except urllib.error.HTTPError as e:
        raw, status, hdrs = e.read(), e.code, e.headers
    if jar is not None:
        # The session cookie is set for the instance's host name (gts.local), not for the
        # loopback address the driver talks to: keep it by hand.
        for c in hdrs.get_all("Set-Cookie") or []:
            k, _, rest = c.partition("=")
            jar[k.strip()] = rest.split(";")[0]
    if status >= 400 and not quiet:
        calls["errors"] += 1
        print(f"  {method} {path} -> {status} {raw[:160]!r}", file=sys.stderr)
    out = None
    if raw:
        try:
            out = json.loads(raw)
        except ValueError:
            out = None
    return status, out, hdrs


def q(**params):
    return "?" + urllib.parse.urlencode(params, doseq=True)


def sign_in(user, scope="read write follow"):
    """The OAuth authorization-code flow of a client app, with the app's own sign-in form."""
    _, app, _ = call("POST", "/api/v1/apps", form={
        "client_name": f"drive-{user}", "redirect_uris": REDIRECT, "scopes": scope})
    jar = {}
    call("GET", "/oauth/authorize" + q(client_id=app["client_id"], redirect_uri=REDIRECT,
                                       response_type="code", scope=scope), jar=jar)
    call("POST", "/auth/sign_in", form={"username": f"{user}@gts.local", "password": PASSWORD}, jar=jar)
    call("GET", "/oauth/authorize", jar=jar, quiet=True)
    st, _, hdrs = call("POST", "/oauth/authorize", form={}, jar=jar)
    loc = hdrs.get("Location", "")
    code = urllib.parse.parse_qs(urllib.parse.urlparse(loc).query).get("code", [None])[0]
    if not code:
        raise SystemExit(f"no authorization code for {user}: {st} {loc}")
    _, tok, _ = call("POST", "/oauth/token", form={
        "grant_type": "authorization_code", "code": code, "client_id": app["client_id"],
        "client_secret": app["client_secret"], "redirect_uri": REDIRECT})
    return tok["access_token"]


def get(tok, path, **params):
    return call("GET", path + (q(**params) if params else ""), tok)[1]


def post(tok, path, **form):
    return call("POST", path, tok, form=form)[1]


def page_through(tok, path, pages, limit, **params):
    """Read up to `pages` pages, following max_id like a client scrolling down."""
    max_id = None
    n = 0
    for _ in range(pages):
        p = dict(params, limit=limit)
        if max_id:
            p["max_id"] = max_id
        items = get(tok, path, **p)
        if not items:
            break
        n += len(items)
        max_id = items[-1]["id"]
    return n


TAGS = ["gardening", "golang", "sqlite", "cycling", "coffee", "music", "books", "hiking"]
WORDS = ("the quick brown fox jumps over lazy dogs while morning light spills across quiet "
         "streets and somebody somewhere brews another cup of coffee").split()


def text(i):
    return " ".join(rng.choice(WORDS) for _ in range(8 + i % 7))


def follows(u, v):
    return u != v and (USERS.index(u) + USERS.index(v)) % 5 != 0


def main():
    toks = {}
    for u in USERS:
        toks[u] = sign_in(u, "read write follow admin" if u == USERS[0] else "read write follow")
    me = {u: get(toks[u], "/api/v1/accounts/verify_credentials") for u in USERS}
    ids = {u: me[u]["id"] for u in USERS}
    print(f"signed in {len(toks)} users", file=sys.stderr)

    # Accounts made by the CLI are locked: six users unlock theirs in the settings, the last
    # three stay locked and approve their follow requests one by one.
    for u in USERS[:6]:
        call("PATCH", "/api/v1/accounts/update_credentials", toks[u],
             form={"locked": "false", "note": f"hello, I am {u}", "display_name": u.title()})
    # Everybody follows almost everybody.
    for u in USERS:
        for v in USERS:
            if follows(u, v):
                post(toks[u], f"/api/v1/accounts/{ids[v]}/follow")
    for u in USERS[6:]:
        for fr in get(toks[u], "/api/v1/follow_requests", limit=40) or []:
            post(toks[u], f"/api/v1/follow_requests/{fr['id']}/authorize")
    for u in USERS:
        get(toks[u], "/api/v1/accounts/relationships", **{"id[]": [ids[v] for v in USERS if v != u]})

    # Posts: 30 per user, with hashtags, mentions, replies to others' posts.
    statuses = []
    for i in range(30):
        for u in USERS:
            tok = toks[u]
            body = text(i)
            if i % 3 == 0:
                body += " #" + TAGS[(i + USERS.index(u)) % len(TAGS)]
            if i % 4 == 1:
                other = USERS[(USERS.index(u) + 1 + i) % len(USERS)]
                body = f"@{other} " + body
            form = {"status": body, "visibility": "public" if i % 5 else "unlisted"}
            if i % 6 == 5 and statuses:
                form["in_reply_to_id"] = statuses[-rng.randint(1, min(20, len(statuses)))]["id"]
            st = post(tok, "/api/v1/statuses", **form)
            if st:
                statuses.append(st)
    print(f"posted {len(statuses)} statuses", file=sys.stderr)

    # Interactions: favourites, boosts, bookmarks.
    for u in USERS:
        tok = toks[u]
        for st in rng.sample(statuses, 25):
            if st["account"]["id"] == ids[u]:
                continue
            post(tok, f"/api/v1/statuses/{st['id']}/favourite")
        for st in rng.sample(statuses, 8):
            if st["account"]["id"] != ids[u] and st["visibility"] == "public":
                post(tok, f"/api/v1/statuses/{st['id']}/reblog")
        for st in rng.sample(statuses, 10):
            post(tok, f"/api/v1/statuses/{st['id']}/bookmark")

    # Lists.
    lists = {}
    for u in USERS[:5]:
        lst = post(toks[u], "/api/v1/lists", title=f"close friends of {u}", replies_policy="list")
        members = [ids[v] for v in USERS if v != u and follows(u, v)][:4]
        call("POST", f"/api/v1/lists/{lst['id']}/accounts", toks[u], form={"account_ids[]": members})
        lists[u] = lst["id"]

    # Reading, as clients do: home first, then everything else.
    for u in USERS:
        tok = toks[u]
        page_through(tok, "/api/v1/timelines/home", 6, 20)
        page_through(tok, "/api/v1/timelines/home", 2, 40)
        page_through(tok, "/api/v1/timelines/public", 4, 20, local="true")
        page_through(tok, "/api/v1/notifications", 4, 15)
        get(tok, "/api/v1/markers", **{"timeline[]": ["home", "notifications"]})
        get(tok, "/api/v1/bookmarks", limit=20)
        get(tok, "/api/v1/favourites", limit=20)
        get(tok, "/api/v1/follow_requests")
        get(tok, "/api/v1/lists")
        if u in lists:
            page_through(tok, f"/api/v1/timelines/list/{lists[u]}", 3, 20)
            get(tok, f"/api/v1/lists/{lists[u]}/accounts")
        for t in TAGS[:4]:
            page_through(tok, f"/api/v1/timelines/tag/{t}", 2, 20)
        for v in rng.sample(USERS, 4):
            get(tok, "/api/v1/accounts/lookup", acct=v)
            get(tok, f"/api/v1/accounts/{ids[v]}")
            page_through(tok, f"/api/v1/accounts/{ids[v]}/statuses", 2, 20)
            get(tok, f"/api/v1/accounts/{ids[v]}/statuses", limit=20, exclude_replies="true", exclude_reblogs="true")
            get(tok, f"/api/v1/accounts/{ids[v]}/followers", limit=40)
            get(tok, f"/api/v1/accounts/{ids[v]}/following", limit=40)
        for st in rng.sample(statuses, 6):
            get(tok, f"/api/v1/statuses/{st['id']}")
            get(tok, f"/api/v1/statuses/{st['id']}/context")
            get(tok, f"/api/v1/statuses/{st['id']}/favourited_by")
            get(tok, f"/api/v1/statuses/{st['id']}/reblogged_by")
        get(tok, "/api/v2/search", q="coffee", type="statuses", limit=20)
        get(tok, "/api/v2/search", q=USERS[(USERS.index(u) + 2) % len(USERS)], type="accounts")
        get(tok, "/api/v2/search", q="#golang", type="hashtags")
        call("POST", "/api/v1/markers", tok, form={"home[last_read_id]": statuses[-1]["id"]})

    # The admin's pages.
    adm = toks[USERS[0]]
    get(adm, "/api/v1/admin/accounts", limit=50)
    get(adm, "/api/v2/admin/accounts", limit=50, origin="local")
    get(adm, "/api/v1/admin/reports")
    get(adm, "/api/v1/instance")
    get(adm, "/api/v2/instance")
    get(adm, "/api/v1/custom_emojis")

    # A few edits and deletes.
    for st in statuses[:5]:
        call("PUT", f"/api/v1/statuses/{st['id']}", toks[[u for u in USERS if ids[u] == st['account']['id']][0]],
             form={"status": st["content"][:20] + " (edited)"})
    for st in statuses[5:8]:
        call("DELETE", f"/api/v1/statuses/{st['id']}", toks[[u for u in USERS if ids[u] == st['account']['id']][0]])
    call("POST", f"/api/v1/accounts/{ids[USERS[2]]}/unfollow", toks[USERS[1]])
    # Home timelines once more after the changes.
    for u in USERS:
        page_through(toks[u], "/api/v1/timelines/home", 3, 20)

    print(f"{calls['n']} calls, {calls['errors']} errors", file=sys.stderr)


if __name__ == "__main__":
    main()
