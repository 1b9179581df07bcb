#!/usr/bin/env python3
"""Workload for Mealie's REST API (python3 drive.py BASE_URL).

Standard library only. Logs in as the default administrator, fills one
household with users, foods, units, labels, organizers and recipes, then acts
as its members would: browse recipe pages (deep ones too), open recipes,
search and filter, comment, rate, favourite, plan meals, build shopping lists
from recipes, cookbooks, organizer pages, the admin pages. Deterministic: no
randomness, fixed names and dates.
"""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:9000"
ADMIN_EMAIL = "changeme@example.com"
ADMIN_PASSWORD = "MyPassword"

CALLS = {"n": 0, "errors": 0}


def call(method, path, body=None, token=None, form=None, expect_ok=True):
    url = BASE + path
    headers = {"Accept": "application/json"}
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    CALLS["n"] += 1
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            raw = resp.read()
            if not raw:
                return None
            try:
                return json.loads(raw)
            except ValueError:
                return raw
    except urllib.error.HTTPError as e:
        CALLS["errors"] += 1
        msg = e.read()[:300]
        if expect_ok:
            print(f"HTTP {e.code} {method} {path}: {msg!r}", file=sys.stderr)
        return None


def q(path, **params):
    return path + "?" + urllib.parse.urlencode(params)


def login(email, password):
    r = call("POST", "/api/auth/token", form={"username": email, "password": password})
    return r["access_token"]


TAGS = [f"Tag {w}" for w in (
    "Quick", "Vegetarian", "Vegan", "Spicy", "Summer", "Winter", "Family", "Party",
    "Budget", "Healthy", "Comfort", "Kids", "Brunch", "Holiday", "Grill", "Oven",
    "OnePot", "Fresh", "Sweet", "Savory", "Classic", "Festive", "Light", "Hearty",
    "Picnic", "Weeknight", "Slow", "Raw", "Crispy", "Creamy")]
CATEGORIES = [f"Category {w}" for w in (
    "Breakfast", "Lunch", "Dinner", "Dessert", "Snack", "Soup", "Salad", "Bread",
    "Drink", "Side", "Sauce", "Starter", "Main", "Baking", "Preserves")]
TOOLS = [f"Tool {w}" for w in (
    "Oven", "Skillet", "Wok", "Blender", "Mixer", "Grill", "Pot", "Whisk", "Knife", "Sieve")]
USERS = [(f"cook{i:02d}", f"Cook {i:02d}", f"cook{i:02d}@example.org") for i in range(1, 13)]
N_RECIPES = 100
WORDS = ("Lemon", "Garlic", "Herb", "Tomato", "Honey", "Ginger", "Pepper", "Basil",
         "Maple", "Smoky", "Citrus", "Mustard", "Chili", "Olive", "Sesame", "Coconut")
DISHES = ("Chicken", "Pasta", "Soup", "Salad", "Tart", "Stew", "Risotto", "Curry",
          "Pie", "Bread", "Cake", "Noodles")


