#!/usr/bin/env python3
"""Workload for hoppscotch-backend: HTTP only (REST auth + GraphQL), as the web app and the
admin dashboard send it. Fake data only.

Sign-in is hoppscotch's magic link: POST /v1/auth/signin sends the link by mail (to a local
SMTP sink on 127.0.0.1 that appends every mail to MAIL_LOG), the driver reads the token from
that mail as the user would click it, and POST /v1/auth/verify sets the session cookies.

Usage: BASE=http://127.0.0.1:3170 MAIL_LOG=/tmp/mail.log python3 drive.py
"""
import os, re, sys, time, json, random, quopri
import requests

BASE = os.environ.get("BASE", "http://127.0.0.1:3170")
MAIL_LOG = os.environ.get("MAIL_LOG", "/tmp/apps/hs/mail.log")
PACE = float(os.environ.get("PACE", "0.12"))  # the app's throttler allows 100 requests / 10 s
random.seed(7)
N = {"req": 0, "err": 0}


def pace():
    N["req"] += 1
    time.sleep(PACE)


def signin(email):
    s = requests.Session()
    pace()
    r = s.post(f"{BASE}/v1/auth/signin", json={"email": email})
    r.raise_for_status()
    dev = r.json()["deviceIdentifier"]
    token = None
    for _ in range(50):
        time.sleep(0.1)
        if not os.path.exists(MAIL_LOG):
            continue
        raw = open(MAIL_LOG, "rb").read()
        mails = raw.split(b"==MAIL to ")
        for m in reversed(mails):
            if m.startswith(email.encode()):
                body = quopri.decodestring(m).decode("utf-8", "replace")
                t = re.search(r"enter\?token=([A-Za-z0-9]+)", body)
                if t:
                    token = t.group(1)
                break
        if token:
            break
    pace()
    r = s.post(f"{BASE}/v1/auth/verify", json={"token": token, "deviceIdentifier": dev})
    r.raise_for_status()
    return s


def gql(s, query, **variables):
    pace()
    r = s.post(f"{BASE}/graphql", json={"query": query, "variables": variables})
    try:
        j = r.json()
    except Exception:
        N["err"] += 1
        print("non-json", r.status_code, r.text[:200], file=sys.stderr)
        return None
    if j.get("errors"):
        N["err"] += 1
        print("gql error", query.split("(")[0][:60], j["errors"][0].get("message"), file=sys.stderr)
    return j.get("data")


# --- the web app's documents (hoppscotch-common/src/helpers/backend/gql) ---
Q_ME = "query Me { me { uid displayName email photoURL isAdmin createdOn currentGQLSession currentRESTSession } }"
Q_MY_TEAMS = """query GetMyTeams($cursor: ID) { myTeams(cursor: $cursor) { id name myRole ownersCount
  teamMembers { membershipID user { photoURL displayName email uid } role } } }"""
Q_TEAM = "query GetTeam($teamID: ID!) { team(teamID: $teamID) { id name teamMembers { membershipID user { uid email } role } } }"
Q_TEAM_MEMBERS = """query GetTeamMembers($teamID: ID!, $cursor: ID) { team(teamID: $teamID) {
  members(cursor: $cursor) { membershipID user { uid email } role } } }"""
Q_ROOT_COLLS = "query RootCollectionsOfTeam($teamID: ID!, $cursor: ID) { rootCollectionsOfTeam(teamID: $teamID, cursor: $cursor) { id title data } }"
Q_CHILDREN = "query GetCollectionChildren($collectionID: ID!, $cursor: ID) { collection(collectionID: $collectionID) { children(cursor: $cursor) { id title data } } }"
Q_REQS = "query GetCollectionRequests($collectionID: ID!, $cursor: ID) { requestsInCollection(collectionID: $collectionID, cursor: $cursor) { id title request } }"
Q_SEARCH = "query SearchForRequest($teamID: ID!, $searchTerm: String!) { searchForRequest(teamID: $teamID, searchTerm: $searchTerm) { id title collection { id title } } }"
Q_TEAM_ENVS = "query GetTeamEnvironments($teamID: ID!){ team(teamID: $teamID){ teamEnvironments{ id name variables teamID } } }"
Q_PENDING = "query GetPendingInvites($teamID: ID!) { team(teamID: $teamID) { id teamInvitations { inviteeRole inviteeEmail id } } }"
Q_USER_ROOT = "query GetUserRootCollections { rootRESTUserCollections(take: 99999) { id title type data childrenREST { id title type data } } }"
Q_HISTORY = """query GetRESTUserHistory { me { RESTHistory { id userUid reqType request responseMetadata isStarred executedOn }
  GQLHistory { id userUid reqType request responseMetadata isStarred executedOn } } }"""
