#!/usr/bin/env python3
"""Workload for Spring PetClinic REST (spring-petclinic/spring-petclinic-rest).

Usage: drive.py BASE_URL     e.g. http://127.0.0.1:9966/petclinic/api

Python standard library only; HTTP calls against the running API, nothing else.
Deterministic: no randomness, the same calls in the same order every run (ids are
read from the API's answers).
"""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:9966/petclinic/api"
COUNTS = {}


def call(method, path, body=None, ok=(200, 201, 204)):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    key = method + " " + path.split("?")[0]
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    COUNTS[status] = COUNTS.get(status, 0) + 1
    if status not in ok:
        print("unexpected", status, key, raw[:200], file=sys.stderr)
        return None
    return json.loads(raw) if raw else None


LAST = ["Franklin", "Davis", "Rodriquez", "Black", "Escobito", "Schroeder", "Estaban",
        "Coleman", "McTavish", "Holmes", "Baker", "Carter", "Novak", "Okafor", "Lindqvist"]
FIRST = ["Anna", "Bruno", "Chloe", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines",
         "Jonas", "Kira", "Luca", "Maya", "Nils", "Olga", "Pavel", "Quinn", "Rosa"]
PETS = ["Rex", "Luna", "Milo", "Bella", "Oscar", "Nala", "Toby", "Cleo", "Ziggy", "Pepper"]
CITIES = ["Madison", "Sun Prairie", "McFarland", "Windsor", "Monona", "Waunakee"]


