"""The base form: every message, WTForms' own included, comes from our catalogues.

WTForms ships no Danish catalogue, so its built-in messages are listed in
`wtforms_messages.py` and translated with the rest of the app.
"""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlsplit

import flask_babel
from babel import Locale
from babel.numbers import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, StringField, TextAreaField, validators
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import TextInput

CSRF_FAILED = _l("This form has expired or was sent from another page. Please try again.")


class _CatalogueTranslations:
    """Raw catalogue look-ups: WTForms fills in its own %(placeholders)s afterwards."""

    def gettext(self, string: str) -> str:
        return flask_babel.get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return flask_babel.get_translations().ungettext(singular, plural, n)


_TRANSLATIONS = _CatalogueTranslations()


class Form(FlaskForm):
    class Meta:
        # True: the form's required fields carry a visible mark (_macros.html), and the
        # form says what the mark means.
        mark_required = False

        def get_translations(self, form):
            return _TRANSLATIONS

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        csrf_field = getattr(self, "csrf_token", None)
        if csrf_field is not None and csrf_field.errors:
            csrf_field.errors = [str(CSRF_FAILED)]
        return valid


CHOOSE_FROM_OPTIONS = _l("Choose only from the options shown.")


def as_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def required():
    return validators.InputRequired(message=_l("This field is required."))


def max_length(limit: int):
    return validators.Length(max=limit, message=_l("Use at most %(max)d characters."))


def email_address():
    return validators.Email(
        message=_l("Enter a valid e-mail address, like name@example.org."),
        check_deliverability=False,
    )


def tag_suggestions(plan) -> list[tuple[object, list[tuple[str, str]]]]:
    """For a form's tag fields, the tags their texts point to and that are not ticked
    yet: `plan` holds (checkbox field, {lang: text}, vocabulary); the result
    (field, [(checkbox id, label)]) for the fields with any."""
    from matchmaker.taxonomy.suggest import suggest  # the taxonomy loads on first use

    groups = []
    for field, texts, vocabulary in plan:
        options = {option.data: (option.id, option.label.text) for option in field}
        chosen = set(field.data or [])
        found = [
            options[code]
            for code in suggest(texts, (vocabulary,))
            if code in options and code not in chosen
        ]
        if found:
            groups.append((field, found))
    return groups


class ChooseAtLeastOne:
    """A group of checkboxes of which at least one must be ticked; marked as required."""

    field_flags = {"required": True}

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if not field.data:
            raise validators.StopValidation(str(self.message))


# --- Web addresses ----------------------------------------------------------------------

# A scheme before the first colon (`javascript:`, `mailto:`); a host with a port
# (`www.example.dk:8080`) has a dot before its colon instead.
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.IGNORECASE)
# One label of a host name: letters of any script and digits, hyphens inside.
_HOST_LABEL = re.compile(r"[^\W_](?:[\w-]*[^\W_])?")
# Characters no address has as people type it.
_NOT_IN_ADDRESSES = frozenset('"<>\\^`{|}')


class NotAWebAddress(ValueError):
    """The text is not the address of a web page on a named host."""


def normalise_web_address(text: str) -> str:
    """`text` as a full http(s) address: `www.example.dk` becomes `https://www.example.dk`.

    People copy the address as their browser shows it, often without the scheme. Anything
    else (`javascript:`, `mailto:`, an e-mail address, a word without a dot) is refused.
    """
    address = text.strip()
    if (
        not address
        or any(char.isspace() or not char.isprintable() for char in address)
        or not _NOT_IN_ADDRESSES.isdisjoint(address)
    ):
        raise NotAWebAddress(text)
    lowered = address.lower()
    if lowered.startswith("//"):
        address = "https:" + address
    elif not lowered.startswith(("https://", "http://")):
        scheme = _SCHEME.match(address)
        if scheme and "." not in scheme.group(1):
            raise NotAWebAddress(text)
        address = "https://" + address
    try:
        parts = urlsplit(address)
        parts.port  # noqa: B018 (a port that is not a number raises ValueError)
    except ValueError as error:
        raise NotAWebAddress(text) from error
    labels = (parts.hostname or "").split(".")
    top = labels[-1]
    if (
        parts.username is not None
        or len(labels) < 2
        or not all(_HOST_LABEL.fullmatch(label) for label in labels)
        or not ((top.isalpha() and len(top) >= 2) or top.startswith("xn--"))
    ):
        raise NotAWebAddress(text)
    return parts.scheme.lower() + address[len(parts.scheme) :]


