"""Request and response bodies of account management (sign-up, links, password, sessions)."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate

from backend.accounts.passwords import MAX_LENGTH
from backend.schemas import InputSchema, OutputSchema, ParisDateTime, TokenIn


def _email() -> fields.Email:
    return fields.Email(required=True, validate=validate.Length(max=254))


def _new_password() -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_LENGTH),
        metadata={"description": "Au moins PASSWORD_MIN_LENGTH caractères, difficile à deviner"},
    )


def _a_name(value: str) -> None:
    """A person's name: one line, not blank (it greets them in every e-mail)."""
    if not value.strip():
        raise ValidationError("Indiquez votre nom.")
    if any(character in value for character in "\r\n\t"):
        raise ValidationError("Le nom doit tenir sur une ligne.")


def _full_name() -> fields.String:
    return fields.String(required=True, validate=[validate.Length(min=1, max=200), _a_name])


class SignUpIn(InputSchema):
    email = _email()
    password = _new_password()
    full_name = _full_name()


class ProfileIn(InputSchema):
    full_name = _full_name()


class PasswordCheckIn(InputSchema):
    password = fields.String(required=True, validate=validate.Length(min=1, max=MAX_LENGTH))
    email = fields.String(
        load_default="",
        validate=validate.Length(max=254),
        metadata={"description": "Adresse du compte : un mot de passe qui la reprend est refusé"},
    )
    full_name = fields.String(
        load_default="",
        validate=validate.Length(max=200),
        metadata={"description": "Nom de la personne : un mot de passe qui le reprend est refusé"},
    )


class PasswordCheckOut(OutputSchema):
    acceptable = fields.Boolean(
        required=True, metadata={"description": "Le mot de passe serait accepté tel quel"}
    )
    message = fields.String(
        required=True, allow_none=True, metadata={"description": "Pourquoi il serait refusé"}
    )


class ResetRequestIn(InputSchema):
    email = _email()


class ResetIn(TokenIn):
    password = _new_password()


class PasswordChangeIn(InputSchema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    new_password = _new_password()


class EmailChangeIn(InputSchema):
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    new_email = _email()


class MessageOut(OutputSchema):
    message = fields.String(required=True)


class AccountCreatedOut(OutputSchema):
    message = fields.String(required=True)
    email = fields.String(required=True, metadata={"description": "Adresse de connexion"})


class SessionOut(OutputSchema):
    id = fields.Integer(required=True)
    device = fields.String(
        required=True, allow_none=True, metadata={"description": "User-Agent à la connexion"}
    )
    created_at = ParisDateTime(required=True)
    last_used_at = ParisDateTime(
        required=True, metadata={"description": "Dernier renouvellement des jetons"}
    )
    current = fields.Boolean(required=True, metadata={"description": "La session de la requête"})


class SessionListOut(OutputSchema):
    items = fields.List(fields.Nested(SessionOut), required=True)


class RevokedOut(OutputSchema):
    revoked = fields.Integer(required=True, metadata={"description": "Sessions terminées"})
