from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from . import services


@login_required
@never_cache
def mine(request):
    person = getattr(request.user, "person", None)
    duties = list(services.my_duties(person)) if person else []
    return render(request, "rosters/mine.html", {"duties": duties})


@login_required
@never_cache
def checkin(request, token):
    """GET shows a confirm button (a QR scan must not check in by itself); POST checks in. A post
    the user neither organises nor holds a duty at is a 404, as anywhere."""
    post = get_object_or_404(services.visible_posts(request.user), token=token)
    if request.method == "POST":
        try:
            services.check_in(user=request.user, token=token)
        except services.RosterError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Checked in at your post."))
        return redirect("rosters:mine")
    return render(request, "rosters/checkin.html", {"token": token, "post": post})
