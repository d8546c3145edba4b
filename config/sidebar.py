"""The console's sidebar: every app and model the viewer may open (as Django's app list gives them), with
a badge on the approval queue counting what waits for the viewer's decision."""

from django.contrib import admin

from hitl.inbox import waiting_count

BADGES = {"hitl.hitlapproval": waiting_count}  # model -> a count for its sidebar item


def navigation(request) -> list[dict]:
    groups = []
    for app in admin.site.get_app_list(request):
        items = []
        for model in app["models"]:
            if not model.get("admin_url"):
                continue
            item = {"title": model["name"], "link": model["admin_url"]}
            badge = BADGES.get(f"{app['app_label']}.{model['object_name'].lower()}")
            if badge and (count := badge(request)):
                item["badge"] = count
                item["badge_variant"] = "danger"
            items.append(item)
        if items:
            groups.append({"title": app["name"], "items": items})
    return groups
