"""WTForms' built-in messages, listed so that the extractor puts them in our catalogues.

`N_` only marks a string; WTForms itself asks for the translation at run time.
"""


def N_(message: str) -> str:
    return message


MESSAGES = (
    N_("This field is required."),
    N_("Invalid input."),
    N_("Invalid email address."),
    N_("Field must be equal to %(other_name)s."),
    N_("Field must be at least %(min)d character long."),
    N_("Field cannot be longer than %(max)d character."),
    N_("Field must be exactly %(max)d characters long."),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Not a valid choice."),
    N_("Invalid Choice: could not coerce."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
    N_("Not a valid date value."),
    N_("Not a valid datetime value."),
    N_("Invalid URL."),
)