def main():
    # reference data
    types = call("GET", "/pettypes")
    specs = call("GET", "/specialties")
    call("GET", "/vets")
    for name in ["cardiology", "dermatology", "oncology"]:
        s = call("POST", "/specialties", {"name": name})
        if s:
            specs.append(s)
    for name in ["ferret", "rabbit"]:
        t = call("POST", "/pettypes", {"name": name})
        if t:
            types.append(t)
    hamster = call("POST", "/pettypes", {"name": "hamster"})

    # 30 vets with one to three specialties each
    vets = []
    for i in range(30):
        chosen = [specs[(i + k) % len(specs)] for k in range(1 + i % 3)]
        v = call("POST", "/vets", {"firstName": FIRST[i % len(FIRST)],
                                   "lastName": LAST[(i * 7) % len(LAST)],
                                   "specialties": [{"id": s["id"], "name": s["name"]} for s in chosen]})
        if v:
            vets.append(v)

    # 150 owners, two pets each, visits for most pets
    owners = []
    pets = []
    for i in range(150):
        o = call("POST", "/owners", {"firstName": FIRST[i % len(FIRST)],
                                     "lastName": LAST[i % len(LAST)],
                                     "address": "%d Main St." % (100 + i),
                                     "city": CITIES[i % len(CITIES)],
                                     "telephone": "60855%05d" % i})
        if not o:
            continue
        owners.append(o)
        for j in range(2):
            t = types[(i + j) % len(types)]
            p = call("POST", "/owners/%d/pets" % o["id"],
                     {"name": PETS[(i + j) % len(PETS)],
                      "birthDate": "20%02d-%02d-%02d" % (10 + (i % 14), 1 + (i % 12), 1 + (j * 9 + i) % 28),
                      "type": {"id": t["id"], "name": t["name"]}})
            if not p:
                continue
            pets.append((o["id"], p["id"]))
            for k in range((i + j) % 3):
                call("POST", "/owners/%d/pets/%d/visits" % (o["id"], p["id"]),
                     {"date": "2025-%02d-%02d" % (1 + (i + k) % 12, 1 + (j + k * 5) % 28),
                      "description": "checkup %d" % k})
    # visits through /visits too
    for n, (oid, pid) in enumerate(pets[:40]):
        call("POST", "/visits", {"petId": pid, "date": "2026-01-%02d" % (1 + n % 28),
                                 "description": "vaccination"})
    # twelve pets of the hamster type, with a visit each (deleted with the type at the end)
    hamster_pets = []
    if hamster:
        for n, o in enumerate(owners[:12]):
            p = call("POST", "/owners/%d/pets" % o["id"],
                     {"name": "Nibbles", "birthDate": "2024-03-%02d" % (1 + n),
                      "type": {"id": hamster["id"], "name": hamster["name"]}})
            if p:
                hamster_pets.append(p["id"])
                call("POST", "/owners/%d/pets/%d/visits" % (o["id"], p["id"]),
                     {"date": "2026-02-%02d" % (1 + n), "description": "teeth"})

    # reads
    for _ in range(3):
        call("GET", "/owners")
    for name in LAST + ["Mc", "Es", "Zzz"]:
        call("GET", "/owners?lastName=" + urllib.parse.quote(name))
    for page in range(0, 8):
        call("GET", "/v2/owners?page=%d&size=20" % page)
    for name in ["Davis", "Baker", "C"]:
        call("GET", "/v2/owners?lastName=%s&page=0&size=10" % name)
    for o in owners[:40]:
        call("GET", "/owners/%d" % o["id"])
    for oid, pid in pets[:20]:
        call("GET", "/owners/%d/pets/%d" % (oid, pid))
    for _ in range(2):
        call("GET", "/pets")
    for page in range(0, 6):
        call("GET", "/v2/pets?page=%d&size=20" % page)
    for oid, pid in pets[20:40]:
        call("GET", "/pets/%d" % pid)
    for _ in range(2):
        call("GET", "/visits")
    visits = call("GET", "/visits") or []
    for v in visits[:10]:
        call("GET", "/visits/%d" % v["id"])
    for _ in range(3):
        call("GET", "/vets")
    for v in vets[:10]:
        call("GET", "/vets/%d" % v["id"])
    call("GET", "/pettypes")
    for t in types[:4]:
        call("GET", "/pettypes/%d" % t["id"])
    call("GET", "/specialties")
    for s in specs[:4]:
        call("GET", "/specialties/%d" % s["id"])

    # updates
    for n, o in enumerate(owners[40:50]):
        call("PUT", "/owners/%d" % o["id"],
             {"firstName": o["firstName"], "lastName": o["lastName"],
              "address": "%d Oak Ave." % (200 + n), "city": o["city"],
              "telephone": o["telephone"]}, ok=(200, 204))
    for oid, pid in pets[40:50]:
        call("PUT", "/owners/%d/pets/%d" % (oid, pid),
             {"name": "Renamed", "birthDate": "2020-05-05",
              "type": {"id": types[0]["id"], "name": types[0]["name"]}}, ok=(200, 204))
    for oid, pid in pets[50:55]:
        call("PUT", "/pets/%d" % pid,
             {"name": "Updated", "birthDate": "2019-06-06",
              "type": {"id": types[1]["id"], "name": types[1]["name"]}}, ok=(200, 204))
    for v in visits[10:15]:
        call("PUT", "/visits/%d" % v["id"],
             {"date": v["date"], "description": "follow-up"}, ok=(200, 204))
    for v in vets[:5]:
        call("PUT", "/vets/%d" % v["id"],
             {"firstName": v["firstName"], "lastName": v["lastName"],
              "specialties": [{"id": specs[0]["id"], "name": specs[0]["name"]}]}, ok=(200, 204))
    call("PUT", "/specialties/%d" % specs[-1]["id"], {"name": "oncology2"}, ok=(200, 204))
    call("PUT", "/pettypes/%d" % types[-1]["id"], {"name": "rabbit2"}, ok=(200, 204))

    # deletes
    for v in visits[15:20]:
        call("DELETE", "/visits/%d" % v["id"])
    for oid, pid in pets[60:65]:
        call("DELETE", "/pets/%d" % pid)
    for o in owners[140:145]:
        call("DELETE", "/owners/%d" % o["id"])
    for v in vets[25:28]:
        call("DELETE", "/vets/%d" % v["id"])
    call("DELETE", "/specialties/%d" % specs[-1]["id"])
    if hamster:
        call("DELETE", "/pettypes/%d" % hamster["id"])

    # the lists once more after the writes
    call("GET", "/owners")
    call("GET", "/pets")
    call("GET", "/visits")
    call("GET", "/vets")
    print("requests by status:", json.dumps(COUNTS, sort_keys=True))


if __name__ == "__main__":
    main()
