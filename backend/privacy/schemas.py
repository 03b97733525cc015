"""The export of one's data and the deletion of one's account: bodies and answers."""

from __future__ import annotations

from marshmallow import fields, validate

from backend.schemas import InputSchema, OutputSchema, ParisDateTime


def _nullable(field: fields.Field) -> fields.Field:
    field.allow_none = True
    return field


class ProfileOut(OutputSchema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    full_name = fields.String(required=True)
    locale = fields.String(required=True)
    is_admin = fields.Boolean(required=True)
    is_trainer = fields.Boolean(required=True)
    created_at = ParisDateTime(required=True)


class StructureRefOut(OutputSchema):
    id = fields.Integer(required=True)
    siret = fields.String(required=True)
    name = fields.String(required=True)


class ServiceRefOut(OutputSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    recipient_siret = fields.String(required=True, attribute="recipient.siret")
    recipient_name = fields.String(required=True, attribute="recipient.name")


class MembershipExportOut(OutputSchema):
    structure = fields.Nested(StructureRefOut, required=True)
    role = fields.String(required=True)
    role_label = fields.String(required=True)
    services = fields.List(
        fields.Nested(ServiceRefOut),
        required=True,
        allow_none=True,
        metadata={"description": "Services autorisés ; null = tous les services"},
    )


class SessionExportOut(OutputSchema):
    id = fields.Integer(required=True)
    device = _nullable(
        fields.String(
            required=True,
            attribute="user_agent",
            metadata={"description": "User-Agent de l'appareil à la connexion"},
        )
    )
    created_at = ParisDateTime(required=True)
    last_used_at = _nullable(ParisDateTime(required=True))
    revoked_at = _nullable(ParisDateTime(required=True))


class ApiKeyExportOut(OutputSchema):
    name = fields.String(required=True)
    structure_ids = fields.List(fields.Integer(), required=True)
    created_at = ParisDateTime(required=True)
    revoked_at = _nullable(ParisDateTime(required=True))


class DeviceExportOut(OutputSchema):
    id = fields.Integer(required=True)
    token = fields.String(required=True, metadata={"description": "Jeton masqué"})
    platform = fields.String(required=True)
    locale = fields.String(required=True)
    time_zone = _nullable(fields.String(required=True))
    app_version = _nullable(fields.String(required=True))
    active = fields.Boolean(required=True)
    deactivated_reason = _nullable(fields.String(required=True))
    created_at = ParisDateTime(required=True)
    last_seen_at = ParisDateTime(required=True)


class NotificationSettingsExportOut(OutputSchema):
    time_zone = fields.String(required=True)
    quiet_start = _nullable(fields.Time(required=True, format="%H:%M"))
    quiet_end = _nullable(fields.Time(required=True, format="%H:%M"))
    quiet_bypass_action_required = fields.Boolean(required=True)
    service_notices = fields.Boolean(required=True)


class NotificationPreferenceExportOut(OutputSchema):
    structure_id = fields.Integer(required=True)
    action_required = fields.Boolean(required=True)
    payment = fields.Boolean(required=True)
    every_change = fields.Boolean(required=True)


class NotificationExportOut(OutputSchema):
    id = fields.Integer(required=True)
    structure_id = _nullable(fields.Integer(required=True))
    invoice_id = _nullable(fields.Integer(required=True))
    kind = fields.String(required=True)
    category = fields.String(required=True)
    status_code = _nullable(fields.String(required=True))
    title = fields.String(required=True)
    body = fields.String(required=True)
    created_at = ParisDateTime(required=True)
    read_at = _nullable(ParisDateTime(required=True))


class TwoFactorExportOut(OutputSchema):
    enabled = fields.Boolean(required=True)
    enabled_since = _nullable(ParisDateTime(required=True))
    recovery_codes_left = fields.Integer(required=True)


class JoinRequestExportOut(OutputSchema):
    structure = fields.Nested(StructureRefOut, required=True)
    state = fields.String(required=True)
    created_at = ParisDateTime(required=True)
    decided_at = _nullable(ParisDateTime(required=True))


class EmailChangeExportOut(OutputSchema):
    new_email = fields.String(required=True, attribute="email")
    requested_at = ParisDateTime(required=True, attribute="created_at")
    expires_at = ParisDateTime(required=True)


class TrainingRefOut(OutputSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    starts_at = ParisDateTime(required=True)
    state = fields.String(required=True)


class RegistrationExportOut(OutputSchema):
    training = fields.Nested(TrainingRefOut, required=True)
    email = fields.String(required=True)
    full_name = fields.String(required=True)
    structure_name = fields.String(required=True)
    siret = _nullable(fields.String(required=True))
    state = fields.String(required=True)
    consent_at = ParisDateTime(required=True)
    email_confirmed_at = _nullable(ParisDateTime(required=True))
    cancelled_at = _nullable(ParisDateTime(required=True))
    attended = _nullable(fields.Boolean(required=True))
    created_at = ParisDateTime(required=True)


class NewsletterExportOut(OutputSchema):
    email = fields.String(required=True)
    state = fields.String(required=True)
    consent_at = ParisDateTime(required=True)
    confirmed_at = _nullable(ParisDateTime(required=True))
    unsubscribed_at = _nullable(ParisDateTime(required=True))


class InvitationExportOut(OutputSchema):
    structure = fields.Nested(StructureRefOut, required=True)
    email = fields.String(required=True, metadata={"description": "Adresse invitée"})
    role = fields.String(required=True)
    created_at = ParisDateTime(required=True)
    expires_at = ParisDateTime(required=True)
    accepted_at = _nullable(ParisDateTime(required=True))
    revoked_at = _nullable(ParisDateTime(required=True))


class ExportOut(OutputSchema):
    format = fields.String(required=True, metadata={"example": "relais-export/1"})
    generated_at = ParisDateTime(required=True)
    about = fields.String(required=True)
    profile = fields.Nested(ProfileOut, required=True)
    memberships = fields.List(fields.Nested(MembershipExportOut), required=True)
    sessions = fields.List(fields.Nested(SessionExportOut), required=True)
    api_keys = fields.List(
        fields.Nested(ApiKeyExportOut),
        required=True,
        metadata={"description": "Clés d'intégration de vos structures (noms, jamais la clé)"},
    )
    devices = fields.List(fields.Nested(DeviceExportOut), required=True)
    notification_settings = fields.Nested(
        NotificationSettingsExportOut, required=True, allow_none=True
    )
    notification_preferences = fields.List(
        fields.Nested(NotificationPreferenceExportOut), required=True
    )
    notifications = fields.List(fields.Nested(NotificationExportOut), required=True)
    two_factor = fields.Nested(TwoFactorExportOut, required=True)
    join_requests = fields.List(fields.Nested(JoinRequestExportOut), required=True)
    email_changes_pending = fields.List(fields.Nested(EmailChangeExportOut), required=True)
    training_registrations = fields.List(fields.Nested(RegistrationExportOut), required=True)
    trainings_given = fields.List(fields.Nested(TrainingRefOut), required=True)
    invitations_sent = fields.List(
        fields.Nested(InvitationExportOut),
        required=True,
        metadata={"description": "Invitations que vous avez envoyées"},
    )
    invitations_received = fields.List(
        fields.Nested(InvitationExportOut),
        required=True,
        metadata={"description": "Invitations adressées à votre adresse"},
    )
    newsletter = fields.Nested(NewsletterExportOut, required=True, allow_none=True)


class DeleteAccountIn(InputSchema):
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    code = fields.String(
        validate=validate.Length(min=1, max=32),
        metadata={
            "description": "Code de double authentification (6 chiffres) ou code de secours, "
            "demandé si le compte l'a activée"
        },
    )


class DeletedOut(OutputSchema):
    message = fields.String(required=True)
    structures_left = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Structures quittées : leurs factures restent à leurs membres"},
    )
    structures_erased = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Structures dont vous étiez le dernier membre, retirées"},
    )
