"""The fields of the referral forms, in the data dictionary's terms, so they get the same editors,
parsing and inline messages as every other form.

``youthcase.domain.dictionary`` has no referral entities yet; these belong there (and in
docs/data-dictionary.md) once the services check referrals through the dictionary. The limits come
from the services, so nothing is defined twice.
"""

from __future__ import annotations

from youthcase.domain import codes
from youthcase.domain.dictionary import EntitySpec, FieldKind, FieldSpec, Sensitivity
from youthcase.services.referrals import MAX_REASON
from youthcase.services.service_directory import MAX_CHASE_INTERVAL_DAYS

K = FieldKind
FREE = Sensitivity.FREE_TEXT

REFERRAL = EntitySpec(
    "referral",
    "Referral",
    (
        FieldSpec("urgency", "Urgency", K.CODE, code_list=codes.REFERRAL_URGENCY, required=True),
        FieldSpec(
            "reason",
            "Reason for referral",
            K.NOTES,
            FREE,
            required=True,
            max_length=MAX_REASON,
            help="What the service needs to know; it goes into the referral letter",
        ),
        FieldSpec(
            "consent_override_reason",
            "Reason to refer without consent",
            K.NOTES,
            FREE,
            max_length=MAX_REASON,
            help="Such as a risk of serious harm. It is recorded on the referral and audited",
        ),
    ),
    "A referral of the young person to another service.",
)

REFERRAL_STEP = EntitySpec(
    "referral_step",
    "Referral step",
    (
        FieldSpec("on", "Date", K.DATE, required=True, help="Today unless it happened earlier; never in the future"),
        FieldSpec("decline_reason", "Why it was declined", K.CODE, code_list=codes.DECLINE_REASON),
        FieldSpec("note", "Note", K.NOTES, FREE, max_length=MAX_REASON),
    ),
    "A dated milestone of a referral.",
)

SERVICE = EntitySpec(
    "service_provider",
    "Service",
    (
        FieldSpec("service_type", "Type", K.CODE, code_list=codes.SERVICE_TYPE, required=True),
        FieldSpec("name", "Name", K.TEXT, required=True, max_length=200),
        FieldSpec(
            "provider", "Provider", K.TEXT, max_length=200, help="The organisation that runs it, such as an NHS trust"
        ),
        FieldSpec("borough", "Borough", K.CODE, code_list=codes.BOROUGH),
        FieldSpec("phone", "Phone", K.TEXT, max_length=40),
        FieldSpec("email", "Email", K.TEXT, max_length=200),
        FieldSpec("address", "Address", K.TEXT, max_length=300, help="Printed on referral letters"),
        FieldSpec(
            "chase_interval_days",
            "Chase after (days)",
            K.INTEGER,
            required=True,
            minimum=1,
            maximum=MAX_CHASE_INTERVAL_DAYS,
            help="Overdue when nothing is recorded for longer",
        ),
        FieldSpec("active", "Offered for new referrals", K.BOOLEAN, required=True),
    ),
    "An entry of the service directory.",
)
