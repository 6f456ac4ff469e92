"""Organisation logos: checked by their content, re-encoded, stored under random names.

Nothing about an upload is trusted, its name least of all: the bytes must decode as
PNG, JPEG or WebP, and what is stored is a new WebP drawn from the pixels alone, so
metadata (EXIF with GPS positions, comments) and anything hidden in the file is left
behind. Plain functions without Flask; the form turns the errors into messages.
"""

from __future__ import annotations

import io
import re
import secrets
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 2 * 1024 * 1024
# Checked before decoding: a small file can claim an enormous image (a decompression bomb).
MAX_SIDE = 4096
# Stored logos fit in this square; smaller ones are kept at their size.
STORED_SIDE = 512
ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP")
CONTENT_TYPE = "image/webp"
NAME = re.compile(r"[0-9a-f]{32}\.webp")


class LogoError(ValueError):
    """The upload cannot be a logo; the subclass says why."""


class NotAnImage(LogoError):
    """Not a PNG, JPEG or WebP image (whatever the file is called), or a broken one."""


class FileTooLarge(LogoError):
    """More than MAX_BYTES."""


class TooManyPixels(LogoError):
    """Wider or higher than MAX_SIDE pixels."""


def prepare(data: bytes) -> bytes:
    """The logo to store: `data` checked, turned upright, shrunk to fit and re-encoded as WebP."""
    if len(data) > MAX_BYTES:
        raise FileTooLarge
    with warnings.catch_warnings():
        # Pillow only warns about a large image; here that is a refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        # It also warns about metadata it cannot read (a corrupt EXIF block) and goes on;
        # none of it is kept, so the same upload gives the same answer wherever warnings
        # are errors (the test suite) and wherever they are not.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
        return _decode_and_reencode(data)


def _decode_and_reencode(data: bytes) -> bytes:
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise TooManyPixels from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise NotAnImage from error
    with image:
        if max(image.size) > MAX_SIDE:
            raise TooManyPixels
        try:
            return _reencode(image)
        # Broken files make Pillow's decoders fail in many ways; all mean the same here.
        except Exception as error:
            raise NotAnImage from error


def _reencode(image: Image.Image) -> bytes:
    image.draft("RGB", (STORED_SIDE, STORED_SIDE))  # JPEGs decode straight at a smaller scale
    image = ImageOps.exif_transpose(image)
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if transparent else "RGB")
    image.thumbnail((STORED_SIDE, STORED_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif, icc_profile or xmp given: the WebP carries the pixels only.
    image.save(out, "WEBP", quality=90)
    return out.getvalue()


def is_valid_name(name: str) -> bool:
    """Whether `name` could be one of ours (anything else, like `../x`, is never looked up)."""
    return NAME.fullmatch(name) is not None


def save(folder: Path, logo: bytes) -> str:
    """Write a prepared logo into `folder` under a new random name, and return the name."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.webp"
    with open(folder / name, "xb") as file:
        file.write(logo)
    return name


def delete(folder: Path, name: str) -> None:
    if is_valid_name(name):
        (folder / name).unlink(missing_ok=True)


def prune(folder: Path, keep: set[str | None]) -> None:
    """Delete the logos in `folder` other than those named in `keep`."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if is_valid_name(path.name) and path.name not in keep:
            path.unlink(missing_ok=True)