Q_USER_ENVS = "query GetUserEnvironments { me { environments { id isGlobal name userUid variables } } }"
Q_USER_REQS = "query GetUserRequests($collectionID: ID, $cursor: ID) { userRESTRequests(collectionID: $collectionID, cursor: $cursor) { id title request } }"

M_CREATE_TEAM = """mutation CreateTeam($name: String!) { createTeam(name: $name) { id name
  members { membershipID role user { uid displayName email photoURL } } myRole ownersCount editorsCount viewersCount } }"""
M_ROOT_COLL = "mutation CreateNewRootCollection($title: String!, $teamID: ID!) { createRootCollection(title: $title, teamID: $teamID) { id } }"
M_CHILD_COLL = "mutation CreateChildCollection($childTitle: String!, $collectionID: ID!) { createChildCollection(childTitle: $childTitle, collectionID: $collectionID) { id } }"
M_CREATE_REQ = """mutation CreateRequestInCollection($data: CreateTeamRequestInput!, $collectionID: ID!) {
  createRequestInCollection(data: $data, collectionID: $collectionID) { id collection { id team { id name } } } }"""
M_TEAM_ENV = """mutation CreateTeamEnvironment($variables: String!, $teamID: ID!, $name: String!) {
  createTeamEnvironment(variables: $variables, teamID: $teamID, name: $name) { variables name teamID id } }"""
M_INVITE = """mutation CreateTeamInvitation($inviteeEmail: String!, $inviteeRole: TeamAccessRole!, $teamID: ID!) {
  createTeamInvitation(inviteeRole: $inviteeRole, inviteeEmail: $inviteeEmail, teamID: $teamID) { id teamID creatorUid inviteeEmail inviteeRole } }"""
M_ACCEPT = """mutation AcceptTeamInvitation($inviteID: ID!) { acceptTeamInvitation(inviteID: $inviteID) {
  membershipID role user { uid displayName photoURL email } } }"""
M_RENAME_TEAM = """mutation RenameTeam($newName: String!, $teamID: ID!) { renameTeam(newName: $newName, teamID: $teamID) {
  id name teamMembers { membershipID user { uid } role } } }"""
M_UPDATE_COLL = """mutation UpdateTeamCollection($collectionID: ID!, $newTitle: String, $data: String) {
  updateTeamCollection(collectionID: $collectionID, newTitle: $newTitle, data: $data) { id title data } }"""
M_UPDATE_REQ = "mutation UpdateRequest($data: UpdateTeamRequestInput!, $requestID: ID!) { updateRequest(data: $data, requestID: $requestID) { id title } }"
M_DELETE_REQ = "mutation DeleteRequest($requestID: ID!) { deleteRequest(requestID: $requestID) }"
M_DELETE_COLL = "mutation DeleteCollection($collectionID: ID!) { deleteCollection(collectionID: $collectionID) }"
M_REMOVE_MEMBER = "mutation RemoveTeamMember($userUid: ID!, $teamID: ID!) { removeTeamMember(userUid: $userUid, teamID: $teamID) }"
M_ROLE = """mutation UpdateTeamAccessRole($newRole: TeamAccessRole!, $userUid: ID!, $teamID: ID!) {
  updateTeamAccessRole(newRole: $newRole, userUid: $userUid, teamID: $teamID) { membershipID role } }"""
M_DELETE_TEAM = "mutation DeleteTeam($teamID: ID!) { deleteTeam(teamID: $teamID) }"
M_USER_ROOT = "mutation CreateRESTRootUserCollection($title: String!, $data: String) { createRESTRootUserCollection(title: $title, data: $data) { id title data type } }"
M_USER_CHILD = """mutation CreateRESTChildUserCollection($title: String!, $parentUserCollectionID: ID!, $data: String) {
  createRESTChildUserCollection(title: $title, parentUserCollectionID: $parentUserCollectionID, data: $data) { id data } }"""
