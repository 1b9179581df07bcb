#!/usr/bin/env python3
"""Workload for gin-vue-admin: HTTP calls only, against the app on 127.0.0.1:8888.

Phase "init": the first-run installer (POST /init/initdb) against a local PostgreSQL.
Phase "run" (default): logs in as the seeded admin and uses the admin console as its
operators do: departments, positions, roles, users with their departments/positions/roles,
a customer book of ~1,100 customers, data dictionaries with nested items, then the list,
tree, detail, search and deep paging screens, edits, bulk deletes and the audit log.
All data is fake (generated names, example.com addresses, 555 numbers).
"""
import json
import random
import sys
import urllib.request

BASE = "http://127.0.0.1:8888"
ADMIN_PASSWORD = "Adm1n-Fake-Pass"
random.seed(7)
TOKEN = None
COUNT = {"requests": 0, "errors": 0}


def call(method, path, body=None, query=None, expect_ok=True):
    url = BASE + path
    if query:
        url += "?" + "&".join(f"{k}={urllib.parse.quote(str(v))}" for k, v in query.items())
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if TOKEN:
        req.add_header("x-token", TOKEN)
    COUNT["requests"] += 1
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            raw = r.read()
            new = r.headers.get("new-token")
    except urllib.error.HTTPError as e:
        raw, new = e.read(), None
    try:
        out = json.loads(raw)
    except ValueError:
        out = {"code": -1, "msg": raw[:200]}
    if expect_ok and out.get("code") != 0:
        COUNT["errors"] += 1
        print("ERR", method, path, str(out.get("msg"))[:160], file=sys.stderr)
    return out


import urllib.parse  # noqa: E402

FIRST = ["Ada", "Bo", "Chen", "Dana", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lia",
         "Mo", "Nia", "Oto", "Pia", "Quin", "Rui", "Sol", "Tao", "Uma", "Vik", "Wen", "Xia", "Yan", "Zoe"]
LAST = ["Lin", "Park", "Novak", "Silva", "Khan", "Moreau", "Ito", "Berg", "Costa", "Wu", "Ruiz", "Okafor"]
WORDS = ["North", "Blue", "Granite", "Harbor", "Maple", "Quartz", "River", "Summit", "Cedar", "Delta"]


def fake_name():
    return random.choice(FIRST) + " " + random.choice(LAST)


def init():
    out = call("POST", "/init/initdb", {
        "adminPassword": ADMIN_PASSWORD, "dbType": "pgsql", "host": "127.0.0.1", "port": "15432",
        "userName": "postgres", "password": "gvapass", "dbName": "gva"})
    print(out.get("msg"))


def login(username, password):
    global TOKEN
    TOKEN = None
    out = call("POST", "/base/login", {"username": username, "password": password,
                                        "captcha": "", "captchaId": ""})
    TOKEN = out.get("data", {}).get("token")
    return out


