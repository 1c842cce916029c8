from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from linli.lib.crypto import keyed_hash
from linli.lib.normalize import normalize_phone


class PhoneOrUsernameBackend(ModelBackend):
    """Log in with a username or with the mobile number of the user's person."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        user = None
        try:
            phone = normalize_phone(username)
        except ValueError:
            phone = ""
        if phone:
            user = User.objects.filter(person__phone_hash=keyed_hash(phone)).first()
        if user is None:
            user = User.objects.filter(username=username.strip()).first()
        if user is None:
            User().set_password(password)  # same time spent as a real check: no user enumeration
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
