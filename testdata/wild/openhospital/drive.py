#!/usr/bin/env python3
"""Workload for Open Hospital's REST API (openhospital-api on openhospital-core).

Usage: drive.py BASE_URL        e.g. drive.py http://127.0.0.1:48080

HTTP calls against the running app only: it logs in as the demo admin, creates patients,
out-patient visits, admissions, lab exams, examinations, visits, vaccinations and bills
through the API, then reads every list, detail, search and page it can reach (patients
paged past offset 1000). Python 3 standard library only.
"""
import json
import os
import random
import sys
import urllib.error
import urllib.parse
import urllib.request

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:48080"
rng = random.Random(17)
TOKEN = None
stats = {"ok": 0, "err": 0}


def call(method, path, body=None, params=None, quiet=False):
    url = BASE + path
    if params:
        url += "?" + urllib.parse.urlencode(params, doseq=True)
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if TOKEN:
        req.add_header("Authorization", "Bearer " + TOKEN)
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            raw = resp.read()
            stats["ok"] += 1
            try:
                return json.loads(raw) if raw else None
            except ValueError:
                return raw.decode(errors="replace")
    except urllib.error.HTTPError as e:
        stats["err"] += 1
        if not quiet:
            print(f"{method} {path} -> {e.code} {e.read()[:300]!r}", file=sys.stderr)
        return None


def get(path, **params):
    return call("GET", path, params=params or None)


FIRST = ["Amina", "Baraka", "Chiku", "Daudi", "Eshe", "Faraji", "Gathoni", "Hamisi", "Imani", "Jabari",
         "Kamaria", "Lulu", "Mosi", "Neema", "Omari", "Pendo", "Rehema", "Sefu", "Tumaini", "Zawadi"]
LAST = ["Mwangi", "Otieno", "Kamau", "Wanjiru", "Njoroge", "Achieng", "Mutua", "Kiptoo", "Auma", "Odhiambo",
        "Chebet", "Nyambura", "Wafula", "Moraa", "Kariuki"]
CITIES = ["Angal", "Nebbi", "Pakwach", "Arua", "Gulu"]


def new_patient(i):
    sex = rng.choice("MF")
    age = rng.randint(1, 85)
    return {
        "firstName": rng.choice(FIRST), "secondName": f"{rng.choice(LAST)}{i}", "birthDate": f"{2026 - age}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        "age": age, "agetype": "", "sex": sex, "address": f"Plot {i}", "city": rng.choice(CITIES), "nextKin": "",
        "telephone": "", "note": "", "motherName": "M", "mother": "A", "fatherName": "F", "father": "A",
        "bloodType": rng.choice(["A+", "B+", "O+", "AB-", "Unknown"]), "hasInsurance": "N", "parentTogether": "Y",
        "taxCode": "", "lock": 0, "consensusFlag": True, "consensusServiceFlag": False,
    }


