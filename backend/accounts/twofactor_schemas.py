"""Request and response bodies of two-factor authentication."""

from __future__ import annotations

from marshmallow import fields, validate

from backend.schemas import InputSchema, OutputSchema


def _code(description: str) -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Length(min=1, max=32),
        metadata={"description": description},
    )


class TwoFactorCodeIn(InputSchema):
    code = _code("Code à 6 chiffres de l'application d'authentification")


class TwoFactorDisableIn(InputSchema):
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    code = _code("Code à 6 chiffres de l'application, ou un code de secours")


class TwoFactorSetupOut(OutputSchema):
    secret = fields.String(
        required=True, metadata={"description": "Secret TOTP (base32), à saisir à la main"}
    )
    otpauth_uri = fields.String(
        required=True,
        metadata={"description": "URI otpauth:// à présenter en QR code à l'application"},
    )


class RecoveryCodesOut(OutputSchema):
    recovery_codes = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "Dix codes de secours à usage unique, montrés cette fois-ci seulement"
        },
    )


class TwoFactorStatusOut(OutputSchema):
    enabled = fields.Boolean(required=True)
    recovery_codes_left = fields.Integer(
        required=True, metadata={"description": "Codes de secours encore utilisables"}
    )
