"""Texts of django-allauth (and Wagtail) that the project translates itself.

Never imported (it sits beside the settings, which name allauth and Wagtail):
``makemessages`` reads it, so that these messages stay in
locale/ko/LC_MESSAGES/django.po. The project's locale comes first in
LOCALE_PATHS, which wins over every app's catalogue (allauth's Korean
counted recovery codes as "accounts", typed 올비르지 for 올바르지, and mixed
암호, 패스워드 and 비밀번호). tests/accounts/test_account_pages.py checks
that ours are the ones used.
"""

from django.utils.translation import gettext_noop as _
from django.utils.translation import ngettext


def _allauth_messages():
    # Errors and notices (allauth's Python code).
    _("Incorrect code.")
    _("Incorrect password.")
    _("Invalid or expired key.")
    _("Invalid login.")
    _("The email address and/or password you specified are not correct.")
    _("The username and/or password you specified are not correct.")
    _("Too many failed login attempts. Try again later.")
    _("Be patient, you are sending too many requests.")
    _("Please type your current password.")
    _("A user is already registered with this email address.")
    _("You must type the same password each time.")
    _("The password reset token was invalid.")
    _("Successfully signed in as %(name)s.")
    _("You have signed out.")
    _("Password successfully changed.")
    _("Password successfully set.")
    _("Confirmation email sent to %(email)s.")
    _("You have confirmed %(email)s.")
    _("Removed email address %(email)s.")
    _("Primary email address set.")
    _("You cannot remove your primary email address (%(email)s).")
    _("Authenticator app activated.")
    _("Authenticator app deactivated.")
    _("A new set of recovery codes has been generated.")
    _("You cannot activate two-factor authentication until you have verified your email address.")
    _("You cannot add an email address to an account protected by two-factor authentication.")
    # Form labels.
    _("Current Password")
    _("New Password")
    _("New Password (again)")
    _("Password (again)")
    _("Email")
    _("Code")
    _("Authenticator code")
    _("Remember Me")
    # Pages of allauth shown with our layout (email addresses, the second factor's overview).
    _("Email Addresses")
    _("The following email addresses are associated with your account:")
    _("Verified")
    _("Unverified")
    _("Primary")
    _("Make Primary")
    _("Re-send Verification")
    _("Remove")
    _("Add Email Address")
    _("Add Email")
    _("Do you really want to remove the selected email address?")
    _("Warning:")
    _(
        "You currently do not have any email address set up. You should really add an email address so you can "
        "receive notifications, reset your password, etc."
    )
    _("Two-Factor Authentication")
    _("Authenticator App")
    _("Authentication using an authenticator app is active.")
    _("An authenticator app is not active.")
    _("Activate")
    _("Deactivate")
    _("Recovery Codes")
    ngettext(
        "There is %(unused_count)s out of %(total_count)s recovery codes available.",
        "There are %(unused_count)s out of %(total_count)s recovery codes available.",
        2,
    )
    _("No recovery codes set up.")
    _("View")
    _("Download")
    _("Generate")
    _("You are about to generate a new set of recovery codes for your account.")
    _("This action will invalidate your existing codes.")
    _("Are you sure?")
    _("Deactivate Authenticator App")
    _("You are about to deactivate authenticator app based authentication. Are you sure?")
    _("Enter your password:")
    _("Enter an authenticator code:")
    _("Use your password")
    _("Use authenticator app or code")
    # Emails.
    _("Please Confirm Your Email Address")
    _("Password Reset Email")
    _(
        "You're receiving this email because you or someone else has requested a password reset for your user "
        "account.\nIt can be safely ignored if you did not request a password reset. Click the link below to "
        "reset your password."
    )
    _("In case you forgot, your username is %(username)s.")


def _wagtail_labels():
    """The CMS in our words. 역할 is a person's role at a school here (teacher,
    counselor), not a CMS permission group; Wagtail's "workflow" is our
    safeguarding review (검토), and its 자취/워크플로우/리포트 are not words our
    editors use. (Its "Reports" menu is renamed in curriculum.wagtail_hooks:
    our 신고 is a pupil's incident report.)"""
    _("Roles")
    _("Groups")
    _("Group")
    _("Workflows")
    _("Workflow")
    _("Workflow history")
    _("Workflow tasks")
    _("Tasks")
    _("Site history")
    _("Aging pages")