M_USER_REQ = """mutation CreateRESTUserRequest($collectionID: ID!, $title: String!, $request: String!) {
  createRESTUserRequest(collectionID: $collectionID, title: $title, request: $request) { id title request } }"""
M_HISTORY = """mutation CreateUserHistory($reqData: String!, $resMetadata: String!, $reqType: ReqType!) {
  createUserHistory(reqData: $reqData, resMetadata: $resMetadata, reqType: $reqType) { id } }"""
M_USER_ENV = "mutation CreateUserEnvironment($name: String!, $variables: String!) { createUserEnvironment(name: $name, variables: $variables) { id userUid name variables isGlobal } }"

# --- the admin dashboard's documents (hoppscotch-sh-admin/src/helpers/backend/gql) ---
A_USERS = """query UsersListV2($searchString: String, $skip: Int, $take: Int) { infra { allUsersV2(searchString: $searchString, skip: $skip, take: $take) {
  uid displayName email isAdmin photoURL createdOn lastActiveOn } } }"""
A_TEAMS = "query TeamListV2($searchString: String, $skip: Int, $take: Int) { infra { allTeamsV2(searchString: $searchString, skip: $skip, take: $take) { id name teamMembers { membershipID } } } }"
A_TEAM_INFO = """query TeamInfo($teamID: ID!) { infra { teamInfo(teamID: $teamID) { id name
  teamMembers { membershipID role user { uid displayName email photoURL } } teamInvitations { id inviteeEmail inviteeRole }
  teamEnvironments { id name } ownersCount editorsCount viewersCount } } }"""
A_USER_INFO = "query UserInfo($uid: ID!) { infra { userInfo(userUid: $uid) { uid displayName email isAdmin photoURL createdOn lastActiveOn } } }"
A_METRICS = "query Metrics { infra { usersCount teamsCount teamRequestsCount teamCollectionsCount } }"
A_TEAMS_OF_USER = """query TeamsOfUserByAdmin($userUid: ID!, $cursor: ID, $take: Int) { teamsOfUserByAdmin(userUid: $userUid, cursor: $cursor, take: $take) {
  id name teamMembers { membershipID role user { uid } } } }"""
A_ADD_TO_TEAM = """mutation AddUserToTeamByAdmin($userEmail: String!, $role: TeamAccessRole!, $teamID: ID!) {
  addUserToTeamByAdmin(role: $role, userEmail: $userEmail, teamID: $teamID) { membershipID role user { uid } } }"""
A_CHANGE_ROLE = """mutation ChangeUserRoleInTeamByAdmin($userUID: ID!, $teamID: ID!, $newRole: TeamAccessRole!) {
  changeUserRoleInTeamByAdmin(userUID: $userUID, teamID: $teamID, newRole: $newRole) { membershipID role } }"""
A_REMOVE_USERS = "mutation RemoveUsersByAdmin($userUIDs: [ID!]!) { removeUsersByAdmin(userUIDs: $userUIDs) { userUID isDeleted errorMessage } }"
A_REMOVE_TEAM = "mutation RemoveTeam($uid: ID!) { deleteTeamByAdmin(teamID: $uid) }"

FIRST = ["Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lia", "Max", "Noa", "Oli",
         "Pia", "Quin", "Rae", "Sol", "Tea", "Uma", "Vik", "Wen", "Xia", "Yan", "Zed", "Ari", "Bo", "Cy", "Dot"]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
RES = ["users", "orders", "invoices", "products", "carts", "sessions", "webhooks", "reports", "tickets", "payments"]


def fake_request(i):
    m = METHODS[i % len(METHODS)]
    r = RES[i % len(RES)]
    return json.dumps({"v": "12", "name": f"{m} {r} #{i}", "method": m, "endpoint": f"https://api.example.test/v1/{r}/{i}",
                       "params": [{"key": "page", "value": str(i % 7), "active": True}], "headers": [],
                       "body": {"contentType": None, "body": None}, "auth": {"authType": "inherit", "authActive": True},
                       "preRequestScript": "", "testScript": "", "requestVariables": [], "responses": {}})


