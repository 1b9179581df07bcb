#!/usr/bin/env python3
"""Workload driver for linkding: HTTP calls against the running app only.

Usage: drive.py BASE_URL ADMIN_USER ADMIN_PASSWORD

Logs in through the login form, creates an API token, a second user (admin form),
tags, bundles and bookmarks (REST API, web form, Netscape import of 1,200 rows in
one upload), then reads every list, detail, search, page (deep ones included),
feed and admin view, and runs the single, bulk and admin actions.
Needs only `requests`.
"""
import random
import re
import sys

import requests

BASE = sys.argv[1].rstrip("/")
ADMIN, PASSWORD = sys.argv[2], sys.argv[3]
random.seed(17)

WORDS = ("python django rust golang postgres sqlite linux docker kubernetes react vue "
         "svelte css html http dns tls security privacy science music video design "
         "cooking travel finance books history math physics biology climate energy "
         "hardware keyboard editor terminal shell git testing devops cloud").split()


def log(*a):
    print(*a, flush=True)


class Client:
    def __init__(self):
        self.s = requests.Session()
        self.token = None

    def csrf(self):
        return self.s.cookies.get("ld_csrftoken", "")

    def get(self, path, **kw):
        r = self.s.get(BASE + path, allow_redirects=False, **kw)
        return r

    def form(self, path, data, files=None, headers=None):
        h = {"X-CSRFToken": self.csrf(), "Referer": BASE + path}
        if headers:
            h.update(headers)
        d = dict(data) if isinstance(data, dict) else list(data)
        if isinstance(d, dict):
            d["csrfmiddlewaretoken"] = self.csrf()
        else:
            d.append(("csrfmiddlewaretoken", self.csrf()))
        return self.s.post(BASE + path, data=d, files=files, headers=h, allow_redirects=False)

    def login(self, user, password):
        self.get("/login/")
        r = self.form("/login/", {"username": user, "password": password})
        assert r.status_code == 302, ("login", r.status_code)

    def api(self, method, path, json=None):
        h = {"Authorization": "Token " + self.token}
        r = requests.request(method, BASE + path, json=json, headers=h)
        return r

    def create_token(self):
        self.get("/settings/integrations/create-api-token")
        self.form("/settings/integrations/create-api-token", {"name": "drive"})
        page = self.get("/settings/integrations").text
        keys = re.findall(r'value="([0-9a-f]{40})"', page)
        assert keys, "no API token on the integrations page"
        self.token = keys[0]
        feed = re.search(r"/feeds/([A-Za-z0-9_-]{20,})/all", page)
        return feed.group(1) if feed else None


def netscape(n, prefix):
    lines = ["<!DOCTYPE NETSCAPE-Bookmark-file-1>", "<DL><p>"]
    for i in range(n):
        tags = ",".join(random.sample(WORDS, random.randint(1, 4)))
        lines.append(
            f'<DT><A HREF="https://{prefix}.example.org/page/{i}" ADD_DATE="{1600000000 + i * 600}" '
            f'PRIVATE="{i % 3 == 0 and 1 or 0}" TOREAD="{i % 4 == 0 and 1 or 0}" TAGS="{tags}">'
            f"{prefix} page {i} about {random.choice(WORDS)}</A>")
        lines.append(f"<DD>notes on {random.choice(WORDS)} and {random.choice(WORDS)}")
    lines.append("</DL><p>")
    return "\n".join(lines)


def profile_form(**over):
    f = {
        "theme": "auto", "bookmark_date_display": "relative",
        "bookmark_description_display": "inline", "bookmark_description_max_lines": "1",
        "bookmark_link_target": "_blank", "web_archive_integration": "disabled",
        "tag_search": "strict", "tag_grouping": "alphabetical",
        "enable_sharing": "on", "enable_public_sharing": "on",
        "display_view_bookmark_action": "on", "display_edit_bookmark_action": "on",
        "display_archive_bookmark_action": "on", "display_remove_bookmark_action": "on",
        "custom_css": "", "auto_tagging_rules": "", "items_per_page": "30",
        "update_profile": "1",
    }
    f.update(over)
    return f


