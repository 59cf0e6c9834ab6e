from django.urls import path

from polls import views

urlpatterns = [path("vote/<int:choice>/", views.vote)]