def main():
    t0 = time.time()
    admin = signin("alice.admin@example.test")
    me = gql(admin, Q_ME)["me"]
    print("admin", me["isAdmin"], file=sys.stderr)

    # users sign in (creates their accounts)
    users = {}
    for i, name in enumerate(FIRST):
        email = f"{name.lower()}.{i:02d}@example.test"
        s = signin(email)
        uid = gql(s, Q_ME)["me"]["uid"]
        users[email] = (s, uid)
    emails = list(users)
    print("users", len(users), N, file=sys.stderr)

    # admin's teams, with members added by the admin dashboard
    teams = []
    for t in range(8):
        d = gql(admin, M_CREATE_TEAM, name=f"Team {RES[t].title()} Platform")
        tid = d["createTeam"]["id"]
        members = random.sample(emails, 8)
        for j, e in enumerate(members):
            role = ["OWNER", "EDITOR", "EDITOR", "VIEWER"][j % 4]
            gql(admin, A_ADD_TO_TEAM, userEmail=e, role=role, teamID=tid)
        teams.append((tid, members))

    # users create their own teams and invite colleagues, who accept
    for k in range(6):
        owner = emails[k]
        s, _ = users[owner]
        tid = gql(s, M_CREATE_TEAM, name=f"{FIRST[k]}'s squad")["createTeam"]["id"]
        invited = random.sample([e for e in emails if e != owner], 3)
        for e in invited:
            inv = gql(s, M_INVITE, inviteeEmail=e, inviteeRole=random.choice(["EDITOR", "VIEWER"]), teamID=tid)
            if inv and k < 4:
                gql(users[e][0], M_ACCEPT, inviteID=inv["createTeamInvitation"]["id"])
        teams.append((tid, [owner] + invited))
    print("teams", len(teams), N, file=sys.stderr)

    # collections, sub-collections and requests in the first 6 admin teams
    colls = {}  # tid -> [(root, [child...])]
    reqs = {}  # coll -> [req ids]
    n = 0
    for tid, _ in teams[:4]:
        colls[tid] = []
        for r in range(4):
            root = gql(admin, M_ROOT_COLL, title=f"{RES[(r + n) % 10].title()} API", teamID=tid)["createRootCollection"]["id"]
            kids = []
            for c in range(2):
                child = gql(admin, M_CHILD_COLL, childTitle=f"{['v1', 'v2'][c]} endpoints", collectionID=root)["createChildCollection"]["id"]
                kids.append(child)
                reqs[child] = []
                for q in range(3):
                    n += 1
                    d = gql(admin, M_CREATE_REQ, collectionID=child,
                            data={"teamID": tid, "title": f"{METHODS[n % 5]} {RES[n % 10]} {n}", "request": fake_request(n)})
                    if d:
                        reqs[child].append(d["createRequestInCollection"]["id"])
            colls[tid].append((root, kids))
        for e in range(3):
            gql(admin, M_TEAM_ENV, teamID=tid, name=["dev", "staging", "prod"][e],
                variables=json.dumps([{"key": "baseUrl", "value": f"https://{['dev', 'staging', 'prod'][e]}.example.test", "secret": False}]))
    print("collections", N, file=sys.stderr)

    # personal collections, requests, history and environments of 6 users
    for e in emails[:4]:
        s, _ = users[e]
        for r in range(2):
            root = gql(s, M_USER_ROOT, title=f"My {RES[r].title()}", data="{}")["createRESTRootUserCollection"]["id"]
            for c in range(2):
                child = gql(s, M_USER_CHILD, title=f"case {c}", parentUserCollectionID=root, data="{}")["createRESTChildUserCollection"]["id"]
                for q in range(2):
                    n += 1
                    gql(s, M_USER_REQ, collectionID=child, title=f"{METHODS[n % 5]} {RES[n % 10]}", request=fake_request(n))
        for h in range(6):
            n += 1
            gql(s, M_HISTORY, reqData=fake_request(n), resMetadata=json.dumps({"duration": 40 + h, "statusCode": 200}), reqType="REST")
        gql(s, M_USER_ENV, name="local", variables=json.dumps([{"key": "token", "value": "fake-token", "secret": False}]))
    print("personal", N, file=sys.stderr)

    # reading: what the web app loads when a user opens the workspace switcher and a team workspace
    for rnd in range(2):
        for e in emails[:14]:
            s, uid = users[e]
            gql(s, Q_ME)
            d = gql(s, Q_MY_TEAMS)
            mine = [t["id"] for t in (d or {}).get("myTeams", [])]
            if len(mine) == 10:
                gql(s, Q_MY_TEAMS, cursor=mine[-1])
            for tid in mine[:2]:
                gql(s, Q_TEAM, teamID=tid)
                gql(s, Q_ROOT_COLLS, teamID=tid)
                gql(s, Q_TEAM_ENVS, teamID=tid)
        # the admin browses the team workspaces with collections
        for tid, _ in teams[:4]:
            gql(admin, Q_TEAM, teamID=tid)
            m = gql(admin, Q_TEAM_MEMBERS, teamID=tid)
            ms = (m or {}).get("team", {}).get("members", [])
            if ms:
                gql(admin, Q_TEAM_MEMBERS, teamID=tid, cursor=ms[-1]["membershipID"])
            gql(admin, Q_PENDING, teamID=tid)
            gql(admin, Q_ROOT_COLLS, teamID=tid)
            for root, kids in colls[tid]:
                gql(admin, Q_CHILDREN, collectionID=root)
                for child in kids:
                    gql(admin, Q_REQS, collectionID=child)
            gql(admin, Q_SEARCH, teamID=tid, searchTerm=RES[rnd])
            gql(admin, Q_SEARCH, teamID=tid, searchTerm="GET")
        for e in emails[:4]:
            s, _ = users[e]
            gql(s, Q_USER_ROOT)
            gql(s, Q_HISTORY)
            gql(s, Q_USER_ENVS)
    print("reads", N, file=sys.stderr)

    # admin dashboard
    gql(admin, A_METRICS)
    for skip in (0, 10, 20, 30):
        gql(admin, A_USERS, skip=skip, take=10)
    gql(admin, A_USERS, searchString="example", skip=0, take=20)
    for skip in (0, 10):
        gql(admin, A_TEAMS, skip=skip, take=10)
    for tid, _ in teams:
        gql(admin, A_TEAM_INFO, teamID=tid)
    for e in emails[:10]:
        uid = users[e][1]
        gql(admin, A_USER_INFO, uid=uid)
        gql(admin, A_TEAMS_OF_USER, userUid=uid, take=10)
    print("admin", N, file=sys.stderr)

    # edits
    for i, (tid, members) in enumerate(teams[:4]):
        gql(admin, M_RENAME_TEAM, newName=f"Team {RES[i].title()} Core", teamID=tid)
        for root, kids in colls[tid][:2]:
            gql(admin, M_UPDATE_COLL, collectionID=root, newTitle=f"Renamed {i}", data=json.dumps({"auth": {"authType": "none"}}))
        for child in colls[tid][0][1]:
            for rid in reqs[child][:2]:
                gql(admin, M_UPDATE_REQ, requestID=rid, data={"title": f"edited {rid[-4:]}"})
        mu = users[members[1]][1]
        gql(admin, A_CHANGE_ROLE, userUID=mu, teamID=tid, newRole="VIEWER")
        gql(admin, M_ROLE, userUid=users[members[2]][1], teamID=tid, newRole="OWNER")
    print("edits", N, file=sys.stderr)

    # deletes
    for tid, _ in teams[:4]:
        root, kids = colls[tid][3]
        for rid in reqs[kids[0]]:
            gql(admin, M_DELETE_REQ, requestID=rid)
        gql(admin, M_DELETE_COLL, collectionID=kids[1])
        gql(admin, M_DELETE_COLL, collectionID=colls[tid][2][0])
    for tid, members in teams[4:7]:
        gql(admin, M_REMOVE_MEMBER, userUid=users[members[-1]][1], teamID=tid)
    gql(admin, M_DELETE_TEAM, teamID=teams[7][0])
    gql(admin, A_REMOVE_TEAM, uid=teams[6][0])
    gql(admin, A_REMOVE_USERS, userUIDs=[users[e][1] for e in emails[-4:]])
    # a last look after the changes
    for e in emails[:8]:
        s, _ = users[e]
        gql(s, Q_MY_TEAMS)
    for tid, _ in teams[:4]:
        gql(admin, A_TEAM_INFO, teamID=tid)
        gql(admin, Q_ROOT_COLLS, teamID=tid)
    print("done", N, f"{time.time() - t0:.0f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