def main():
    admin = Client()
    admin.login(ADMIN, PASSWORD)
    feed_key = admin.create_token()
    log("token ok, feed key", bool(feed_key))

    # profile: sharing on (the shared lists need it)
    r = admin.form("/settings/update", profile_form())
    log("profile", r.status_code)

    # a second user through the admin's add form, who shares bookmarks too
    admin.get("/admin/auth/user/add/")
    r = admin.form("/admin/auth/user/add/", {
        "username": "bob", "password1": "bob-wild-local-1", "password2": "bob-wild-local-1",
        "usable_password": "true", "_save": "Save"})
    log("add user", r.status_code)
    bob = Client()
    bob.login("bob", "bob-wild-local-1")
    bob.create_token()
    bob.form("/settings/update", profile_form())

    # tags through the API, and through the web form
    for w in WORDS[:30]:
        admin.api("POST", "/api/tags/", {"name": w})
    for w in ("inbox", "later", "work", "home", "misc"):
        admin.get("/tags/new")
        admin.form("/tags/new", {"name": w})

    # bookmarks through the API, with tags (new and existing) and states
    ids = []
    for i in range(60):
        tags = random.sample(WORDS, 4) + [f"topic{i % 7}"]
        r = admin.api("POST", "/api/bookmarks/?disable_scraping&disable_html_snapshot", {
            "url": f"https://api.example.org/item/{i}", "title": f"API item {i}",
            "description": f"about {tags[0]}", "notes": "n" if i % 5 == 0 else "",
            "is_archived": i % 6 == 0, "unread": i % 2 == 0, "shared": i % 3 == 0,
            "tag_names": tags})
        ids.append(r.json()["id"])
    for i in range(25):
        bob.api("POST", "/api/bookmarks/?disable_scraping&disable_html_snapshot", {
            "url": f"https://bob.example.org/item/{i}", "title": f"Bob item {i}",
            "shared": True, "tag_names": random.sample(WORDS, 3)})
    # bookmarks through the web form
    for i in range(10):
        admin.get("/bookmarks/new")
        admin.form("/bookmarks/new", {
            "url": f"https://web.example.org/form/{i}", "title": f"Form item {i}",
            "description": "", "notes": "", "unread": "on" if i % 2 else "",
            "tag_string": " ".join(random.sample(WORDS, 3))})
    # 1,200 bookmarks in one import upload (the importer batches by 200)
    r = admin.form("/settings/import", {},
                   files={"import_file": ("bookmarks.html", netscape(1200, "imp"), "text/html")})
    log("import", r.status_code)

    # bundles through the API and the web form
    for i, w in enumerate(WORDS[:6]):
        admin.api("POST", "/api/bundles/", {
            "name": f"bundle {w}", "search": "", "any_tags": f"{w} {WORDS[i + 10]}",
            "all_tags": "", "excluded_tags": "", "order": i})
    admin.get("/bundles/new")
    admin.form("/bundles/new", {"name": "web bundle", "search": "page", "any_tags": "python",
                                "all_tags": "", "excluded_tags": "", "filter_unread": "off",
                                "filter_shared": "off"})

    bundle_ids = [b["id"] for b in admin.api("GET", "/api/bundles/").json()["results"]]
    tag_ids = [t["id"] for t in admin.api("GET", "/api/tags/?limit=200").json()["results"]]

    # ---- API reads
    for _ in range(2):
        admin.api("GET", "/api/bookmarks/")
        admin.api("GET", "/api/bookmarks/?limit=30")
        admin.api("GET", "/api/bookmarks/?limit=30&offset=60")
        admin.api("GET", "/api/bookmarks/?limit=20&offset=1000")
        admin.api("GET", "/api/bookmarks/?limit=20&offset=1100")
        admin.api("GET", "/api/bookmarks/?q=python")
        admin.api("GET", "/api/bookmarks/?q=%23rust%20%23linux")
        admin.api("GET", "/api/bookmarks/?q=page%20or%20item&limit=50")
        admin.api("GET", "/api/bookmarks/archived/")
        admin.api("GET", "/api/bookmarks/shared/")
        admin.api("GET", "/api/bookmarks/shared/?limit=10&offset=10")
        admin.api("GET", "/api/tags/")
        admin.api("GET", "/api/tags/?limit=10&offset=20")
        admin.api("GET", "/api/bundles/")
        admin.api("GET", "/api/user/profile/")
        for bid in ids[:10]:
            admin.api("GET", f"/api/bookmarks/{bid}/")
        for tid in tag_ids[:5]:
            admin.api("GET", f"/api/tags/{tid}/")
        for bid in bundle_ids[:3]:
            admin.api("GET", f"/api/bundles/{bid}/")
        admin.api("GET", f"/api/bookmarks/{ids[1]}/assets/")
    requests.get(BASE + "/api/bookmarks/shared/")  # anonymous: public shares only
    admin.api("GET", "/api/bookmarks/check/?url=http%3A%2F%2F127.0.0.1%3A9%2Fnothing")
    admin.api("GET", "/api/bookmarks/check/?url=https%3A%2F%2Fapi.example.org%2Fitem%2F3")

    # ---- API writes
    for bid in ids[10:20]:
        admin.api("PATCH", f"/api/bookmarks/{bid}/",
                  {"tag_names": random.sample(WORDS, 4), "notes": "patched"})
    for bid in ids[20:24]:
        admin.api("PUT", f"/api/bookmarks/{bid}/", {
            "url": f"https://api.example.org/item/{bid}/moved", "title": "put",
            "tag_names": random.sample(WORDS, 3)})
    for bid in ids[24:28]:
        admin.api("POST", f"/api/bookmarks/{bid}/archive/")
        admin.api("POST", f"/api/bookmarks/{bid}/unarchive/")
    for bid in ids[28:30]:
        admin.api("DELETE", f"/api/bookmarks/{bid}/")
    admin.api("PATCH", f"/api/bundles/{bundle_ids[0]}/", {"name": "renamed bundle"})
    admin.api("DELETE", f"/api/bundles/{bundle_ids[-1]}/")

    # ---- web reads
    for _ in range(2):
        admin.get("/bookmarks")
        admin.get("/bookmarks?page=2")
        admin.get("/bookmarks?page=20")
        admin.get("/bookmarks?page=38")
        admin.get("/bookmarks?q=python")
        admin.get("/bookmarks?q=%23rust")
        admin.get(f"/bookmarks?bundle={bundle_ids[0]}")
        admin.get(f"/bookmarks?details={ids[2]}")
        admin.get("/bookmarks/archived")
        admin.get("/bookmarks/archived?page=2")
        admin.get("/bookmarks/shared")
        admin.get("/bookmarks/shared?user=bob")
        admin.get(f"/bookmarks/{ids[3]}/edit")
        admin.get("/tags")
        admin.get("/tags?page=2")
        admin.get("/tags?sort=count-desc")
        admin.get("/tags?search=py&unused=true")
        admin.get("/bundles")
        admin.get(f"/bundles/{bundle_ids[0]}/edit")
        admin.get("/bundles/preview?any_tags=python")
        admin.get("/settings/integrations")
        admin.get("/settings/export")
        if feed_key:
            admin.get(f"/feeds/{feed_key}/all")
            admin.get(f"/feeds/{feed_key}/unread")
            admin.get(f"/feeds/{feed_key}/shared")
        requests.get(BASE + "/feeds/shared")
        requests.get(BASE + "/bookmarks/shared")
        bob.get("/bookmarks")
        bob.get("/bookmarks/shared")
        admin.get("/manifest.json")
        admin.get("/opensearch.xml")
        admin.get("/custom_css")
        admin.get("/health")

    # ---- web writes
    for bid in ids[30:33]:
        admin.get(f"/bookmarks/{bid}/edit")
        admin.form(f"/bookmarks/{bid}/edit", {
            "url": f"https://api.example.org/item/{bid}/edited", "title": "edited",
            "description": "", "notes": "", "tag_string": " ".join(random.sample(WORDS, 4))})
    admin.form("/bookmarks/action", {"archive": str(ids[33])})
    admin.form("/bookmarks/archived/action", {"unarchive": str(ids[33])})
    admin.form("/bookmarks/action", {"mark_as_read": str(ids[34])})
    admin.form("/bookmarks/action", {"unshare": str(ids[36])})
    admin.form("/bookmarks/action", {"remove": str(ids[35])})
    admin.form("/bookmarks/action", [("bulk_execute", "1"), ("bulk_action", "bulk_tag"),
                                     ("bulk_tag_string", "bulk1 bulk2 python")]
               + [("bookmark_id", str(b)) for b in ids[37:47]])
    admin.form("/bookmarks/action", [("bulk_execute", "1"), ("bulk_action", "bulk_read")]
               + [("bookmark_id", str(b)) for b in ids[37:47]])
    admin.form("/bookmarks/action", [("bulk_execute", "1"), ("bulk_action", "bulk_archive")]
               + [("bookmark_id", str(b)) for b in ids[47:50]])
    admin.form("/bookmarks/action?page=2",
               {"bulk_execute": "1", "bulk_action": "bulk_read"},
               headers={"Accept": "text/vnd.turbo-stream.html"})
    # tag merge: six tags into one (the form reads each merged tag by name)
    admin.get("/tags/merge")
    admin.form("/tags/merge", {"target_tag": "misc", "merge_tags": "inbox later work home topic0 topic1"})
    edit_tag = tag_ids[3]
    admin.get(f"/tags/{edit_tag}/edit")
    admin.form(f"/tags/{edit_tag}/edit", {"name": "renamed-tag"})
    # unused tags, to be deleted in the admin
    for i in range(15):
        admin.api("POST", "/api/tags/", {"name": f"unused{i}"})

    # ---- admin
    for _ in range(2):
        admin.get("/admin/")
        admin.get("/admin/bookmarks/bookmark/")
        admin.get("/admin/bookmarks/bookmark/?p=2")
        admin.get("/admin/bookmarks/bookmark/?p=12")
        admin.get("/admin/bookmarks/bookmark/?q=python")
        admin.get("/admin/bookmarks/tag/")
        admin.get("/admin/bookmarks/tag/?o=2.-1")
        admin.get("/admin/bookmarks/bookmarkbundle/")
        admin.get("/admin/bookmarks/bookmarkasset/")
        admin.get("/admin/bookmarks/apitoken/")
        admin.get("/admin/bookmarks/feedtoken/")
        admin.get("/admin/bookmarks/toast/")
        admin.get("/admin/auth/user/")
        admin.get(f"/admin/bookmarks/bookmark/{ids[40]}/change/")
    bm_page = admin.get("/admin/bookmarks/bookmark/?q=imp").text
    sel = re.findall(r'name="_selected_action" value="(\d+)"', bm_page)
    log("admin selectable", len(sel))
    admin.form("/admin/bookmarks/bookmark/", [("action", "archive_selected_bookmarks"), ("index", "0")]
               + [("_selected_action", v) for v in sel[:40]])
    admin.form("/admin/bookmarks/bookmark/", [("action", "unarchive_selected_bookmarks"), ("index", "0")]
               + [("_selected_action", v) for v in sel[:40]])
    admin.form("/admin/bookmarks/bookmark/", [("action", "mark_as_read"), ("index", "0")]
               + [("_selected_action", v) for v in sel[:40]])
    admin.form("/admin/bookmarks/bookmark/", [("action", "delete_selected_bookmarks"), ("index", "0")]
               + [("_selected_action", v) for v in sel[40:70]])
    tag_page = admin.get("/admin/bookmarks/tag/?q=unused").text
    tsel = re.findall(r'name="_selected_action" value="(\d+)"', tag_page)
    admin.form("/admin/bookmarks/tag/", [("action", "delete_unused_tags"), ("index", "0")]
               + [("_selected_action", v) for v in tsel])
    log("admin tag selectable", len(tsel))
    log("done")


if __name__ == "__main__":
    main()
