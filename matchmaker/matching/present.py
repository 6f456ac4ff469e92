"""Reasons as sentences in the reader's language.

The engine gives each reason as a code and the values that made its rule fire; here each
code becomes one whole translatable sentence with named placeholders, filled with
taxonomy labels, region and country names, formatted amounts and language names in the
reader's language. "You" is the subject: whose list it is (a project or an
organisation); some reasons read differently depending on which side that is, so the
subject's item type is passed in. ``SENTENCES`` must cover ``reasons.REASON_ARGS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from babel.lists import format_list
from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from matchmaker import geo
from matchmaker.display import language_label as language_name
from matchmaker.display import money, money_range
from matchmaker.i18n import current_language
from matchmaker.matching.reasons import Reason
from matchmaker.taxonomy.queries import tag_label

# rules.PURPOSES -> what the two kinds do together.
PURPOSE_SENTENCES = {
    "pilot": _l(
        "A good pairing for pilots and validation: %(subject_kind)s and %(candidate_kind)s"
    ),
    "investment": _l("A good pairing for investment: %(subject_kind)s and %(candidate_kind)s"),
    "technology_transfer": _l(
        "A good pairing for technology transfer: %(subject_kind)s and %(candidate_kind)s"
    ),
    "clinical_research": _l(
        "A good pairing for clinical research: %(subject_kind)s and %(candidate_kind)s"
    ),
    "procurement": _l(
        "A good pairing for public procurement: %(subject_kind)s and %(candidate_kind)s"
    ),
    "user_involvement": _l(
        "A good pairing for involving patients and users: %(subject_kind)s and %(candidate_kind)s"
    ),
    "cluster_support": _l(
        "A good pairing for cluster support: %(subject_kind)s and %(candidate_kind)s"
    ),
}

# Ticket reasons: (the subject is a project, the subject is an investor).
TICKET_SENTENCES = {
    "ticket_fits": (
        _l("Ticket size %(ticket)s covers the funding you seek (%(funding)s)"),
        _l("The funding sought (%(funding)s) is within your ticket size (%(ticket)s)"),
    ),
    "ticket_overlaps": (
        _l("Ticket size %(ticket)s covers part of the funding you seek (%(funding)s)"),
        _l("The funding sought (%(funding)s) is partly within your ticket size (%(ticket)s)"),
    ),
    "ticket_too_small": (
        _l("Ticket size %(ticket)s is %(gap)s below the funding you seek (%(funding)s)"),
        _l("The funding sought (%(funding)s) is %(gap)s above your ticket size (%(ticket)s)"),
    ),
    "ticket_too_large": (
        _l("Ticket size %(ticket)s is %(gap)s above the funding you seek (%(funding)s)"),
        _l("The funding sought (%(funding)s) is %(gap)s below your ticket size (%(ticket)s)"),
    ),
}


def _lang() -> str:
    return current_language()


def _tags(codes: Iterable[str]) -> str:
    lang = _lang()
    return format_list([tag_label(code, lang) for code in codes], locale=get_locale())


def _languages(codes: Iterable[str]) -> str:
    return format_list([language_name(code) for code in codes], locale=get_locale())


def _region(code: str) -> str:
    return geo.region_name(code, _lang()) or code


def _country(code: str) -> str:
    return geo.country_name(code, _lang())


def _money(args: Mapping, prefix: str) -> str:
    return money_range(args[f"{prefix}_min"], args[f"{prefix}_max"])


Sentence = Callable[[Mapping, bool], str]


# offers_needed and needs_offered: (tags chosen and tags read from a text, only read
# from a text, only chosen).
COVERAGE_SENTENCES = {
    "offers_needed": (
        _l("Offers what you need: %(tags)s; going by what is written, also %(written)s"),
        _l("Offers what you need, going by what is written: %(tags)s"),
        _l("Offers what you need: %(tags)s"),
    ),
    "needs_offered": (
        _l("Needs what you offer: %(tags)s; going by what is written, also %(written)s"),
        _l("Needs what you offer, going by what is written: %(tags)s"),
        _l("Needs what you offer: %(tags)s"),
    ),
}


def _coverage(args: Mapping, code: str) -> str:
    both, written_only, chosen_only = COVERAGE_SENTENCES[code]
    tags, written = args["tags"], args["text_tags"]
    if tags and written:
        return str(both) % {"tags": _tags(tags), "written": _tags(written)}
    if written:
        return str(written_only) % {"tags": _tags(written)}
    return str(chosen_only) % {"tags": _tags(tags)}


def _shared_categories(args: Mapping, project: bool) -> str:
    tags: Sequence[str] = args["tags"]
    return ngettext(
        "Innovation category in common: %(tags)s",
        "Innovation categories in common: %(tags)s",
        len(tags),
        tags=_tags(tags),
    )


def _shared_specialisations(args: Mapping, project: bool) -> str:
    tags: Sequence[str] = args["tags"]
    return ngettext(
        "Medical specialisation in common: %(tags)s",
        "Medical specialisations in common: %(tags)s",
        len(tags),
        tags=_tags(tags),
    )


def _shared_focus_areas(args: Mapping, project: bool) -> str:
    tags: Sequence[str] = args["tags"]
    return ngettext(
        "Focus area in common: %(tags)s",
        "Focus areas in common: %(tags)s",
        len(tags),
        tags=_tags(tags),
    )


def _seeks_kind(args: Mapping, project: bool) -> str:
    seeks, kind = _tags(args["seeks"]), tag_label(args["kind"], _lang())
    if args["seeker"] == "subject":
        return _(
            "The kind of partner you are looking for (%(seeks)s): %(kind)s", seeks=seeks, kind=kind
        )
    return _("Looking for a partner like you: %(seeks)s", seeks=seeks)


def _seeks_investment(args: Mapping, project: bool) -> str:
    if project:
        return _("Your project seeks investment")
    return _("Seeks investment")


def _seeks_no_investment(args: Mapping, project: bool) -> str:
    seeks = _tags(args["seeks"])
    if project:
        return _("Your project seeks other things, not investment: %(seeks)s", seeks=seeks)
    return _("Seeks other things, not investment: %(seeks)s", seeks=seeks)


def _complementary_kinds(args: Mapping, project: bool) -> str:
    lang = _lang()
    return str(PURPOSE_SENTENCES[args["purpose"]]) % {
        "subject_kind": tag_label(args["subject_kind"], lang),
        "candidate_kind": tag_label(args["candidate_kind"], lang),
    }


def _investor_stage(args: Mapping, project: bool) -> str:
    stage = tag_label(args["stage"], _lang())
    if project:
        return _("Invests at your stage: %(stage)s", stage=stage)
    return _("At a stage you invest in: %(stage)s", stage=stage)


def _stage_not_preferred(args: Mapping, project: bool) -> str:
    lang = _lang()
    stage = tag_label(args["stage"], lang)
    preferred: Sequence[str] = args["preferred_stages"]
    if project:
        return ngettext(
            "Invests at another stage (%(preferred)s), not at yours (%(stage)s)",
            "Invests at other stages (%(preferred)s), not at yours (%(stage)s)",
            len(preferred),
            preferred=_tags(preferred),
            stage=stage,
        )
    return _("At a stage you do not invest in: %(stage)s", stage=stage)


def _ticket(args: Mapping, project: bool, code: str) -> str:
    for_project, for_investor = TICKET_SENTENCES[code]
    text = for_project if project else for_investor
    values = {"ticket": _money(args, "ticket"), "funding": _money(args, "funding")}
    if code in ("ticket_too_small", "ticket_too_large"):
        values["gap"] = money(_ticket_gap(args, code))
    return str(text) % values


def _ticket_gap(args: Mapping, code: str) -> int:
    """How far the ticket is from the funding sought, in euros (as the engine reads the
    ranges: one end given is that amount; an open ticket end has no limit)."""
    stated = [a for a in (args["funding_min"], args["funding_max"]) if a is not None]
    if code == "ticket_too_small":
        return min(stated) - args["ticket_max"]
    return args["ticket_min"] - max(stated)


def _same_region(args: Mapping, project: bool) -> str:
    return _("In your region: %(region)s", region=_region(args["region"]))


def _covers_region(args: Mapping, project: bool) -> str:
    region = _region(args["region"])
    if args["covered_by"] == "candidate":
        return _("Covers your region: %(region)s", region=region)
    return _("In a region you cover: %(region)s", region=region)


def _same_country(args: Mapping, project: bool) -> str:
    return _("In your country: %(country)s", country=_country(args["country"]))


def _cross_border_wanted(args: Mapping, project: bool) -> str:
    country = _country(args["country"])
    if args["wanted_by"] == "candidate":
        return _("Looking for partners in other countries; based in %(country)s", country=country)
    return _("A partner in another country, as you are looking for: %(country)s", country=country)


def _shared_language(args: Mapping, project: bool) -> str:
    languages: Sequence[str] = args["languages"]
    return ngettext(
        "Working language in common: %(languages)s",
        "Working languages in common: %(languages)s",
        len(languages),
        languages=_languages(languages),
    )


def _readable_language(args: Mapping, project: bool) -> str:
    return _(
        "They work in %(theirs)s, which reads easily alongside your %(yours)s",
        theirs=_languages(args["candidate_languages"]),
        yours=_languages(args["subject_languages"]),
    )


def _bridge_language(args: Mapping, project: bool) -> str:
    return _(
        "No working language in common, but %(bridge)s can bridge it: you work in %(yours)s, they work in %(theirs)s",
        bridge=_languages((args["bridge"],)),
        yours=_languages(args["subject_languages"]),
        theirs=_languages(args["candidate_languages"]),
    )


def _no_shared_language(args: Mapping, project: bool) -> str:
    return _(
        "No working language in common: you work in %(yours)s, they work in %(theirs)s",
        yours=_languages(args["subject_languages"]),
        theirs=_languages(args["candidate_languages"]),
    )


# "Not relevant": why, as the member says it (models.DISMISSAL_REASONS), and what a
# candidate like a dismissed one is told in its reasons.
DISMISSAL_REASON_LABELS = {
    "wrong_field": _l("Wrong field"),
    "wrong_stage": _l("Wrong stage"),
    "too_far": _l("Too far away"),
    "already_known": _l("We already know them"),
}
LIKE_DISMISSED = {
    "too_far": _l("as far away"),
    "wrong_field": _l("in the same field"),
    "wrong_stage": _l("at the same stage"),
}


def _like_dismissed(args: Mapping, project: bool) -> str:
    why = format_list([str(LIKE_DISMISSED[code]) for code in args["why"]], locale=get_locale())
    return _("Like one your organisation marked as not relevant: %(why)s", why=why)


SENTENCES: Mapping[str, Sentence] = {
    "offers_needed": lambda args, project: _coverage(args, "offers_needed"),
    "needs_offered": lambda args, project: _coverage(args, "needs_offered"),
    "shared_categories": _shared_categories,
    "shared_specialisations": _shared_specialisations,
    "shared_focus_areas": _shared_focus_areas,
    "seeks_kind": _seeks_kind,
    "seeks_investment": _seeks_investment,
    "seeks_no_investment": _seeks_no_investment,
    "complementary_kinds": _complementary_kinds,
    "investor_stage": _investor_stage,
    "stage_not_preferred": _stage_not_preferred,
    "ticket_fits": lambda args, project: _ticket(args, project, "ticket_fits"),
    "ticket_overlaps": lambda args, project: _ticket(args, project, "ticket_overlaps"),
    "ticket_too_small": lambda args, project: _ticket(args, project, "ticket_too_small"),
    "ticket_too_large": lambda args, project: _ticket(args, project, "ticket_too_large"),
    "same_region": _same_region,
    "covers_region": _covers_region,
    "same_country": _same_country,
    "cross_border_wanted": _cross_border_wanted,
    "shared_language": _shared_language,
    "readable_language": _readable_language,
    "bridge_language": _bridge_language,
    "no_shared_language": _no_shared_language,
    "like_dismissed": _like_dismissed,
}


def reason_text(reason: Reason, subject_type: str) -> str:
    """The reason as one sentence in the reader's language; ``subject_type`` is the item
    type ("project" or "organisation") of whose list it is."""
    return SENTENCES[reason.code](reason.args, subject_type == "project")


# Score bands shown beside the number, so the score is never a colour or a bar alone. A
# reason against the match keeps the label at "possible": "Good match" beside "invests
# at other stages, not yours" would contradict itself.
def score_label(match) -> str:
    """The band of a Match's score, in words."""
    if any(reason.is_negative for reason in match.reasons) or match.score < 40:
        return _("Possible match")
    if match.score >= 70:
        return _("Strong match")
    return _("Good match")


