"""Model fields that keep personal data encrypted at rest."""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import InvalidToken
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from . import crypto


class EncryptedJSONField(models.Field[Any, Any]):
    """A JSON document stored as one Fernet token: the application sees a dict, the database
    (and its backups) only ciphertext. Not searchable, by design."""

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return self.get_default() if not self.null else None
        return self.to_python(value)

    def to_python(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return json.loads(crypto.decrypt(value))
        except InvalidToken:
            # A row written before the field was encrypted; it is encrypted when next saved.
            return json.loads(value)

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return crypto.encrypt(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj), cls=DjangoJSONEncoder, ensure_ascii=False)
