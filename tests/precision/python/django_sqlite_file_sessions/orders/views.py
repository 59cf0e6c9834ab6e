import json

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from .models import Order


@require_POST
def create_order(request):
    payload = json.loads(request.body)
    order = Order.objects.create(customer=payload["customer"], total=payload["total"])
    request.session["last_order"] = order.pk
    return JsonResponse({"id": order.pk}, status=201)


def order_detail(request, pk):
    order = get_object_or_404(Order, pk=pk)
    return JsonResponse({"id": order.pk, "customer": order.customer, "total": str(order.total)})
