"""Who may do what with a kommune. One place, used by pages and the API alike.

Until roles per kommune exist (the tenancy issue replaces this), anyone logged in may read and
superusers may change a kommune's settings and population figures.
"""


def can_change_kommune(user) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser)
