"""Request and response bodies of authentication and `/me`."""

from __future__ import annotations

from marshmallow import fields, validate

from backend.schemas import InputSchema, OutputSchema


class LoginIn(InputSchema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    otp = fields.String(
        validate=validate.Length(min=1, max=32),
        metadata={
            "description": "Code de double authentification (6 chiffres) ou code de secours, "
            "si le compte l'a activée ; sans lui, la réponse est un 401 de type "
            "urn:relais:problem:two-factor-required"
        },
    )


class RefreshIn(InputSchema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=10, max=200))


class TokenPairOut(OutputSchema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_in = fields.Integer(required=True, metadata={"description": "secondes"})
    refresh_token = fields.String(required=True)
    refresh_expires_in = fields.Integer(required=True)


class ServiceOut(OutputSchema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)


class MembershipOut(OutputSchema):
    id = fields.Integer(required=True, attribute="structure.id")
    siret = fields.String(required=True, attribute="structure.siret")
    name = fields.String(required=True, attribute="structure.name")
    role = fields.String(required=True)
    role_label = fields.String(required=True)
    services = fields.List(
        fields.Nested(ServiceOut),
        allow_none=True,
        metadata={"description": "Services autorisés ; null = tous les services"},
    )
    actions = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "Ce que le rôle permet dans la structure (la table des rôles, "
            "backend/accounts/roles.py) : see_members, invite, change_members, "
            "remove_members, leave…"
        },
    )
    sole_member = fields.Boolean(
        required=True,
        metadata={
            "description": "Vous êtes son seul membre : la quitter l'efface de Relais avec "
            "ses données"
        },
    )


class MeOut(OutputSchema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    full_name = fields.String(required=True)
    locale = fields.String(required=True)
    is_admin = fields.Boolean(required=True)
    is_trainer = fields.Boolean(required=True)
    structures = fields.List(fields.Nested(MembershipOut), required=True)
