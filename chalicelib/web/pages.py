"""Server-rendered pages of the login flow. Every value is escaped; no inline script or style,
so the strict Content-Security-Policy holds (`security_headers`)."""

from __future__ import annotations

from html import escape
from urllib.parse import urlparse

from chalicelib.config import settings


def uploads_origins() -> str:
    """Where the pages may send a file: the uploads bucket (presigned POSTs go straight to S3)."""
    config = settings()
    if config.endpoint_url:
        target = urlparse(config.endpoint_url)
        return f"{target.scheme}://{target.netloc}"
    bucket, region = config.uploads_bucket, config.region
    return f"https://{bucket}.s3.amazonaws.com https://{bucket}.s3.{region}.amazonaws.com"


def security_headers(form_target: str | None = None) -> dict[str, str | list[str]]:
    """Headers every page carries. `form_target`: another origin a form on the page may post to.
    No third party is reachable: scripts, styles and requests stay on the register's origin,
    except uploads to its own bucket."""
    form_action = "'self'"
    if form_target:
        target = urlparse(form_target)
        form_action += f" {target.scheme}://{target.netloc}"
    return {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            f"connect-src 'self' {uploads_origins()}; "
            f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def _page(title: str, body: str, script: str | None = None, root: str = "") -> str:
    """`root`: the relative path back to the app's root (`../` for pages under `auth/`): relative
    links work both at `/` locally and under API Gateway's stage path."""
    script_tag = f'<script src="{root}static/{script}" defer></script>' if script else ""
    return (
        '<!doctype html><html lang="lt"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(title)}</title><link rel="stylesheet" href="{root}static/site.css">{script_tag}</head>'
        f"<body><main>{body}</main></body></html>"
    )


def gateway_redirect(portal_url: str, ticket: str) -> str:
    """Sends the browser to the gateway with the ticket as a form POST (never in the URL)."""
    body = (
        "<h1>Jungiamasi prie Elektroninių valdžios vartų</h1>"
        '<p lang="en">Connecting to the e-government gateway.</p>'
        f'<form id="gateway" method="post" action="{escape(portal_url)}">'
        f'<input type="hidden" name="ticket" value="{escape(ticket)}">'
        '<button type="submit">Tęsti / Continue</button></form>'
    )
    return _page("Prisijungimas", body, "autosubmit.js", root="../")


FAILURES = {
    "refused": (
        "Nepavyko prisijungti pasirinkta priemone.",
        "The login with the chosen means did not succeed.",
    ),
    "unavailable": (
        "Elektroninių valdžios vartų paslauga šiuo metu nepasiekiama.",
        "The e-government gateway cannot be reached right now.",
    ),
    "state": (
        "Prisijungimo sesija nebegalioja arba buvo pradėta kitoje naršyklėje.",
        "The login session has expired or was started in another browser.",
    ),
    "identity": (
        "Gauti asmens duomenys netinkami registrui.",
        "The identity data received cannot be used by the register.",
    ),
}


def login_failed(reason: str) -> str:
    from chalicelib.auth.viisp import PROVIDER_NAMES

    lt, en = FAILURES.get(reason, FAILURES["refused"])
    config = settings()
    means = ", ".join(PROVIDER_NAMES[p][0] for p in config.viisp_providers or PROVIDER_NAMES if p in PROVIDER_NAMES)
    body = (
        f"<h1>Prisijungti nepavyko</h1><p>{escape(lt)}</p><p lang=\"en\">{escape(en)}</p>"
        "<p>Pabandykite kitą tapatybės nustatymo priemonę arba vėliau. "
        f"Galimos priemonės: {escape(means)}.</p>"
        '<p lang="en">Try another means of authentication, or try again later.</p>'
        '<p><a class="button" href="../auth/login">Bandyti dar kartą / Try again</a></p>'
        "<p>Jei nepavyksta ilgiau, praneškite pagalbos tarnybai / If it keeps failing, contact support: "
        f'<a href="tel:{escape(config.support_phone.replace(" ", ""))}">{escape(config.support_phone)}</a>, '
        f'<a href="mailto:{escape(config.support_email)}">{escape(config.support_email)}</a>.</p>'
    )
    return _page("Prisijungti nepavyko", body, root="../")
