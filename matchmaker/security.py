"""Security headers and the per-request CSP nonce."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, request


def csp_nonce() -> str:
    """One nonce per request (kept on the request: an app context may outlive it)."""
    nonce = getattr(request, "csp_nonce", None)
    if nonce is None:
        nonce = request.csp_nonce = secrets.token_urlsafe(18)
    return nonce


def content_security_policy(nonce: str, tile_url: str | None) -> str:
    img_sources = ["'self'", "data:"]
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "a"))
        host = urlsplit(tile_url).netloc
        if parts.scheme and parts.netloc:
            if "{s}" in host:
                # Subdomains a, b, c...: a CSP wildcard may only stand for a whole first label.
                host = "*." + host.partition(".")[2]
            img_sources.append(f"{parts.scheme}://{host}")
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", f"'nonce-{nonce}'"],
        "style-src": ["'self'"],
        "img-src": img_sources,
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        # A view that sets its own policy keeps it (a logo is served with a stricter one).
        if "Content-Security-Policy" not in headers:
            headers["Content-Security-Policy"] = content_security_policy(
                csp_nonce(), current_app.config.get("MAP_TILE_URL")
            )
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if request.is_secure:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if "Vary" in headers and "HX-Request" not in headers["Vary"]:
            headers["Vary"] = headers["Vary"] + ", HX-Request"
        elif "Vary" not in headers:
            headers["Vary"] = "HX-Request"
        return response
