#!/usr/bin/env python3
"""Workload for Flagr (feature flags and A/B tests, Go + go-swagger + GORM): HTTP calls against
the running app only, through its REST API (/api/v1), as its UI and its SDKs make them.

    drive.py BASE_URL

Creates 30 fully configured flags (variants, segments, constraints, distributions, tags), edits
them, evaluates them, then creates 1,100 more flags so that the flags list has pages past offset
1,000, and reads every list and detail endpoint.
"""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:18081"
API = BASE + "/api/v1"
calls = {"n": 0, "errors": 0}


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(API + path, data=data, method=method,
                                 headers={"Content-Type": "application/json",
                                          "User-Agent": "querylens-wild-drive/1.0"})
    calls["n"] += 1
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        raw, status = e.read(), e.code
    if status >= 400:
        calls["errors"] += 1
        print(f"  {method} {path} -> {status} {raw[:160]!r}", file=sys.stderr)
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def q(**params):
    return "?" + urllib.parse.urlencode(params)


def main():
    call("GET", "/health")
    call("GET", "/flags")

    # --- 30 flags configured the way the UI does it, one call per component
    flags = []
    tags = ["checkout", "search", "mobile", "web", "beta", "payments", "growth", "infra"]
    for i in range(30):
        f = call("POST", "/flags", {"description": f"Experiment {i:02d}: new checkout flow variant",
                                    "key": f"experiment_{i:02d}"})
        fid = f["id"]
        flags.append(fid)
        variants = []
        for v in ("control", "treatment_a", "treatment_b"):
            var = call("POST", f"/flags/{fid}/variants", {"key": v, "attachment": {"color": v, "size": i}})
            variants.append(var)
        segments = []
        for s in range(3):
            seg = call("POST", f"/flags/{fid}/segments", {"description": f"segment {s}", "rolloutPercent": 100 - 10 * s})
            segments.append(seg["id"])
            for c in range(2 + s % 2):
                call("POST", f"/flags/{fid}/segments/{seg['id']}/constraints",
                     {"property": ["country", "plan", "age"][c], "operator": ["EQ", "IN", "GT"][c],
                      "value": ['"DE"', '["pro","team"]', "18"][c]})
            call("PUT", f"/flags/{fid}/segments/{seg['id']}/distributions", {"distributions": [
                {"variantID": variants[0]["id"], "variantKey": "control", "percent": 50},
                {"variantID": variants[1]["id"], "variantKey": "treatment_a", "percent": 30},
                {"variantID": variants[2]["id"], "variantKey": "treatment_b", "percent": 20}]})
        for t in range(2 + i % 3):
            call("POST", f"/flags/{fid}/tags", {"value": tags[(i + t) % len(tags)]})
        call("PUT", f"/flags/{fid}", {"notes": f"owner: team-{i % 4}", "entityType": ["user", "device", "org"][i % 3]})
        call("PUT", f"/flags/{fid}/enabled", {"enabled": True})
        call("PUT", f"/flags/{fid}/segments/reorder", {"segmentIDs": list(reversed(segments))})

    # --- the UI reads what was made
    for fid in flags[:15]:
        call("GET", f"/flags/{fid}")
        call("GET", f"/flags/{fid}/segments")
        call("GET", f"/flags/{fid}/variants")
        call("GET", f"/flags/{fid}/tags")
        call("GET", f"/flags/{fid}/snapshots" + q(limit=20))
        segs = call("GET", f"/flags/{fid}/segments") or []
        for s in segs[:2]:
            call("GET", f"/flags/{fid}/segments/{s['id']}/constraints")
            call("GET", f"/flags/{fid}/segments/{s['id']}/distributions")
    call("GET", "/flags/entity_types")
    call("GET", "/flags/snapshots/max_id")
    call("GET", "/tags")
    call("GET", "/tags" + q(limit=5, offset=0))
    call("GET", "/tags" + q(value_like="pay"))
    call("GET", "/flags" + q(preload="true"))
    call("GET", "/flags" + q(tags="checkout,beta"))
    call("GET", "/flags" + q(tags="mobile", limit=10, offset=0))
    call("GET", "/flags" + q(description_like="experiment 1"))
    call("GET", "/flags" + q(enabled="true", limit=10))
    call("GET", "/flags" + q(key="experiment_07"))

    # --- edits: variants, constraints, segments, tags, a delete and restore, a duplicate
    for fid in flags[:10]:
        f = call("GET", f"/flags/{fid}")
        v = f["variants"][2]
        call("PUT", f"/flags/{fid}/variants/{v['id']}", {"key": "treatment_b2", "attachment": {"color": "blue"}})
        seg = f["segments"][0]
        con = seg["constraints"][0]
        call("PUT", f"/flags/{fid}/segments/{seg['id']}/constraints/{con['id']}",
             {"property": "country", "operator": "IN", "value": '["DE","AT"]'})
        call("PUT", f"/flags/{fid}/segments/{seg['id']}", {"description": "segment 0 (EU)", "rolloutPercent": 50})
        call("DELETE", f"/flags/{fid}/segments/{f['segments'][-1]['id']}/constraints/{f['segments'][-1]['constraints'][-1]['id']}")
        call("DELETE", f"/flags/{fid}/tags/{f['tags'][0]['id']}")
        call("POST", f"/flags/{fid}/duplicate")
    call("DELETE", f"/flags/{flags[29]}")
    call("GET", "/flags" + q(deleted="true"))
    call("PUT", f"/flags/{flags[29]}/restore")
    call("PUT", f"/flags/{flags[28]}/enabled", {"enabled": False})

    # --- evaluations (the SDKs' calls)
    for n in range(40):
        call("POST", "/evaluation", {"flagID": flags[n % 30], "entityID": f"user-{n}", "entityType": "user",
                                     "entityContext": {"country": "DE", "plan": "pro", "age": 30}, "enableDebug": n % 10 == 0})
    for n in range(10):
        call("POST", "/evaluation/batch", {"entities": [{"entityID": f"user-{n}-{k}", "entityType": "user",
                                                         "entityContext": {"country": "FR", "plan": "team"}} for k in range(5)],
                                           "flagIDs": flags[:8], "flagTags": ["checkout"], "enableDebug": False})

    # --- 1,100 more flags (one POST each, as the API allows), then deep pages
    for i in range(1100):
        call("POST", "/flags", {"description": f"Rollout {i:05d}", "key": f"rollout_{i:05d}"})
    for off in (0, 20, 40):
        call("GET", "/flags" + q(limit=20, offset=off))
    for off in (1000, 1040, 1100):
        call("GET", "/flags" + q(limit=20, offset=off))
    call("GET", "/flags" + q(limit=50, offset=1050, preload="true"))
    call("GET", "/flags" + q(tags="growth", limit=20, offset=0))
    call("GET", "/export/eval_cache/json")
    call("GET", "/export/sqlite")
    call("GET", "/flags/snapshots/max_id")
    print(f"{calls['n']} requests, {calls['errors']} errors")


if __name__ == "__main__":
    main()
