"""The messages of Public Conference that users read (the seed's words where it has them)."""

JOIN_CONFERENCE = "Join Conference"
CANCEL_CONFERENCE = "Cancel Conference"
PUBLIC_LINK = "Get Public Conference Link"
MY_LINK = "Get My Conference Link"
COPIED = "The link was copied to the clipboard."

PUBLIC_NEEDS_VIDEO = ("Public Conference can only be enabled when Video Conferencing is "
                      "enabled.")
NO_VIDEO = "This event type does not have Video Conferencing enabled."
NOT_PUBLIC = "This event does not have Public Conference enabled."
CANCELLED = "This conference has been cancelled."
LINK_INVALID = "This link is not valid."
NOT_ORGANISER = "Only the organiser of the conference or an admin can cancel it."
NOT_ORGANISER_CHANGE = "Only the organiser of the conference can change it."
NOT_LINKED = "You are not linked to this conference."
NO_EMAIL = "This person has no email address."
NO_PHONE = "This person has no phone number."
DISPLAY_NAME = "Enter the name the others will see."
SIGN_IN = "Sign in to vclinic, then follow your link again."


def emails_will_be_sent(staff: int, patients: int) -> str:
    """The confirmation shown once an event is saved."""
    return (f"Emails will be sent to the {staff} staff member{'s' if staff != 1 else ''} and "
            f"{patients} patient{'s' if patients != 1 else ''} linked to the event.")