def run():
    login("admin", ADMIN_PASSWORD)
    me = call("GET", "/user/getUserInfo")
    call("POST", "/menu/getMenu")
    call("GET", "/sysDictionary/getSysDictionaryListWithDetails")

    # --- org structure: departments (3 levels) and positions
    dept_ids = []
    for i, top in enumerate(["Headquarters", "Sales Division", "Engineering Division"]):
        r = call("POST", "/department/createDepartment", {"name": top, "parentId": 0, "sort": i})
        call("POST", "/department/getDepartmentList", {})
    tree = call("POST", "/department/getDepartmentList", {}).get("data") or []
    tops = [d["ID"] for d in tree]
    dept_ids += tops
    for t in tops:
        for j in range(4):
            call("POST", "/department/createDepartment", {"name": f"{random.choice(WORDS)} Team {t}-{j}", "parentId": t, "sort": j})
    tree = call("POST", "/department/getDepartmentList", {}).get("data") or []
    mids = [c["ID"] for d in tree for c in (d.get("children") or [])]
    dept_ids += mids
    for m in mids[:8]:
        for j in range(2):
            call("POST", "/department/createDepartment", {"name": f"Squad {m}-{j}", "parentId": m, "sort": j})
    tree = call("POST", "/department/getDepartmentList", {}).get("data") or []

    def walk(ds):
        for d in ds:
            yield d["ID"]
            yield from walk(d.get("children") or [])
    dept_ids = list(walk(tree))

    pos_ids = []
    for i, p in enumerate(["Account Manager", "Sales Rep", "Engineer", "Senior Engineer", "Team Lead",
                           "Support Agent", "Analyst", "Designer", "QA Engineer", "Product Owner",
                           "Recruiter", "Accountant"]):
        call("POST", "/position/createPosition", {"name": p, "code": f"P{i:03d}", "sort": i, "remark": "fake"})
    pl = call("POST", "/position/getPositionList", {"page": 1, "pageSize": 50})
    pos_ids = [p["ID"] for p in (pl.get("data") or {}).get("list", [])]

    # --- roles: a few child roles under the admin role 888
    role_ids = []
    for k, name in enumerate(["Sales Manager", "Sales Staff", "Support", "Auditor", "Engineer"]):
        aid = 2001 + k
        parent = 888 if k in (0, 2, 3, 4) else 2001
        call("POST", "/authority/createAuthority", {"authorityId": aid, "authorityName": name, "parentId": parent})
        role_ids.append(aid)
        call("POST", "/authority/getAuthorityList", {"page": 1, "pageSize": 999})
    call("POST", "/authority/copyAuthority", {"authority": {"authorityId": 2010, "authorityName": "Sales Staff (EU)", "parentId": 2001},
                                              "oldAuthorityId": 2002})
    for aid, scope in zip(role_ids, [2, 3, 1, 1, 2]):
        call("POST", "/authority/setDataScope", {"authorityId": aid, "dataScope": scope})

    # --- users
    user_ids = []
    for n in range(90):
        name = fake_name()
        uname = f"user{n:03d}"
        call("POST", "/user/admin_register", {
            "userName": uname, "passWord": "Fake-Pass-123", "nickName": name,
            "authorityId": random.choice(role_ids), "authorityIds": [random.choice(role_ids)],
            "enable": 1, "phone": f"555-01{n:02d}", "email": f"{uname}@example.com"})
    for page in range(1, 5):
        ul = call("POST", "/user/getUserList", {"page": page, "pageSize": 30})
        user_ids += [u["ID"] for u in (ul.get("data") or {}).get("list", []) if u["userName"] != "admin"]
    for uid in user_ids:
        ds = random.sample(dept_ids, random.choice([1, 1, 2]))
        call("POST", "/user/setUserDepartments", {"ID": uid, "deptIds": ds, "primaryDeptId": ds[0]})
        call("POST", "/user/setUserPositions", {"ID": uid, "positionIds": random.sample(pos_ids, 2)})
    for uid in user_ids[:30]:
        call("POST", "/user/setUserAuthorities", {"ID": uid, "authorityIds": random.sample(role_ids, 2)})
    for d in dept_ids[:10]:
        call("PUT", "/department/updateDepartment", {"ID": d, "name": f"Dept {d}", "parentId": 0 if d in tops else None,
                                                     "leaderId": random.choice(user_ids), "sort": 1})
    tree = call("POST", "/department/getDepartmentList", {}).get("data") or []

    # --- dictionaries with nested items
    dict_ids = []
    for i, (nm, tp) in enumerate([("Customer Tier", "customer_tier"), ("Region", "region"), ("Industry", "industry"),
                                  ("Lead Source", "lead_source"), ("Ticket Priority", "ticket_priority"),
                                  ("Contract Type", "contract_type"), ("Currency", "currency_code"), ("Product Line", "product_line")]):
        call("POST", "/sysDictionary/createSysDictionary", {"name": nm, "type": tp, "status": True, "desc": "fake"})
    dl = call("GET", "/sysDictionary/getSysDictionaryList")
    mine = [d for d in (dl.get("data") or []) if d["desc"] == "fake"]
    for d in mine:
        did = d["ID"]
        dict_ids.append((did, d["type"]))
        for j in range(8):
            call("POST", "/sysDictionaryDetail/createSysDictionaryDetail",
                 {"label": f"{d['name']} {j}", "value": f"{d['type']}_{j}", "status": True, "sort": j, "sysDictionaryID": did})
        top = call("GET", "/sysDictionaryDetail/getDictionaryTreeList", {"sysDictionaryID": did}) if False else \
            call("GET", "/sysDictionaryDetail/getDictionaryTreeList", query={"sysDictionaryID": did})
        for t in (top.get("data") or {}).get("list", [])[:5]:
            for k in range(3):
                call("POST", "/sysDictionaryDetail/createSysDictionaryDetail",
                     {"label": f"{t['label']}.{k}", "value": f"{t['value']}_{k}", "status": True, "sort": k,
                      "sysDictionaryID": did, "parentID": t["ID"]})

    # --- customers: a customer book of ~1,100
    for n in range(1100):
        call("POST", "/customer/customer", {"customerName": f"{random.choice(WORDS)} {random.choice(LAST)} Ltd {n}",
                                            "customerPhoneData": f"555-{1000 + n:04d}"})
    # --- reading: the screens operators open
    for r in range(3):
        call("POST", "/menu/getMenu")
        call("GET", "/user/getUserInfo")
        call("POST", "/department/getDepartmentList", {})
        call("POST", "/authority/getAuthorityList", {"page": 1, "pageSize": 999})
        call("POST", "/menu/getBaseMenuTree")
        call("POST", "/menu/getMenuList")
        call("POST", "/menu/getMenuAuthority", {"authorityId": 888})
        call("POST", "/casbin/getPolicyPathByAuthorityId", {"authorityId": 888})
        call("GET", "/sysDictionary/getSysDictionaryList")
        call("GET", "/sysDictionary/getSysDictionaryListWithDetails")
    for did, tp in dict_ids:
        call("GET", "/sysDictionaryDetail/getDictionaryTreeList", query={"sysDictionaryID": did})
        call("GET", "/sysDictionaryDetail/getDictionaryTreeListByType", query={"type": tp})
        call("GET", "/sysDictionaryDetail/getSysDictionaryDetailList", query={"page": 1, "pageSize": 10, "sysDictionaryID": did})
        call("GET", "/sysDictionary/findSysDictionary", query={"ID": did})
        call("GET", "/sysDictionaryDetail/getDictionaryDetailsByParent", query={"sysDictionaryID": did, "includeChildren": "true"})
    for page in range(1, 12):
        call("GET", "/customer/customerList", query={"page": page, "pageSize": 10})
    for page in (1, 2, 5, 10, 11):
        call("GET", "/customer/customerList", query={"page": page, "pageSize": 100})
    for page in (50, 60, 80, 100, 105, 110):
        call("GET", "/customer/customerList", query={"page": page, "pageSize": 10})
    for cid in random.sample(range(1, 1100), 60):
        c = call("GET", "/customer/customer", query={"ID": cid})
    for cid in random.sample(range(1, 1100), 40):
        c = (call("GET", "/customer/customer", query={"ID": cid}).get("data") or {}).get("customer")
        if c:
            c["customerName"] = c["customerName"] + " (renamed)"
            call("PUT", "/customer/customer", c)
    for cid in random.sample(range(1, 1100), 15):
        call("DELETE", "/customer/customer", {"ID": cid}, expect_ok=False)
    for page in range(1, 4):
        call("POST", "/user/getUserList", {"page": page, "pageSize": 10})
    for q in ["Lin", "Park", "Zoe", "Ada"]:
        call("POST", "/user/getUserList", {"page": 1, "pageSize": 10, "nickName": q})
    for q in ["user01", "example.com"]:
        call("POST", "/user/getUserList", {"page": 1, "pageSize": 10, "username": q if "user" in q else "", "email": q if "." in q else ""})
    call("POST", "/user/getUserList", {"page": 1, "pageSize": 20, "orderKey": "nick_name", "desc": False})
    for uid in user_ids[:20]:
        call("PUT", "/user/setUserInfo", {"ID": uid, "nickName": fake_name() + " Jr", "phone": "555-0199",
                                          "email": f"changed{uid}@example.com", "enable": 1, "headerImg": ""})
    for d in dept_ids[:12]:
        call("GET", "/department/findDepartment", query={"id": d})
        call("GET", "/department/getDepartmentUsers", query={"id": d})
    for p in pos_ids[:8]:
        call("GET", "/position/findPosition", query={"id": p})
        call("GET", "/position/getPositionUsers", query={"id": p})
    for aid in role_ids:
        call("GET", "/authority/getUsersByAuthority", query={"authorityId": aid})
        call("POST", "/casbin/getPolicyPathByAuthorityId", {"authorityId": aid})
    for page in range(1, 6):
        call("POST", "/api/getApiList", {"page": page, "pageSize": 20})
    call("POST", "/api/getApiList", {"page": 1, "pageSize": 20, "path": "user"})
    call("POST", "/api/getAllApis")
    call("GET", "/api/getApiGroups")
    for aid in (1, 5, 9):
        call("POST", "/api/getApiById", {"id": aid})
    for page in range(1, 6):
        call("GET", "/sysOperationRecord/getSysOperationRecordList", query={"page": page, "pageSize": 20})
    for page in (60, 70, 75):
        call("GET", "/sysOperationRecord/getSysOperationRecordList", query={"page": page, "pageSize": 20})
    call("GET", "/sysOperationRecord/getSysOperationRecordList", query={"page": 1, "pageSize": 20, "method": "PUT"})
    call("GET", "/sysLoginLog/getLoginLogList", query={"page": 1, "pageSize": 20})
    call("GET", "/sysParams/getSysParamsList", query={"page": 1, "pageSize": 20})

    # --- bulk actions and deletes
    ol = call("GET", "/sysOperationRecord/getSysOperationRecordList", query={"page": 3, "pageSize": 20})
    ids = [o["ID"] for o in (ol.get("data") or {}).get("list", [])]
    if ids:
        call("DELETE", "/sysOperationRecord/deleteSysOperationRecordByIds", {"ids": ids})
    for uid in user_ids[-6:]:
        call("DELETE", "/user/deleteUser", {"id": uid})
    for did, tp in dict_ids[-1:]:
        call("DELETE", "/sysDictionary/deleteSysDictionary", {"ID": did})
    call("POST", "/user/getUserList", {"page": 1, "pageSize": 10})
    call("POST", "/department/getDepartmentList", {})
    call("POST", "/authority/getAuthorityList", {"page": 1, "pageSize": 999})

    # --- a few staff log in and open their start pages
    for uid in range(0, 10):
        login(f"user{uid:03d}", "Fake-Pass-123")
        if TOKEN:
            call("GET", "/user/getUserInfo", expect_ok=False)
            call("POST", "/menu/getMenu", expect_ok=False)
            call("GET", "/customer/customerList", query={"page": 1, "pageSize": 10}, expect_ok=False)
    print(json.dumps(COUNT))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "init":
        init()
    else:
        run()
