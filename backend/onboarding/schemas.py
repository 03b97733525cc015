"""Bodies of adding a structure, its portal connection and its join requests."""

from __future__ import annotations

from marshmallow import fields, validate

from backend.accounts.models import Role
from backend.onboarding.models import JoinState
from backend.schemas import Date, InputSchema, OutputSchema, Siret


class ConnectionIn(InputSchema):
    login = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Identifiant du compte technique Chorus Pro"},
    )
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=1, max=256),
        metadata={"description": "Mot de passe du compte technique (conservé chiffré)"},
    )
    password_expires_on = Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "Date d'expiration du mot de passe ; à défaut, celle du portail"},
    )


class StructureIn(ConnectionIn):
    siret = Siret(required=True, metadata={"description": "SIRET de la structure (14 chiffres)"})


class AddedStructureOut(OutputSchema):
    id = fields.Integer(required=True)
    siret = fields.String(required=True)
    name = fields.String(required=True)
    portal_structure_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "idStructureCPP du portail"}
    )


class RequesterOut(OutputSchema):
    id = fields.Integer(required=True)
    full_name = fields.String(required=True)
    email = fields.String(required=True)


STATES = [s.value for s in JoinState]
ROLES = [r.value for r in Role]


class JoinRequestOut(OutputSchema):
    id = fields.Integer(required=True)
    structure_id = fields.Integer(required=True)
    state = fields.String(required=True, metadata={"enum": STATES})
    created_at = fields.DateTime(required=True)
    decided_at = fields.DateTime(required=True, allow_none=True)


class PendingRequestOut(JoinRequestOut):
    requester = fields.Nested(RequesterOut, required=True, attribute="user")


class AskedStructureOut(OutputSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class MyRequestOut(JoinRequestOut):
    structure = fields.Nested(AskedStructureOut, required=True)


class MyRequestsOut(OutputSchema):
    items = fields.List(fields.Nested(MyRequestOut), required=True)


class PendingRequestsOut(OutputSchema):
    items = fields.List(fields.Nested(PendingRequestOut), required=True)


class AddedOut(OutputSchema):
    outcome = fields.String(
        required=True,
        metadata={
            "enum": ["created", "joined", "requested"],
            "description": "created : structure ajoutée ; joined : structure sans membre "
            "rejointe ; requested : demande d'accès envoyée à ses gestionnaires principaux",
        },
    )
    message = fields.String(required=True)
    structure = fields.Nested(AddedStructureOut, required=True)
    role = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "main_manager, manager ou user ; null tant que la demande attend"},
    )
    join_request = fields.Nested(JoinRequestOut, required=True, allow_none=True)


class DecisionIn(InputSchema):
    role = fields.String(
        load_default=Role.USER.value,
        validate=validate.OneOf(ROLES),
        metadata={"description": "Rôle donné au nouveau membre (utilisateur par défaut)"},
    )


class ConnectionOut(OutputSchema):
    structure = fields.Nested(AddedStructureOut, required=True)
    login = fields.String(required=True)
    password_expires_on = fields.Date(required=True, allow_none=True)
    next_sync_at = fields.DateTime(required=True, allow_none=True)
    message = fields.String(required=True)
