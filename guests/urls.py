"""Back-office screens of the guests app."""

app_name = "guests"
urlpatterns: list = []
