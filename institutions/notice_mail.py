"""A notice as an e-mail for its reader: subject, greeting, what to do and by when, one link, why they get it."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale, gettext as _, ngettext

from institutions import unsubscribe
from institutions.messages import Message, reader_locale, reader_timezone, render_here

SUBJECT_LIMIT = 120  # what mail clients show of a subject, give or take
PLATFORM_NAME = "Tribune"


def english(message: Message | str) -> str:
    """The English text stored beside the key (search, data exports, tests), moments in UTC."""
    if not isinstance(message, Message):
        return str(message)
    with force_locale("en"):
        return render_here(message, "UTC")


def shorten(text: str, limit: int = SUBJECT_LIMIT) -> str:
    """At most `limit` characters, cut at a word boundary and marked with "…" (never mid-word)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[:limit - 1]
    if text[limit - 1] != " ":  # the cut falls inside a word: drop that word
        if " " not in head:  # one word longer than the limit: kept whole (the column holds 200), never cut
            return text.split(" ", 1)[0][:199] + "…"
        head = head[:head.rindex(" ")]
    return head.rstrip(" ,;:-–—") + "…"


def _act(text: str) -> str:
    """The first sentence of the notice: what happened, which the subject names."""
    for end in (". ", "\n"):
        if end in text:
            return text[:text.index(end) + (1 if end == ". " else 0)]
    return text


def subject_for(brand_name: str, text: str) -> str:
    """"Acme: The mediator made a proposal in case #3 …": the brand, then the act, cut at a word."""
    act = _act(text)
    if act.startswith(brand_name):  # "Acme offers you a contract": the brand is already named
        return shorten(act)
    return shorten(_("%(brand)s: %(act)s", brand=brand_name, act=act))


def _footer(kind, user) -> tuple[str, str | None]:
    """Why the reader gets this e-mail, and the one-click link when they may turn it off."""
    if kind.mandatory:
        return _("You receive this notice because it concerns you directly (%(kind)s). It cannot be turned off: "
                 "the rules of the institution require that you be told.", kind=kind.label), None
    link = unsubscribe.url_for_token(unsubscribe.token_for(user, kind.key))
    return _("You receive this e-mail because you chose to be told of “%(kind)s” by e-mail on your account "
             "page.", kind=kind.label), link


def compose(user, kind, message: Message | str, link: str | None, brand) -> dict:
    """Subject, plain text, HTML and List-Unsubscribe for this reader, in their language and time zone."""
    env = current_app.jinja_env
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    with force_locale(reader_locale(user)):
        text = render_here(message, reader_timezone(user)) if isinstance(message, Message) else str(message)
        brand_name = brand.name if brand is not None else PLATFORM_NAME
        footer, unsubscribe_url = _footer(kind, user)
        context = {"name": user.display_name, "text": text, "brand": brand_name, "platform": PLATFORM_NAME,
                   "url": f"{base}{link}" if link else None, "footer": footer, "unsubscribe_url": unsubscribe_url,
                   "lang": reader_locale(user)}
        return {"subject": subject_for(brand_name, text),
                "body": env.get_template("email/notice.txt").render(**context),
                "html_body": env.get_template("email/notice.html").render(**context),
                "list_unsubscribe": unsubscribe_url}


def _digest_footer(user, how: str, kinds: list) -> tuple[str, list[dict], str | None]:
    """Why the reader gets this digest, a one-click link per kind in it, and List-Unsubscribe when one kind only."""
    labels = ", ".join(f"“{kind.label}”" for kind in kinds)
    if how == "weekly":
        footer = _("You receive this weekly digest because you chose it for %(kinds)s on your account page.",
                   kinds=labels)
    else:
        footer = _("You receive this daily digest because you chose it for %(kinds)s on your account page.",
                   kinds=labels)
    links = [{"label": kind.label, "url": unsubscribe.url_for_token(unsubscribe.token_for(user, kind.key))}
             for kind in kinds]
    # One-click (RFC 8058) must do one thing: with several kinds, the footer's links let the reader choose.
    return footer, links, links[0]["url"] if len(links) == 1 else None


def compose_digest(user, how: str, groups, kinds: list, now) -> dict:
    """The digest e-mail for this reader: their notices grouped by brand, nearest deadline first, in their language
    and time zone, with a link per notice and the why/unsubscribe footer."""
    env = current_app.jinja_env
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    with force_locale(reader_locale(user)):
        tz = reader_timezone(user)
        sections = []
        count = 0
        for group in groups:
            entries = []
            for item in group.items:
                text = render_here(item.message, tz, now) if isinstance(item.message, Message) else str(item.message)
                link = item.notification.link
                entries.append({"text": text, "url": f"{base}{link}" if link and link.startswith("/") else None})
            count += len(entries)
            sections.append({"brand": group.brand.name if group.brand is not None else PLATFORM_NAME,
                             "entries": entries})
        footer, unsubscribe_links, list_unsubscribe = _digest_footer(user, how, kinds)
        if how == "weekly":
            subject = ngettext("%(platform)s: your weekly digest, %(num)d notice",
                               "%(platform)s: your weekly digest, %(num)d notices", count, platform=PLATFORM_NAME)
        else:
            subject = ngettext("%(platform)s: your daily digest, %(num)d notice",
                               "%(platform)s: your daily digest, %(num)d notices", count, platform=PLATFORM_NAME)
        context = {"name": user.display_name, "sections": sections, "platform": PLATFORM_NAME, "footer": footer,
                   "unsubscribe_links": unsubscribe_links, "account_url": f"{base}/account#preferences",
                   "lang": reader_locale(user), "subject": subject}
        return {"subject": shorten(subject),
                "body": env.get_template("email/digest.txt").render(**context),
                "html_body": env.get_template("email/digest.html").render(**context),
                "list_unsubscribe": list_unsubscribe}
