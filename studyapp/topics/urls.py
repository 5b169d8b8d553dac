from django.urls import path

from studyapp.topics import views

urlpatterns = [
    path("topics/", views.topic_index, name="topic_index"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic_detail"),
    path("topics/<slug:slug>/read/", views.mark_read, name="topic_mark_read"),
    path("search/", views.search, name="search"),
    path("cheatsheet/", views.cheat_sheet, name="cheat_sheet"),
    path("glossary/", views.glossary_page, name="glossary"),
    path("pricing/", views.pricing_calculator, name="pricing"),
]
