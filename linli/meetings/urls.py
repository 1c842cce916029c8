"""Pages of meetings (login required): the list, a meeting, its calendar file and check-in for
participants; planning, invitations, attendance, the QR code, agenda and minutes for organisers;
a venue's week of bookings."""

from django.urls import path

from . import views, views_pdf
from . import views_staff as staff

app_name = "meetings"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.index_export, name="export"),
    path("new/", staff.new, name="new"),
    path("new/places/", staff.new_places, name="new_places"),
    path("new/bookings/", staff.new_bookings, name="new_bookings"),
    path("venues/<int:pk>/", staff.venue, name="venue"),
    path("venues/<int:pk>/book/", staff.book, name="book"),
    path("<str:code>/", views.meeting_page, name="meeting"),
    path("<str:code>/reply/", views.reply, name="reply"),
    path("<str:code>/calendar.ics", views.calendar, name="calendar"),
    path("<str:code>/check-in/<str:token>/", views.check_in, name="check_in"),
    path("<str:code>/minutes.pdf", views_pdf.minutes_pdf_view, name="minutes_pdf"),
    path("<str:code>/minutes/v<int:number>/", views.minutes_version, name="minutes_version"),
    # Organisers.
    path("<str:code>/organise/", staff.organise, name="organise"),
    path("<str:code>/organise/invite/", staff.invite, name="invite"),
    path("<str:code>/organise/reschedule/", staff.reschedule, name="reschedule"),
    path("<str:code>/organise/cancel/", staff.cancel, name="cancel"),
    path("<str:code>/people/", staff.people, name="people"),
    path("<str:code>/people.xlsx", staff.people_export, name="people_export"),
    path("<str:code>/people/mark/", staff.mark, name="mark"),
    path("<str:code>/qr/", staff.qr_page, name="qr"),
    path("<str:code>/qr.png", staff.qr_image, name="qr_image"),
    path("<str:code>/minutes/", staff.minutes, name="minutes"),
    path("<str:code>/minutes/approve/", staff.approve, name="approve"),
    path("<str:code>/agenda/", staff.add_agenda_item, name="agenda"),
]