def main():
    global TOKEN
    login = call("POST", "/auth/login", {"username": "admin", "password": "admin"})
    TOKEN = login["token"]

    # Reference data the forms need.
    wards = get("/wards") or []
    opd_ward = next(w for w in wards if w["code"] == "OPD")
    adm_wards = [w for w in wards if not w["opd"] and w["beds"] > 0]
    opd_diseases = get("/diseases/opd") or []
    ipd_in = get("/diseases/ipd/in") or []
    ipd_out = get("/diseases/ipd/out") or []
    adm_types = get("/admissiontypes") or []
    dis_types = get("/dischargetypes") or []
    exams = get("/exams") or []
    vaccines = get("/vaccines") or []
    pricelists = get("/pricelists") or []
    prices = get("/pricelists/prices") or []

    # 1. Patients: enough for deep pages of GET /patients (offset >= 1000).
    created = []
    for i in range(int(os.environ.get("DRIVE_PATIENTS", "620"))):
        p = call("POST", "/patients", new_patient(i))
        if p:
            created.append(p)
    print(f"patients created: {len(created)}", file=sys.stderr)
    if len(created) < 40:  # a shorter run (DRIVE_PATIENTS): take patients that exist
        created += (get("/patients", page=3, size=40) or {}).get("data", [])
    cohort = rng.sample(created, 40)

    # 2. Clinical records for a cohort of 40 new patients, through the API.
    for n, p in enumerate(cohort):
        code = p["code"]
        d = rng.choice(opd_diseases)
        call("POST", "/opds", {
            "date": f"2026-11-{n % 27 + 1:02d}T09:{n % 60:02d}:00", "patientCode": code, "age": p["age"], "sex": p["sex"],
            "note": "follow-up", "newPatient": "N", "disease": d, "ward": opd_ward, "referralFrom": "R", "referralTo": "R",
            "userID": "admin", "prog_year": 0,
        })
        call("POST", "/examinations", {
            "pex_date": f"2026-11-{n % 27 + 1:02d}T10:00:00", "patientCode": code, "pex_height": 160 + n % 30,
            "pex_weight": 50.0 + n % 40, "pex_ap_min": 70, "pex_ap_max": 120, "pex_temp": 36.8, "pex_hr": 72,
            "pex_auscultation": "normal", "pex_note": "",
        })
        if exams:
            ex = rng.choice([e for e in exams if e.get("procedure") == 1] or exams)
            call("POST", "/laboratories", {
                "laboratoryDTO": {"material": "Blood", "exam": ex, "registrationDate": f"2026-11-{n % 27 + 1:02d}T11:00:00",
                                  "labDate": f"2026-11-{n % 27 + 1:02d}T11:00:00", "result": ex.get("defaultResult") or "NEGATIVE",
                                  "note": "", "patientCode": code, "inOutPatient": "O", "age": p["age"], "sex": p["sex"],
                                  "status": "done", "lock": 0},
                "laboratoryRowList": [],
            })
        # POST /patientvaccines is not driven: the API answers 500 on every create (ModelMapper maps
        # the date onto the vaccine), whatever the body.
        if n < 20 and adm_wards and adm_types and ipd_in:
            w = next((w for w in adm_wards if (p["sex"] == "M" and w["male"]) or (p["sex"] == "F" and w["female"])), adm_wards[0])
            call("POST", "/admissions", {
                "admitted": 1, "type": "I", "ward": w, "patient": p, "admDate": f"2026-11-{n % 27 + 1:02d}T08:00:00",
                "admType": rng.choice(adm_types), "diseaseIn": rng.choice(ipd_in), "deleted": "N", "yprog": 0, "lock": 0,
                "userID": "admin",
            })
            call("POST", "/visits", {
                "patient": p, "date": f"2026-12-{n % 20 + 1:02d}T{8 + n % 9:02d}:{(n * 7) % 60:02d}:00", "note": "ward round", "sms": False, "ward": w,
                "duration": 30, "service": "ward round",
            })
        if pricelists and prices and n < 24:
            items = []
            for k, pr in enumerate(rng.sample(prices, 3)):
                items.append({"priceId": str(pr.get("id", k)), "itemDescription": pr.get("description", "item"),
                              "itemAmount": pr.get("price", 100.0), "itemQuantity": 1 + k,
                              "itemDisplayCode": pr.get("item", "X"), "itemId": str(pr.get("item", k)), "price": True})
            amount = sum(it["itemAmount"] * it["itemQuantity"] for it in items)
            call("POST", "/bills", {
                "bill": {"patient": p, "listId": pricelists[0]["id"], "date": f"2026-11-{n % 27 + 1:02d}T13:00:00",
                         "update": f"2026-11-{n % 27 + 1:02d}T13:00:00", "listName": pricelists[0].get("name", "Basic"),
                         "patientTrue": True, "patName": p["name"] or f'{p["firstName"]} {p["secondName"]}',
                         "status": "O", "amount": amount, "balance": amount, "user": "admin", "list": True},
                "billItems": items,
                "billPayments": [{"date": f"2026-11-{n % 27 + 1:02d}T13:05:00", "amount": round(amount / 2, 2), "user": "admin"}],
            })

    # 3. Reference and admin lists.
    for path in ["/wards", "/wardsNoMaternity", "/admissiontypes", "/agetypes", "/deliveryresulttypes", "/deliverytypes",
                 "/dischargetypes", "/diseasetypes", "/diseases/all", "/diseases/opd", "/diseases/ipd/in", "/diseases/ipd/out",
                 "/diseases/both", "/examtypes", "/exams", "/examrows", "/hospitals", "/hospitals/currencyCode",
                 "/medicals", "/medicaltypes", "/medstockmovementtypes", "/operations", "/operationtypes",
                 "/pregnanttreatmenttypes", "/pricelists", "/pricelists/prices", "/pricesothers", "/suppliers",
                 "/usergroups", "/users", "/users/me", "/usersettings", "/permissions", "/vaccines", "/vaccinetypes",
                 "/laboratories/materials", "/laboratories/examRequest", "/patients/cities", "/patients/nextcode",
                 "/stockmovements", "/medicalstockmovements",
                 "/bills/items", "/opds/weekly", "/patientvaccines/week"]:
        get(path)
    for w in wards:
        get(f"/wards/occupation/{w['code']}")
        if len(w["code"]) == 1:
            get(f"/medicalstockward/{w['code']}")
        get("/admissions/getBedsOccupationInWard", wardid=w["code"])
    for dt in (get("/diseasetypes") or [])[:4]:
        get(f"/diseases/opd/{dt['code']}")
    for ug in (get("/usergroups") or []):
        get(f"/usergroups/{ug['code']}")
        get(f"/permissions/userGroupCode/{ug['code']}")
    for u in (get("/users") or []):
        get(f"/users/{u['userName']}/permissions")
    for ex in exams[:12]:
        get(f"/examrows/byExamCode/{ex['code']}")
    for med in (get("/medicals") or [])[:10]:
        get(f"/medicalstockmovements/lot/{med['code']}")
    get("/medicals/filter", critical="false", name_sorted="true")

    # 4. Paged lists, first pages and deep pages.
    for page in (0, 1, 2, 50, 100, 105, 110):
        get("/patients", page=page, size=10)
    for page in (0, 1, 5, 20):
        get("/admissions", admissionrange=["2020-01-01T00:00:00", "2027-01-01T00:00:00"], page=page, size=20, paged="true")
        get("/opds/search", dateFrom="2020-01-01T00:00:00", dateTo="2027-01-01T00:00:00", page=page, size=20, paged="true")
        get("/laboratories", oneWeek="false", page=page, size=20)
        get("/laboratories/exams", dateFrom="2020-01-01T00:00:00.000Z", dateTo="2027-01-01T00:00:00.000Z", page=page, size=20,
            paged="true", status="done")
    get("/admissions/discharges", dischargerange=["2020-01-01T00:00:00", "2027-01-01T00:00:00"], page=0, size=20)
    get("/admissions/admittedPatients")
    get("/admissions/admittedPatients", searchterms="Mwangi")
    get("/opds/search", dateFrom="2020-01-01T00:00:00", dateTo="2027-01-01T00:00:00")
    get("/bills", datefrom="2020-01-01T00:00:00", dateto="2027-01-01T00:00:00")
    get("/bills/payments", datefrom="2020-01-01T00:00:00", dateto="2027-01-01T00:00:00")
    get("/laboratories/exams", dateFrom="2020-01-01T00:00:00.000Z", dateTo="2027-01-01T00:00:00.000Z")
    get("/patientvaccines/filter", vaccineTypeCode="", vaccineCode="", dateFrom="2020-01-01", dateTo="2027-01-01",
        sex="A", ageFrom=0, ageTo=120)
    get("/medicalstockmovements/filter/v1", ward_id="", **{"from": "2020-01-01T00:00:00", "to": "2027-01-01T00:00:00"})
    get("/medicalstockmovements/filter/v2")
    for w in wards[:3]:
        get(f"/medicalstockward/movements/{w['code']}", **{"from": "2020-01-01", "to": "2027-01-01"})

    # 5. Searches.
    for name in ["Mwangi", "Amina", "Otieno", "Abdul"]:
        get("/patients/search", firstName=name)
        get("/patients/search", secondName=name)
    for row in (get("/examrows") or [])[:3]:
        get("/examrows/search", code=row["code"], description=row.get("description", ""))
    get("/operations/search/type", typeDescription="OPEN")

    # 6. Per-patient detail views, as the patient page loads them (demo patients and new ones).
    page = get("/patients", page=0, size=20) or {}
    demo = [p["code"] for p in page.get("data", [])]
    for code in demo[:20] + [p["code"] for p in cohort[:20]]:
        get(f"/patients/{code}")
        get("/admissions/current", patientCode=code)
        get(f"/admissions/patient/{code}")
        get(f"/opds/patient/{code}")
        get(f"/opds/last/{code}")
        get(f"/examinations/byPatientId/{code}")
        get(f"/examinations/lastByPatientId/{code}")
        get("/examinations/lastNByPatId", limit=5, patId=code)
        get(f"/laboratories/byPatientId/{code}")
        get(f"/laboratories/examRequest/patient/{code}")
        get(f"/visits/patient/{code}")
        get(f"/therapies/{code}")
        get("/bills/pending", patient_code=code)
        get(f"/patientconsensus/{code}")
        get("/operations/rows/search/patient", patientCode=code)
        get("/bills", datefrom="2020-01-01T00:00:00", dateto="2027-01-01T00:00:00", patient_code=code)
    print(f"requests: {stats['ok']} ok, {stats['err']} errors", file=sys.stderr)


if __name__ == "__main__":
    main()
