from allauth.account.adapter import DefaultAccountAdapter


class ClosedSignupAccountAdapter(DefaultAccountAdapter):
    """No self-service sign-up: accounts are created by the kommune (see README, grant_role)."""

    def is_open_for_signup(self, request) -> bool:
        return False
