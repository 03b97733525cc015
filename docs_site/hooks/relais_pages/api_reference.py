"""The API reference page, rendered in Markdown from the OpenAPI document."""

from __future__ import annotations

from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")
STATUS_LABELS = {
    "200": "Succès",
    "201": "Créé",
    "202": "Demande acceptée",
    "204": "Succès, sans contenu",
    "304": "Non modifié depuis la version indiquée par If-None-Match",
    "400": "Requête incorrecte",
    "401": "Authentification requise",
    "403": "Accès refusé",
    "404": "Introuvable",
    "409": "Conflit",
    "422": "Données invalides (champs nommés dans invalid_params)",
    "429": "Trop de demandes",
}
ENGLISH_DEFAULTS = {
    "OK",
    "Created",
    "Accepted",
    "No Content",
    "Not Modified",
    "Unprocessable Entity",
    "Default error response",
    "Tag to check against",
}
PARAMETER_LABELS = {
    "If-None-Match": "ETag d'une réponse précédente\u00a0: 304 sans corps si rien n'a changé",
}
LOCATIONS = {"query": "requête", "path": "chemin", "header": "en-tête", "cookie": "cookie"}
HEADER = """---
title: Référence de l'API
description: Chaque point d'accès de l'API Relais, généré à partir de sa description OpenAPI.
---

# Référence de l'API

Cette page est générée à partir de la description OpenAPI de Relais au moment de la
construction du site. Le document complet est téléchargeable au format JSON :
[openapi.json](openapi.json). Les principes communs (jetons, ETag, erreurs, pagination) sont
expliqués dans [L'API Relais](api.md).

"""


def render(spec: dict[str, Any] | None) -> str:
    if spec is None:
        return HEADER + (
            '!!! info "Référence indisponible"\n\n'
            "    La description OpenAPI n'a pas pu être lue lors de la construction du site.\n"
        )
    lines = [HEADER]
    for tag in spec.get("tags", []):
        operations = list(_operations(spec, tag["name"]))
        if not operations:
            continue
        lines.append(f"## {_cell(tag.get('description') or tag['name'])}\n")
        for method, path, operation, shared in operations:
            lines.extend(_operation(spec, method, path, operation, shared))
    return "\n".join(lines)


def _operations(spec: dict[str, Any], tag: str):
    for path, item in spec.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in METHODS:
            operation = item.get(method)
            if operation and tag in operation.get("tags", []):
                yield method, path, operation, shared


def _operation(
    spec: dict[str, Any], method: str, path: str, operation: dict[str, Any], shared: list
) -> list[str]:
    out = [f"### `{method.upper()} {path}`\n"]
    summary = operation.get("summary") or operation.get("description") or ""
    if summary:
        out.append(f"{summary}\n")
    out.append(f"**Authentification**\u00a0: {_security(spec, operation)}.\n")
    params = [_resolve(spec, p) for p in [*shared, *operation.get("parameters", [])]]
    if params:
        out.append("| Paramètre | Où | Type | Obligatoire | Description |")
        out.append("|---|---|---|---|---|")
        for p in params:
            out.append(
                f"| `{p['name']}` | {LOCATIONS.get(p['in'], p['in'])} | "
                f"{_type(spec, p.get('schema', {}))} | {'oui' if p.get('required') else 'non'} | "
                f"{_cell(_param_text(p))} |"
            )
        out.append("")
    body = operation.get("requestBody")
    if body:
        out.extend(_body(spec, body))
    out.append("| Réponse | Signification |")
    out.append("|---|---|")
    for status, response in sorted(operation.get("responses", {}).items()):
        response = _resolve(spec, response)
        text = _french(response.get("description", "")) or STATUS_LABELS.get(status, "")
        out.append(f"| `{status}` | {_cell(text)} |")
    out.append("")
    return out


def _body(spec: dict[str, Any], body: dict[str, Any]) -> list[str]:
    content = body.get("content", {})
    media, payload = next(iter(content.items()), ("application/json", {}))
    schema = payload.get("schema", {})
    name = schema.get("$ref", "").rsplit("/", 1)[-1]
    resolved = _resolve(spec, schema)
    out = [f"Corps de la requête (`{media}`{f', schéma `{name}`' if name else ''})\u00a0:\n"]
    properties = resolved.get("properties", {})
    if not properties:
        return [*out, ""]
    required = set(resolved.get("required", []))
    out += ["| Champ | Type | Obligatoire | Description |", "|---|---|---|---|"]
    for field, prop in properties.items():
        description = _french(prop.get("description", "")) or _enum(prop)
        out.append(
            f"| `{field}` | {_type(spec, prop)} | {'oui' if field in required else 'non'} | "
            f"{_cell(description)} |"
        )
    return [*out, ""]


def _security(spec: dict[str, Any], operation: dict[str, Any]) -> str:
    rules = operation.get("security", spec.get("security", []))
    names = {name for rule in rules for name in rule}
    if not names:
        return "aucune"
    labels = {"bearerAuth": "jeton d'accès (`Authorization: Bearer …`)", "apiKey": "clé d'API"}
    return " ou ".join(labels.get(n, n) for n in sorted(names))


def _resolve(spec: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    ref = item.get("$ref")
    if not ref:
        return item
    node: Any = spec
    for part in ref.lstrip("#/").split("/"):
        node = node.get(part, {})
    return node


def _type(spec: dict[str, Any], schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return f"objet `{schema['$ref'].rsplit('/', 1)[-1]}`"
    kind = schema.get("type", "objet")
    if kind == "array":
        return f"liste de {_type(spec, schema.get('items', {}))}"
    labels = {
        "string": "texte",
        "integer": "entier",
        "number": "nombre",
        "boolean": "booléen",
        "object": "objet",
    }
    label = labels.get(kind, kind)
    if schema.get("format") == "date-time":
        label = "date et heure ISO 8601"
    return label + (", vide possible" if schema.get("nullable") else "")


def _enum(schema: dict[str, Any]) -> str:
    values = schema.get("enum")
    return "Valeurs\u00a0: " + ", ".join(f"`{v}`" for v in values) if values else ""


def _param_text(param: dict[str, Any]) -> str:
    if param["name"] in PARAMETER_LABELS:
        return PARAMETER_LABELS[param["name"]]
    return _french(param.get("description", "")) or _enum(param.get("schema", {}))


def _french(text: str) -> str:
    return "" if text in ENGLISH_DEFAULTS else text


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
