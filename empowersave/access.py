"""Who may open a page: checked on every request, nothing kept in the session but the user id.

Django loads `request.user` from the SQL database on every request (the session holds only the
user's id and a hash of the password), and `has_perms` asks the database again for that request.
So taking away a user's staff status, a permission or the account itself refuses the user's very
next request; no decision is cached across requests.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def staff_permission_required(*permissions):
    """Only an active staff user holding every one of `permissions` gets the view.

    Anonymous visitors go to the login page; a signed-in user who is not active staff, or lacks a
    permission, gets 403. The check runs before anything else the view does (method checks,
    lookups, 404s), so a refused user learns nothing about what exists.
    """

    def decorator(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user.is_active and user.is_staff and user.has_perms(permissions)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return checked

    return decorator
