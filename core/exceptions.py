"""Exceptions services raise; the API's exception handler and the page views translate them."""

from django.utils.translation import gettext_lazy as _


class StaleVersion(Exception):
    """The row changed since the caller read it (optimistic concurrency). HTTP 412."""

    message = _("Objektet er endret av noen andre siden du hentet det. Hent det på nytt og prøv igjen.")
