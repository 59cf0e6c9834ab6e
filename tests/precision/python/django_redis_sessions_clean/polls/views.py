from django.core.cache import cache
from django.http import JsonResponse
from django.views.decorators.http import require_POST


@require_POST
def vote(request, choice: int):
    if request.session.get("voted"):
        return JsonResponse({"error": "already voted"}, status=409)
    request.session["voted"] = True
    total = cache.incr(f"votes:{choice}", 1) if cache.get(f"votes:{choice}") else cache.set(f"votes:{choice}", 1) or 1
    return JsonResponse({"choice": choice, "votes": total})
