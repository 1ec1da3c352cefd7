"""Back-office screens of the members app."""

app_name = "members"
urlpatterns: list = []
