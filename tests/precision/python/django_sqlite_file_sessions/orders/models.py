from django.db import models


class Order(models.Model):
    customer = models.CharField(max_length=120)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    created = models.DateTimeField(auto_now_add=True)
