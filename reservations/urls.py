"""Back-office screens of the reservations app."""

app_name = "reservations"
urlpatterns: list = []
