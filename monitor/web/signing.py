"""E-signatures from a page: the signed-in person types her password again, and the act
is signed with her name and its meaning (Part 11 §11.200: each signing asks for it).

The requests are those of the API (``monitor.api.requests``), built from the session's
user name and the form's password, so a page and the command line sign the same way.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from monitor.web.forms import BadForm

B = TypeVar("B", bound=BaseModel)


def signed_request(model: type[B], **fields: object) -> B:
    """``model`` from the form's fields, or a ``BadForm`` naming each problem."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in exc.errors()
        )
        raise BadForm(problems) from None