class WebAddressField(StringField):
    """An optional web address (website, online meeting): stored complete, None if empty."""

    def __init__(self, label=None, validators=None, max_length: int = 300, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.max_length = max_length

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        text = valuelist[0].strip()
        if not text:
            return
        try:
            address = normalise_web_address(text)
        except NotAWebAddress as error:
            raise ValueError(_("Enter a web address, such as www.example.org.")) from error
        if len(address) > self.max_length:
            raise ValueError(_("Use at most %(max)d characters.", max=self.max_length))
        self.data = address

    def _value(self):
        return self.raw_data[0] if self.raw_data else (self.data or "")


class WebAddressesField(TextAreaField):
    """Up to `limit` web addresses, one per line; the data is the list of full addresses."""

    def __init__(self, label=None, validators=None, limit=5, max_length=300, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.limit = limit
        self.max_length = max_length

    def process_data(self, value):
        self.data = list(value or [])

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = []
        lines = [line.strip() for line in valuelist[0].splitlines() if line.strip()]
        if len(lines) > self.limit:
            raise ValueError(_("Give at most %(max)d links.", max=self.limit))
        addresses = []
        for line in lines:
            try:
                address = normalise_web_address(line)
            except NotAWebAddress as error:
                shown = line if len(line) <= 60 else line[:59] + "…"
                raise ValueError(
                    _(
                        "“%(address)s” is not a web address. "
                        "Enter one address per line, such as www.example.org.",
                        address=shown,
                    )
                ) from error
            if len(address) > self.max_length:
                raise ValueError(
                    _("Each link may have at most %(max)d characters.", max=self.max_length)
                )
            addresses.append(address)
        self.data = addresses

    def _value(self):
        return self.raw_data[0] if self.raw_data else "\n".join(self.data or [])


# --- Amounts of money -------------------------------------------------------------------

MAX_AMOUNT = 10**12
# Words for thousands, millions and billions in the four languages, without a final dot.
_THOUSAND = ("k", "tys", "tysiąc", "tysiące", "tysięcy", "thousand", "tusind", "tusen")
_MILLION = ("m", "mn", "mln", "mio", "mill", "million", "millions", "milion", "miliony",
            "milionów", "millioner")  # fmt: skip
_BILLION = ("bn", "mld", "mia", "mrd", "miliard", "miliardy", "miliardów", "milliard",
            "milliarder")  # fmt: skip
AMOUNT_WORDS = {
    **dict.fromkeys(_THOUSAND, 10**3),
    **dict.fromkeys(_MILLION, 10**6),
    **dict.fromkeys(_BILLION, 10**9),
}
_AMOUNT = re.compile(
    r"(?P<sign>[-+]?)\s*(?P<number>[0-9](?:[0-9\s.,]*[0-9])?)\s*(?P<word>[^\W\d_]+\.?)?"
)
_CURRENCY = re.compile(r"€|\beur(?:o|os)?\b")
_AMOUNT_LENGTH_LIMIT = 40


class NotAnAmount(ValueError):
    """The text is not an amount written the way the locale writes numbers."""


def _number(text: str, locale: Locale) -> Decimal:
    """Digits with the locale's decimal sign and thousands separator, or spaces.

    A dot or comma written twice can only separate thousands (`2.000.000` in Polish too);
    written once, it means what it means in the locale, and one the locale does not use
    is refused as ambiguous (`1.500` in Polish: 1500, or 1.5 the English way?).
    """
    symbols = locale.number_symbols["latn"]
    text = re.sub(r"\s+", " ", text)
    separators, decimal_sign = {" "}, ""
    for mark in {char for char in text if char in ".,"}:
        if text.count(mark) > 1 or mark == symbols["group"]:
            separators.add(mark)
        elif mark == symbols["decimal"]:
            decimal_sign = mark
        else:
            raise NotAnAmount(text)
    whole, _point, fraction = text.partition(decimal_sign) if decimal_sign else (text, "", "")
    chunks = re.split("|".join(re.escape(mark) for mark in separators), whole)
    if not (
        re.fullmatch(r"[0-9]*", fraction)
        and all(re.fullmatch(r"[0-9]+", chunk) for chunk in chunks)
        and (len(chunks) == 1 or (len(chunks[0]) <= 3 and all(len(c) == 3 for c in chunks[1:])))
    ):
        raise NotAnAmount(text)
    return Decimal("".join(chunks) + ("." + fraction if fraction else ""))


def parse_amount(text: str, locale: str | Locale) -> int:
    """Whole euros from an amount as people write it in `locale`: `2 mln`, `1,5 mio.`,
    `2.000.000` (da), `2,000,000` (en), `250 000`, `€300k`. NotAnAmount otherwise,
    and for anything that is not whole euros (`1,5` alone)."""
    locale = Locale.parse(locale)
    cleaned = _CURRENCY.sub(" ", text.casefold().replace("\u2212", "-")).strip()
    if len(cleaned) > _AMOUNT_LENGTH_LIMIT:
        raise NotAnAmount(text)
    match = _AMOUNT.fullmatch(cleaned)
    if match is None:
        raise NotAnAmount(text)
    word = (match["word"] or "").rstrip(".")
    if word and word not in AMOUNT_WORDS:
        raise NotAnAmount(text)
    value = _number(match["number"], locale) * AMOUNT_WORDS.get(word, 1)
    if value != value.to_integral_value():
        raise NotAnAmount(text)
    return -int(value) if match["sign"] == "-" else int(value)


def format_amount(value: int, locale: str | Locale) -> str:
    """`value` with the locale's thousands separators, as parse_amount reads it back."""
    return format_decimal(value, locale=locale)


def _amount_examples() -> dict[str, str]:
    """Two ways to write an amount in the request's language: `250 000`, `1,5 mln`."""
    locale = flask_babel.get_locale()
    return {
        "number": format_amount(250_000, locale),
        "short": _("%(number)s million", number=format_decimal(Decimal("1.5"), locale=locale)),
    }


class AmountField(Field):
    """An amount of money in whole euros, typed as people write it in their language
    (parse_amount) and shown with their thousands separators."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        if not self.description:
            self.description = _("For example %(number)s or %(short)s.", **_amount_examples())

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        text = valuelist[0].strip()
        if not text:
            return
        try:
            self.data = parse_amount(text, flask_babel.get_locale())
        except NotAnAmount as error:
            raise ValueError(
                _(
                    "Enter an amount in euros with digits, such as %(number)s or %(short)s.",
                    **_amount_examples(),
                )
            ) from error

    def pre_validate(self, form):
        if self.data is None:
            return
        if self.data < 0:
            raise validators.StopValidation(_("Enter an amount of 0 or more."))
        if self.data > MAX_AMOUNT:
            raise validators.StopValidation(
                _(
                    "Enter an amount of at most %(max)s euros.",
                    max=format_amount(MAX_AMOUNT, flask_babel.get_locale()),
                )
            )

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else format_amount(self.data, flask_babel.get_locale())
