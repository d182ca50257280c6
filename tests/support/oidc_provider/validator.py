"""The claims the stand-in provider puts in its ID tokens and userinfo:
what Google Workspace or Entra would say about an account (email, whether it
is verified, and a school account id the roster may carry)."""

import json
import os
from pathlib import Path

from oauth2_provider.oauth2_validators import OAuth2Validator


def _people() -> dict:
    return json.loads((Path(os.environ["OIDC_PROVIDER_DIR"]) / "people.json").read_text())


class ClaimsValidator(OAuth2Validator):
    oidc_claim_scope = None  # every claim, whatever the scope

    def get_additional_claims(self, request):
        person = _people()[request.user.username]
        return {
            "email": person["email"],
            "email_verified": person.get("email_verified", True),
            "preferred_username": request.user.username,
            "school_account_id": person.get("school_account_id", ""),
        }
