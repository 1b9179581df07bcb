#!/usr/bin/env python3
"""Workload for pocket-id (an OIDC provider, Go + Gin + GORM): HTTP calls against the running
app only, through its REST API, as its admin UI and an OIDC relying party would make them.

    drive.py BASE_URL [STATIC_API_KEY]

The admin calls authenticate with the app's STATIC_API_KEY (X-API-Key header); users sign in
with one-time access tokens that the admin creates (the session cookie the app sets), and the
OIDC calls are those of a confidential client (authorization code, token, userinfo, refresh,
introspection). Creates 12 groups, 40 team users, 15 clients, then 1,100 more users so that
the users list has pages past offset 1,000, then reads every list and detail page.
"""
import base64
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:18080"
API_KEY = sys.argv[2] if len(sys.argv) > 2 else "querylens-static-admin-key-0001"
ADMIN = {"X-API-Key": API_KEY}
calls = {"n": 0, "errors": 0}


def call(method, path, body=None, headers=None, form=None, expect_json=True):
    url = BASE + path
    h = {"User-Agent": "querylens-wild-drive/1.0"}
    h.update(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        h["Content-Type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(url, data=data, headers=h, method=method)
    calls["n"] += 1
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw, status, hdrs = r.read(), r.status, r.headers
    except urllib.error.HTTPError as e:
        raw, status, hdrs = e.read(), e.code, e.headers
    if status >= 400:
        calls["errors"] += 1
        print(f"  {method} {path} -> {status} {raw[:160]!r}", file=sys.stderr)
    out = None
    if expect_json and raw:
        try:
            out = json.loads(raw)
        except ValueError:
            out = None
    return status, out, hdrs


def admin(method, path, body=None, **kw):
    return call(method, path, body, headers=ADMIN, **kw)[1]


def q(**params):
    return "?" + urllib.parse.urlencode(params)


def page(path, page_no, limit, **extra):
    p = {"pagination[page]": page_no, "pagination[limit]": limit}
    p.update(extra)
    return admin("GET", path + q(**p))


def sign_in(user_id):
    """Admin creates a one-time access token, the user exchanges it for a session cookie."""
    tok = admin("POST", f"/api/users/{user_id}/one-time-access-token", {"ttl": "15m"})
    _, _, hdrs = call("POST", f"/api/one-time-access-token/{tok['token']}")
    for c in hdrs.get_all("Set-Cookie") or []:
        name, _, rest = c.partition("=")
        if name.endswith("access_token"):
            return {"Cookie": f"{name}={rest.split(';')[0]}"}
    raise SystemExit("no session cookie after the one-time access token exchange")


def main():
    # --- the admin looks around and configures the instance
    call("GET", "/.well-known/openid-configuration")
    call("GET", "/.well-known/jwks.json")
    call("GET", "/api/application-configuration")
    cfg = {v["key"]: v["value"] for v in admin("GET", "/api/application-configuration/all")}
    admin("GET", "/api/version/current")
    admin("GET", "/api/users/me")

    # --- groups, each with its own custom claims (written one claim at a time by the app)
    groups = []
    for i in range(12):
        g = admin("POST", "/api/user-groups", {"name": f"team-{i:02d}", "friendlyName": f"Team {i:02d}"})
        groups.append(g["id"])
        admin("PUT", f"/api/custom-claims/user-group/{g['id']}",
              [{"key": f"team_{k}", "value": f"value-{i}-{k}"} for k in ("role", "floor", "cost_center", "manager")])

    # --- default claims for new users while the team is on-boarded
    cfg.update({"allowUserSignups": "withToken",
                "signupDefaultCustomClaims": json.dumps([{"key": "department", "value": "engineering"},
                                                         {"key": "office", "value": "berlin"},
                                                         {"key": "employee_type", "value": "staff"}])})
    admin("PUT", "/api/application-configuration", cfg)

    team = []
    for i in range(40):
        u = admin("POST", "/api/users", {
            "username": f"member{i:03d}", "email": f"member{i:03d}@example.test",
            "firstName": f"Member{i:03d}", "lastName": "Team", "displayName": f"Member {i:03d}",
            "isAdmin": i < 2, "emailVerified": True})
        team.append(u["id"])

    cfg["signupDefaultCustomClaims"] = ""
    admin("PUT", "/api/application-configuration", cfg)

    # users join groups (per user, and per group)
    for i, uid in enumerate(team):
        picked = [groups[(i + k) % len(groups)] for k in range(3 + i % 6)]
        admin("PUT", f"/api/users/{uid}/user-groups", {"userGroupIds": picked})
    for gi, gid in enumerate(groups[:6]):
        admin("PUT", f"/api/user-groups/{gid}/users", {"userIds": team[gi * 4: gi * 4 + 20]})

    # per-user custom claims, then a second edit that drops and changes some
    for i, uid in enumerate(team[:20]):
        admin("PUT", f"/api/custom-claims/user/{uid}",
              [{"key": f"claim_{k}", "value": f"v{i}-{k}"} for k in range(6)])
    for i, uid in enumerate(team[:10]):
        admin("PUT", f"/api/custom-claims/user/{uid}",
              [{"key": f"claim_{k}", "value": f"w{i}-{k}"} for k in range(3)])

    # --- OIDC clients, some restricted to groups
    clients = []
    for i in range(15):
        c = admin("POST", "/api/oidc/clients", {
            "name": f"app-{i:02d}", "callbackURLs": [f"http://127.0.0.1:18089/app{i:02d}/callback"],
            "logoutCallbackURLs": [f"http://127.0.0.1:18089/app{i:02d}/logout"],
            "isPublic": False, "pkceEnabled": False, "isGroupRestricted": i % 3 == 0})
        secret = admin("POST", f"/api/oidc/clients/{c['id']}/secret")["secret"]
        clients.append((c["id"], secret, f"http://127.0.0.1:18089/app{i:02d}/callback"))
        if i % 3 == 0:
            admin("PUT", f"/api/oidc/clients/{c['id']}/allowed-user-groups",
                  {"userGroupIds": groups[i % 12: i % 12 + 4]})

    # --- signup tokens and self sign-up
    st = admin("POST", "/api/signup-tokens", {"ttl": "24h", "usageLimit": 5, "userGroupIds": groups[:2]})
    for i in range(3):
        call("POST", "/api/signup", {"username": f"signup{i}", "email": f"signup{i}@example.test",
                                     "firstName": f"Signup{i}", "lastName": "User", "token": st["token"]})
    admin("GET", "/api/signup-tokens" + q(**{"pagination[page]": 1, "pagination[limit]": 20}))
    st2 = admin("POST", "/api/signup-tokens", {"ttl": "1h", "usageLimit": 1})
    admin("DELETE", f"/api/signup-tokens/{st2['id']}")

    # --- team members sign in and use their clients through OIDC
    for i, uid in enumerate(team[:12]):
        user = sign_in(uid)
        call("GET", "/api/users/me", headers=user)
        call("GET", "/api/oidc/users/me/clients" + q(**{"pagination[page]": 1, "pagination[limit]": 20}), headers=user)
        for cid, secret, cb in clients[i % 5: i % 5 + 6]:
            status, auth, _ = call("POST", "/api/oidc/authorize", {
                "clientID": cid, "scope": "openid profile email groups", "callbackURL": cb,
                "nonce": f"n{i}"}, headers=user)
            if status != 200 or not auth or "code" not in auth:
                continue
            _, tokens, _ = call("POST", "/api/oidc/token", form={
                "grant_type": "authorization_code", "code": auth["code"], "client_id": cid,
                "client_secret": secret, "redirect_uri": cb})
            if not tokens or "access_token" not in tokens:
                continue
            bearer = {"Authorization": "Bearer " + tokens["access_token"]}
            call("GET", "/api/oidc/userinfo", headers=bearer)
            basic = base64.b64encode(f"{cid}:{secret}".encode()).decode()
            call("POST", "/api/oidc/introspect", form={"token": tokens["access_token"]},
                 headers={"Authorization": "Basic " + basic})
            if tokens.get("refresh_token"):
                call("POST", "/api/oidc/token", form={"grant_type": "refresh_token",
                                                      "refresh_token": tokens["refresh_token"],
                                                      "client_id": cid, "client_secret": secret})
        call("GET", "/api/oidc/users/me/authorized-clients" + q(**{"pagination[page]": 1, "pagination[limit]": 20}), headers=user)
        call("GET", "/api/oidc/users/me/clients" + q(**{"pagination[page]": 1, "pagination[limit]": 20,
                                                        "sort[column]": "lastUsedAt", "sort[direction]": "desc"}), headers=user)
        call("GET", "/api/audit-logs" + q(**{"pagination[page]": 1, "pagination[limit]": 20}), headers=user)
        call("GET", "/api/webauthn/credentials", headers=user)
        call("GET", "/api/api-keys" + q(**{"pagination[page]": 1, "pagination[limit]": 20}), headers=user)
        if i < 3:
            k = call("POST", "/api/api-keys", {"name": f"ci-key-{i}", "description": "ci",
                                               "expiresAt": "2099-01-01T00:00:00Z"}, headers=user)[1]
            if k and "token" in k:
                call("GET", "/api/users/me", headers={"X-API-Key": k["token"]})
        call("DELETE", f"/api/oidc/users/me/authorized-clients/{clients[i % 5 + 1][0]}", headers=user)
        call("PUT", "/api/users/me", {"username": f"member{i:03d}", "email": f"member{i:03d}@example.test",
                                      "firstName": f"Member{i:03d}", "lastName": "Renamed",
                                      "displayName": f"Member {i:03d}"}, headers=user)

    # --- the admin pages through what was made
    for p in (1, 2):
        page("/api/user-groups", p, 10)
    page("/api/user-groups", 1, 20, **{"sort[column]": "userCount", "sort[direction]": "desc"})
    page("/api/user-groups", 1, 20, search="team-0")
    for gid in groups[:6]:
        admin("GET", f"/api/user-groups/{gid}")
    for p in (1, 2):
        page("/api/oidc/clients", p, 10)
    page("/api/oidc/clients", 1, 20, **{"sort[column]": "allowedUserGroupsCount", "sort[direction]": "desc"})
    for cid, _, _ in clients[1:6]:
        admin("GET", f"/api/oidc/clients/{cid}")
        call("GET", f"/api/oidc/clients/{cid}/meta")
        admin("GET", f"/api/oidc/clients/{cid}/preview/{team[0]}" + q(scopes="openid profile email groups"))
    for uid in team[:8]:
        admin("GET", f"/api/users/{uid}")
        admin("GET", f"/api/users/{uid}/groups")
        admin("GET", f"/api/users/{uid}/webauthn-credentials")
        admin("GET", f"/api/oidc/users/{uid}/authorized-clients" + q(**{"pagination[page]": 1, "pagination[limit]": 20}))
    admin("GET", "/api/custom-claims/suggestions")
    for p in (1, 2, 3):
        page("/api/audit-logs/all", p, 20)
    page("/api/audit-logs/all", 1, 20, **{"filters[event]": "SIGN_IN"})
    admin("GET", "/api/audit-logs/filters/users")
    admin("GET", "/api/audit-logs/filters/client-names")

    # --- 1,100 more users (the app has no bulk endpoint: one POST each), then deep pages
    bulk = []
    for i in range(1100):
        u = admin("POST", "/api/users", {"username": f"bulk{i:05d}", "email": f"bulk{i:05d}@example.test",
                                         "firstName": f"Bulk{i:05d}", "lastName": "User",
                                         "displayName": f"Bulk {i:05d}"})
        if u:
            bulk.append(u["id"])
    for p in (1, 2, 3):
        page("/api/users", p, 20)
    page("/api/users", 1, 20, search="member")
    page("/api/users", 1, 20, **{"sort[column]": "username", "sort[direction]": "desc"})
    for p in (11, 12):
        page("/api/users", p, 100)
    for p in (51, 56, 58):
        page("/api/users", p, 20, **{"sort[column]": "email", "sort[direction]": "asc"})

    # --- clean-up the admin does
    for uid in bulk[-5:]:
        admin("DELETE", f"/api/users/{uid}")
    admin("PUT", f"/api/user-groups/{groups[11]}", {"name": "team-11-renamed", "friendlyName": "Team 11 (renamed)"})
    admin("DELETE", f"/api/user-groups/{groups[10]}")
    admin("DELETE", f"/api/oidc/clients/{clients[14][0]}")
    print(f"{calls['n']} requests, {calls['errors']} errors")


if __name__ == "__main__":
    main()
