"""Back-office screens of the audit app."""

app_name = "audit"
urlpatterns: list = []
