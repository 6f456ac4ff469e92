"""Page or fragment: the one place that reads HTMX request headers."""

from __future__ import annotations

from flask import Response, redirect, render_template, request
from jinja2_fragments.flask import render_block


def is_htmx() -> bool:
    return bool(getattr(request, "htmx", False))


def render(
    template: str,
    block: str | None = None,
    status: int = 200,
    partial: str | None = None,
    **context,
) -> Response:
    """The whole page, or for HTMX its fragment: `block` of the page, or a shared `partial`."""
    if partial and is_htmx():
        body = render_template(partial, **context)
    elif block and is_htmx():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    return Response(body, status=status)


def redirect_to(url: str, status: int = 303) -> Response:
    """Redirect a normal request; tell htmx to navigate the whole page instead."""
    if is_htmx():
        response = Response("", status=200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=status)