def points_text(points: float) -> str:
    """A reason's points as the score breakdown shows them: signed, one decimal, in the
    reader's number format, with a true minus sign ("+12.5", "-15.0" with U+2212)."""
    return format_decimal(round(points, 1), format="+#,##0.0;\u2212#,##0.0")


# "Why isn't … here?": one sentence per verdict (engine.explain). What the subject's
# organisation decided (a declined request, a dismissal) is told to its members only.
PRIVATE_VERDICTS = frozenset({"declined", "dismissed"})


def verdict_text(verdict, name: str, member: bool, position: int | None = None) -> str:
    code = verdict.code
    if code in PRIVATE_VERDICTS and not member:
        return _("%(name)s is left out of this list by a choice of the organisation "
                 "whose list this is.", name=name)  # fmt: skip
    score = verdict.match.score if verdict.match is not None else 0
    if code == "listed":
        return _("%(name)s is on this list: number %(position)s, with a score of %(score)s.",
                 name=name, position=format_decimal(position or 0),
                 score=format_decimal(score))  # fmt: skip
    if code == "below_minimum":
        return _("%(name)s scores %(score)s: too low to be listed. What counted:",
                 name=name, score=format_decimal(score))  # fmt: skip
    sentences = {
        "own_organisation": _("%(name)s belongs to the same organisation: a list never "
                              "shows one's own.", name=name),
        "other_list": _("%(name)s is not the kind of organisation this list shows: look "
                        "in the other tabs.", name=name),
        "declined": _("A contact request between your organisation and %(name)s was "
                      "declined, so it is left out.", name=name),
        "dismissed": _("Your organisation hid %(name)s as not relevant: you can show it "
                       "again below the list.", name=name),
        "filtered": _("%(name)s is left out by the filters you chose.", name=name),
        "nothing_shared": _("%(name)s shares none of what this list compares (needs and "
                            "offers, fields, specialisations).", name=name),
    }  # fmt: skip
    return sentences[code]


# The profile checklist (completeness): what to add, one short imperative each.
CHECKLIST_FIELDS = {
    "need": _l("Say what you need"),
    "capability": _l("Say what you offer"),
    "category": _l("Choose innovation categories"),
    "specialisation": _l("Choose medical specialisations"),
    "focus_area": _l("Choose focus areas"),
    "working_languages": _l("Give your working languages"),
    "region": _l("Give the region"),
    "seeks": _l("Say what the project is looking for"),
    "stage": _l("Give the project's stage"),
    "funding": _l("Give the funding sought"),
    "preferred_stage": _l("Choose the stages you invest in"),
    "ticket": _l("Give your ticket size"),
}


def checklist_field(name: str) -> str:
    return str(CHECKLIST_FIELDS[name])
