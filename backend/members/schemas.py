"""Bodies of the members' list and changes, and of invitations."""

from __future__ import annotations

import copy
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from backend.accounts.account_schemas import SignUpIn
from backend.accounts.models import Role
from backend.accounts.roles import ROLE_NAMES
from backend.accounts.schemas import ServiceOut
from backend.schemas import InputSchema, OutputSchema, ParisDateTime, TokenIn

ROLES = [r.value for r in Role]
ROLE_DOC = "main_manager (gestionnaire principal), manager (gestionnaire) ou user (utilisateur)"


def _role(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=validate.OneOf(ROLES), metadata={"description": ROLE_DOC}, **kwargs
    )


def _service_ids(**kwargs: Any) -> fields.List:
    return fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=2**53)),
        validate=validate.Length(max=200),
        metadata={
            "description": "Services destinataires auxquels le membre est restreint (ceux des "
            "factures de la structure) ; vide : tous les services"
        },
        **kwargs,
    )


def _role_name(obj: Any) -> str:
    """The French name of the object's (or the answer's) role."""
    return ROLE_NAMES[Role(obj["role"] if isinstance(obj, dict) else obj.role)]


def role_label(**kwargs: Any) -> fields.Function:
    return fields.Function(_role_name, metadata={"description": "Le rôle, en français"}, **kwargs)


class MemberOut(OutputSchema):
    user_id = fields.Integer(required=True)
    full_name = fields.String(required=True, attribute="user.full_name")
    email = fields.String(required=True, attribute="user.email")
    role = fields.String(required=True, metadata={"enum": ROLES})
    role_label = role_label(required=True)
    services = fields.List(
        fields.Nested(ServiceOut),
        required=True,
        metadata={"description": "Services auxquels le membre est restreint ; vide : tous"},
    )


class MembersOut(OutputSchema):
    items = fields.List(fields.Nested(MemberOut), required=True)


class ServicesOut(OutputSchema):
    items = fields.List(fields.Nested(ServiceOut), required=True)


class MemberChangeIn(InputSchema):
    role = _role()
    service_ids = _service_ids()

    @validates_schema
    def something(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("Indiquez un rôle, des services, ou les deux.")


class InvitationIn(InputSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    role = _role(load_default=Role.USER.value)
    service_ids = _service_ids(load_default=list)


class InvitationOut(OutputSchema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    role = fields.String(required=True, metadata={"enum": ROLES})
    role_label = role_label(required=True)
    services = fields.List(fields.Nested(ServiceOut), required=True)
    invited_by = fields.String(
        required=True, allow_none=True, attribute="invited_by.full_name", dump_default=None
    )
    created_at = ParisDateTime(required=True)
    expires_at = ParisDateTime(required=True)


class InvitationsOut(OutputSchema):
    items = fields.List(fields.Nested(InvitationOut), required=True)


class StructureNameOut(OutputSchema):
    id = fields.Integer(required=True)
    siret = fields.String(required=True)
    name = fields.String(required=True)


class InvitationPreviewOut(OutputSchema):
    email = fields.String(required=True, metadata={"description": "L'adresse invitée"})
    structure = fields.Nested(StructureNameOut, required=True)
    role = fields.String(required=True, metadata={"enum": ROLES})
    role_label = role_label(required=True)
    services = fields.List(fields.Nested(ServiceOut), required=True)
    invited_by = fields.String(
        required=True, allow_none=True, attribute="invited_by.full_name", dump_default=None
    )
    expires_at = ParisDateTime(required=True)
    account_exists = fields.Boolean(
        required=True,
        metadata={"description": "Un compte existe pour cette adresse : se connecter pour "
                  "accepter ; sinon, créer le compte depuis l'invitation"},
    )  # fmt: skip


class InvitationSignUpIn(TokenIn):
    # The same rules as a sign-up's; the address is the invitation's.
    password = copy.deepcopy(SignUpIn._declared_fields["password"])
    full_name = copy.deepcopy(SignUpIn._declared_fields["full_name"])


class JoinedOut(OutputSchema):
    message = fields.String(required=True)
    email = fields.String(required=True, metadata={"description": "Adresse de connexion"})
    structure = fields.Nested(StructureNameOut, required=True)
    role = fields.String(required=True, metadata={"enum": ROLES})


class LeftOut(OutputSchema):
    message = fields.String(required=True)
    erased = fields.Boolean(
        required=True,
        metadata={"description": "Vous étiez le dernier membre : la structure et ses données "
                  "sont effacées de Relais"},
    )  # fmt: skip