def main():
    admin = login(ADMIN_EMAIL, ADMIN_PASSWORD)
    me = call("GET", "/api/users/self", token=admin)
    call("GET", "/api/app/about")
    call("GET", "/api/app/about/startup-info", token=admin)
    call("GET", "/api/groups/self", token=admin)
    call("GET", "/api/households/self", token=admin)

    # seed the group's foods, units and labels from Mealie's own seed data (en-US)
    call("POST", "/api/groups/seeders/units", {"locale": "en-US"}, token=admin)
    call("POST", "/api/groups/seeders/labels", {"locale": "en-US"}, token=admin)
    call("POST", "/api/groups/seeders/foods", {"locale": "en-US"}, token=admin)
    foods = call("GET", q("/api/foods", page=1, perPage=-1, orderBy="name", orderDirection="asc"), token=admin)["items"]
    units = call("GET", q("/api/units", page=1, perPage=-1, orderBy="name", orderDirection="asc"), token=admin)["items"]
    labels = call("GET", q("/api/groups/labels", page=1, perPage=-1), token=admin)["items"]
    print(f"foods {len(foods)} units {len(units)} labels {len(labels)}", file=sys.stderr)

    # users of the household
    user_ids = []
    for username, full, email in USERS:
        u = call("POST", "/api/admin/users", {
            "username": username, "fullName": full, "email": email, "password": "Password-" + username,
            "admin": False, "group": me["group"], "household": me["household"],
            "canInvite": False, "canManage": False, "canOrganize": True,
        }, token=admin)
        user_ids.append(u["id"])
    tokens = [login(email, "Password-" + username) for username, _, email in USERS]

    # organizers
    tags = [call("POST", "/api/organizers/tags", {"name": n}, token=admin) for n in TAGS]
    cats = [call("POST", "/api/organizers/categories", {"name": n}, token=admin) for n in CATEGORIES]
    tools = [call("POST", "/api/organizers/tools", {"name": n}, token=admin) for n in TOOLS]

    def ref(o):
        return {"id": o["id"], "name": o["name"], "slug": o["slug"]}

    # recipes, created by the members in turn
    slugs, recipe_ids = [], []
    for i in range(N_RECIPES):
        tok = tokens[i % len(tokens)]
        name = f"{WORDS[i % len(WORDS)]} {DISHES[(i // len(WORDS) + i) % len(DISHES)]} {i:03d}"
        slug = call("POST", "/api/recipes", {"name": name}, token=tok)
        ingredients = []
        for k in range(5 + i % 4):
            food = foods[(i * 7 + k * 13) % len(foods)]
            unit = units[(i + k) % len(units)]
            ingredients.append({
                "quantity": 1 + (i + k) % 4, "unit": {"id": unit["id"], "name": unit["name"]},
                "food": {"id": food["id"], "name": food["name"]}, "note": "", "display": "",
                "disableAmount": False, "originalText": None,
                "referenceId": f"00000000-0000-4000-8000-{i:06d}{k:06d}",
            })
        steps = [{"title": "", "summary": "", "text": f"Step {s + 1} of {name}.", "ingredientReferences": []}
                 for s in range(4 + i % 4)]
        patch = {
            "description": f"A {name.lower()} for every day.",
            "recipeYield": f"{2 + i % 4} servings", "prepTime": f"{10 + i % 30} minutes",
            "totalTime": f"{30 + i % 60} minutes",
            "recipeIngredient": ingredients, "recipeInstructions": steps,
            "tags": [ref(tags[(i + j * 7) % len(tags)]) for j in range(3)],
            "recipeCategory": [ref(cats[(i + j * 4) % len(cats)]) for j in range(2)],
            "tools": [ref(tools[(i + j * 3) % len(tools)]) for j in range(2)],
            "notes": [{"title": "Tip", "text": f"Serve {name.lower()} warm."}],
            "nutrition": {"calories": str(200 + i), "proteinContent": str(5 + i % 20)},
            "settings": {"public": True, "showNutrition": True, "showAssets": False,
                         "landscapeView": False, "disableComments": False, "disableAmount": False,
                         "locked": False},
        }
        r = call("PATCH", f"/api/recipes/{slug}", patch, token=tok)
        slugs.append(slug)
        recipe_ids.append(r["id"])

    # one recipe edited again by its author (update of existing children)
    full = call("GET", f"/api/recipes/{slugs[0]}", token=tokens[0])
    full["description"] = "Edited once."
    call("PUT", f"/api/recipes/{slugs[0]}", full, token=tokens[0])

    # browse recipe pages like the UI does (perPage 30, newest first), deep pages too
    for tok in tokens[:4]:
        for page in (1, 2, 3):
            call("GET", q("/api/recipes", page=page, perPage=30, orderBy="created_at",
                          orderDirection="desc", orderByNullPosition="last"), token=tok)
    for page in range(1, 5):
        call("GET", q("/api/recipes", page=page, perPage=30, orderBy="name", orderDirection="asc"), token=admin)
    call("GET", q("/api/recipes", page=5, perPage=20), token=admin)
    call("GET", q("/api/recipes", page=-1, perPage=10), token=admin)
    call("GET", q("/api/recipes", page=1, perPage=-1), token=admin)
    call("GET", q("/api/recipes", page=1, perPage=30, orderBy="random", paginationSeed="2026"), token=tokens[1])
    # search and filters
    for term in ("lemon", "chicken", "soup", "garlic tart", "curry"):
        call("GET", q("/api/recipes", page=1, perPage=30, search=term), token=tokens[2])
    for t in tags[:6]:
        call("GET", q("/api/recipes", page=1, perPage=30, tags=t["id"]), token=tokens[3])
    for c in cats[:4]:
        call("GET", q("/api/recipes", page=1, perPage=30, categories=c["id"]), token=tokens[3])
    call("GET", q("/api/recipes", page=1, perPage=30, tools=tools[0]["id"]), token=tokens[3])
    call("GET", q("/api/recipes", page=1, perPage=30, foods=foods[0]["id"]), token=tokens[3])

    # open recipes
    for i, slug in enumerate(slugs[:30]):
        call("GET", f"/api/recipes/{slug}", token=tokens[i % len(tokens)])
        call("GET", f"/api/recipes/{slug}/comments", token=tokens[i % len(tokens)])
        call("GET", q("/api/recipes/timeline/events", page=1, perPage=32,
                      queryFilter=f'recipe_id="{recipe_ids[i]}"', orderBy="timestamp",
                      orderDirection="asc"), token=tokens[i % len(tokens)])

    # comments, ratings, favourites, timeline
    for i in range(40):
        tok = tokens[i % len(tokens)]
        call("POST", "/api/comments", {"recipeId": recipe_ids[i % 20], "text": f"Comment {i}"}, token=tok)
    for u, uid in enumerate(user_ids):
        for j in range(4):
            s = slugs[(u * 5 + j) % 40]
            call("POST", f"/api/users/{uid}/ratings/{s}", {"rating": 1 + (u + j) % 5, "isFavorite": j % 2 == 0},
                 token=tokens[u])
    for i in range(20):
        call("POST", "/api/recipes/timeline/events", {
            "recipeId": recipe_ids[i], "subject": "Made it", "eventType": "comment",
            "eventMessage": f"Cooked {i}", "timestamp": f"2026-11-{1 + i % 28:02d}T18:00:00Z"},
            token=tokens[i % len(tokens)])
    for i in range(8):
        call("PATCH", f"/api/recipes/{slugs[i]}/last-made", {"timestamp": "2026-11-30T19:00:00Z"},
             token=tokens[i % len(tokens)])
    for i, slug in enumerate(slugs[:10]):
        call("GET", f"/api/recipes/{slug}", token=tokens[i])
        call("GET", f"/api/recipes/{slug}/comments", token=tokens[i])
    call("GET", "/api/comments", token=admin)
    call("GET", q("/api/comments", page=1, perPage=50), token=admin)
    for u, uid in enumerate(user_ids[:6]):
        call("GET", "/api/users/self/ratings", token=tokens[u])
        call("GET", "/api/users/self/favorites", token=tokens[u])
        call("GET", f"/api/users/{uid}/favorites", token=tokens[u])
        call("GET", f"/api/users/{uid}/ratings", token=tokens[u])
        call("GET", f"/api/users/self/ratings/{recipe_ids[(u * 5) % 40]}", token=tokens[u])
    call("GET", q("/api/recipes/timeline/events", page=1, perPage=50, orderBy="timestamp",
                  orderDirection="desc"), token=admin)

    # meal plans: four weeks, three meals a day, by different members
    entry_types = ("breakfast", "lunch", "dinner")
    plan_ids = []
    for d in range(20):
        for m, et in enumerate(entry_types):
            p = call("POST", "/api/households/mealplans", {
                "date": f"2026-12-{1 + d:02d}", "entryType": et,
                "recipeId": recipe_ids[(d * 3 + m) % N_RECIPES], "title": "", "text": ""},
                token=tokens[(d + m) % len(tokens)])
            plan_ids.append(p["id"])
    call("POST", "/api/households/mealplans", {"date": "2026-12-05", "entryType": "side",
                                               "title": "Leftovers", "text": "From the fridge"}, token=admin)
    for tok in tokens[:4]:
        call("GET", q("/api/households/mealplans", start_date="2026-12-01", end_date="2026-12-07",
                      page=1, perPage=-1), token=tok)
        call("GET", "/api/households/mealplans/today", token=tok)
    call("GET", q("/api/households/mealplans", start_date="2026-12-01", end_date="2026-12-20",
                  page=1, perPage=-1), token=admin)
    call("GET", q("/api/households/mealplans", page=2, perPage=30), token=admin)
    call("POST", "/api/households/mealplans/rules", {"day": "monday", "entryType": "dinner",
                                                     "queryFilterString": f'tags.id IN ["{tags[0]["id"]}"]'},
         token=admin)
    call("GET", "/api/households/mealplans/rules", token=admin)
    for i in range(3):
        call("POST", "/api/households/mealplans/random", {"date": f"2026-12-{21 + i:02d}", "entryType": "dinner"},
             token=admin)
    for pid in plan_ids[:5]:
        call("GET", f"/api/households/mealplans/{pid}", token=admin)

    # shopping lists: recipes added to lists, items checked, lists read
    lists = []
    for n in range(3):
        lists.append(call("POST", "/api/households/shopping/lists", {"name": f"List {n + 1}"}, token=tokens[n]))
    for n, sl in enumerate(lists):
        for i in range(4):
            call("POST", f"/api/households/shopping/lists/{sl['id']}/recipe/{recipe_ids[n * 4 + i]}",
                 {"recipeIncrementQuantity": 1}, token=tokens[n])
        call("POST", "/api/households/shopping/items/create-bulk", [
            {"shoppingListId": sl["id"], "note": f"Extra {n}-{k}", "quantity": 1, "isFood": False,
             "checked": False, "position": 100 + k} for k in range(10)], token=tokens[n])
    for n, sl in enumerate(lists):
        full = call("GET", f"/api/households/shopping/lists/{sl['id']}", token=tokens[n])
        items = full["listItems"]
        for it in items[:6]:
            it["checked"] = True
        call("PUT", "/api/households/shopping/items", items[:6], token=tokens[n])
        call("PUT", f"/api/households/shopping/items/{items[6]['id']}", dict(items[6], quantity=3), token=tokens[n])
        call("GET", f"/api/households/shopping/lists/{sl['id']}", token=tokens[n])
        call("GET", q("/api/households/shopping/items", page=1, perPage=50,
                      queryFilter=f'shopping_list_id="{sl["id"]}"'), token=tokens[n])
    for tok in tokens[:4]:
        call("GET", q("/api/households/shopping/lists", page=1, perPage=-1, orderBy="name",
                      orderDirection="asc"), token=tok)
    call("POST", f"/api/households/shopping/lists/{lists[0]['id']}/recipe/{recipe_ids[0]}/delete",
         {"recipeDecrementQuantity": 1}, token=tokens[0])
    label_settings = call("GET", f"/api/households/shopping/lists/{lists[1]['id']}", token=tokens[1])["labelSettings"]
    call("PUT", f"/api/households/shopping/lists/{lists[1]['id']}/label-settings", label_settings, token=tokens[1])
    call("DELETE", f"/api/households/shopping/lists/{lists[2]['id']}", token=tokens[2])

    # cookbooks by tag and category
    cookbooks = []
    for n in range(6):
        cb = call("POST", "/api/households/cookbooks", {
            "name": f"Cookbook {n + 1}", "description": "", "public": n % 2 == 0,
            "queryFilterString": f'tags.id IN ["{tags[n]["id"]}"] OR recipe_category.id IN ["{cats[n]["id"]}"]'},
            token=admin)
        cookbooks.append(cb)
    for tok in tokens[:3]:
        call("GET", q("/api/households/cookbooks", page=1, perPage=-1), token=tok)
    for cb in cookbooks:
        call("GET", f"/api/households/cookbooks/{cb['id']}", token=admin)
        call("GET", q("/api/recipes", page=1, perPage=30, cookbook=cb["slug"]), token=admin)

    # organizer pages
    for tok in tokens[:2]:
        call("GET", q("/api/organizers/tags", page=1, perPage=-1, orderBy="name", orderDirection="asc"), token=tok)
        call("GET", q("/api/organizers/categories", page=1, perPage=-1, orderBy="name", orderDirection="asc"),
             token=tok)
        call("GET", q("/api/organizers/tools", page=1, perPage=-1, orderBy="name", orderDirection="asc"), token=tok)
    call("GET", "/api/organizers/tags/empty", token=admin)
    for t in tags[:5]:
        call("GET", f"/api/organizers/tags/{t['id']}", token=admin)
        call("GET", f"/api/organizers/tags/slug/{t['slug']}", token=admin)
    for c in cats[:5]:
        call("GET", f"/api/organizers/categories/{c['id']}", token=admin)
        call("GET", f"/api/organizers/categories/slug/{c['slug']}", token=admin)
    for t in tools[:3]:
        call("GET", f"/api/organizers/tools/{t['id']}", token=admin)
        call("GET", f"/api/organizers/tools/slug/{t['slug']}", token=admin)

    # foods, units, labels pages
    for page in (1, 2, 5, 10):
        call("GET", q("/api/foods", page=page, perPage=50, orderBy="name", orderDirection="asc"), token=admin)
    call("GET", q("/api/foods", page=1, perPage=30, search="onion"), token=admin)
    call("GET", q("/api/units", page=1, perPage=-1), token=admin)
    call("GET", q("/api/groups/labels", page=1, perPage=-1), token=admin)
    for f in foods[:5]:
        call("GET", f"/api/foods/{f['id']}", token=admin)

    # bulk actions and writes
    call("POST", "/api/recipes/bulk-actions/tag", {"recipes": slugs[60:72], "tags": [ref(tags[29])]}, token=admin)
    call("POST", "/api/recipes/bulk-actions/categorize",
         {"recipes": slugs[60:72], "categories": [ref(cats[14])]}, token=admin)
    call("POST", "/api/recipes/bulk-actions/settings",
         {"recipes": slugs[72:78], "settings": {"public": False, "showNutrition": False, "showAssets": False,
                                                  "landscapeView": False, "disableComments": True,
                                                  "disableAmount": False, "locked": False}}, token=admin)
    call("POST", f"/api/recipes/{slugs[5]}/duplicate", {"name": "Copy of five"}, token=tokens[5])
    call("POST", "/api/recipes/bulk-actions/delete", {"recipes": slugs[90:96]}, token=admin)
    call("DELETE", f"/api/recipes/{slugs[89]}", token=admin)

    # household, group and admin pages
    for tok in tokens[:3]:
        call("GET", "/api/households/members", token=tok)
        call("GET", "/api/groups/members", token=tok)
        call("GET", "/api/households/statistics", token=tok)
        call("GET", "/api/households/preferences", token=tok)
        call("GET", "/api/users/self", token=tok)
    call("GET", "/api/groups/households", token=admin)
    call("GET", "/api/groups/storage", token=admin)
    call("GET", "/api/admin/about/statistics", token=admin)
    call("GET", q("/api/admin/users", page=1, perPage=-1), token=admin)
    call("GET", q("/api/admin/users", page=2, perPage=5), token=admin)
    call("GET", q("/api/admin/households", page=1, perPage=-1), token=admin)
    call("GET", q("/api/admin/groups", page=1, perPage=-1), token=admin)
    for uid in user_ids[:3]:
        call("GET", f"/api/admin/users/{uid}", token=admin)
    call("GET", "/api/households/events/notifications", token=admin)
    call("GET", "/api/households/webhooks", token=admin)

    # public recipe pages of the group (explore API, no token)
    group = call("GET", "/api/groups/self", token=admin)
    prefs = call("GET", "/api/groups/preferences", token=admin)
    prefs["privateGroup"] = False
    call("PUT", "/api/groups/preferences", prefs, token=admin)
    hprefs = call("GET", "/api/households/preferences", token=admin)
    hprefs["privateHousehold"] = False
    call("PUT", "/api/households/preferences", hprefs, token=admin)
    gs = group["slug"]
    for page in (1, 2, 4):
        call("GET", q(f"/api/explore/groups/{gs}/recipes", page=page, perPage=30))
    for slug in slugs[:5]:
        call("GET", f"/api/explore/groups/{gs}/recipes/{slug}")
    call("GET", q(f"/api/explore/groups/{gs}/organizers/tags", page=1, perPage=-1))
    call("GET", q(f"/api/explore/groups/{gs}/organizers/categories", page=1, perPage=-1))
    call("GET", q(f"/api/explore/groups/{gs}/cookbooks", page=1, perPage=-1))
    call("GET", q(f"/api/explore/groups/{gs}/foods", page=1, perPage=50))

    print(f"calls {CALLS['n']} errors {CALLS['errors']}", file=sys.stderr)


if __name__ == "__main__":
    main()
