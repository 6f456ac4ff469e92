"""Hostile logo files: logos.prepare() refuses them, or keeps nothing of them but pixels.

Every file is made here, in memory. Polyglots, markup named like an image, truncated
files, formats not accepted, decompression bombs and metadata bombs are refused with the
error the form turns into its message. A real image that carries a payload (in its
metadata, or after its end) is accepted, and the WebP made from it holds none of it.
The builders are shared with tests/web/test_logos_hostile.py, which sends the same files
through the form.
"""

from __future__ import annotations

import functools
import io
import random
import struct
import warnings
import zipfile
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from matchmaker.organisations import logos
from tests.unit.test_logos import image_bytes, png_claiming

PAYLOAD = b"<script>alert(document.domain)</script>"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
IHDR_END = len(PNG_SIGNATURE) + 25  # the IHDR chunk comes first and has 13 bytes of data
# What a WebP drawn from pixels alone is made of: no EXIF, ICCP or XMP chunk, no ANIM.
PIXEL_CHUNKS = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}


# Builders ------------------------------------------------------------------------------


@functools.cache
def noisy(fmt: str, size=(120, 80), **save_options) -> bytes:
    """An image of random pixels: it compresses badly, so cutting it anywhere breaks it."""
    rnd = random.Random(7)
    pixels = rnd.randbytes(size[0] * size[1] * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", size, pixels).save(out, fmt, **save_options)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_with(*chunks: bytes) -> bytes:
    """A valid PNG with `chunks` right after its header."""
    png = image_bytes("PNG")
    return png[:IHDR_END] + b"".join(chunks) + png[IHDR_END:]


def png_with_pixels(width: int, height: int) -> bytes:
    """A real greyscale PNG of `width` x `height` black pixels: a few kB that decode to MBs."""
    squeeze = zlib.compressobj(9)
    row = b"\0" * (width + 1)  # filter byte, then one byte a pixel
    idat = b"".join(squeeze.compress(row) for _ in range(height)) + squeeze.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def zipped_text(text: bytes) -> bytes:
    return zlib.compress(text, 9)


def jpeg_claiming(width: int, height: int) -> bytes:
    """A real JPEG whose frame header (SOF0) is changed to claim `width` x `height`."""
    jpeg = bytearray(image_bytes("JPEG"))
    sof = jpeg.index(b"\xff\xc0")
    struct.pack_into(">HH", jpeg, sof + 5, height, width)
    return bytes(jpeg)


def webp_claiming(width: int, height: int) -> bytes:
    """A simple (VP8) WebP whose frame header claims `width` x `height`."""
    webp = bytearray(noisy("WEBP"))
    assert webp[12:16] == b"VP8 " and webp[23:26] == b"\x9d\x01\x2a"
    struct.pack_into("<HH", webp, 26, width, height)
    return bytes(webp)


def webp_canvas_claiming(width: int, height: int) -> bytes:
    """An extended (VP8X) WebP whose canvas claims `width` x `height`."""
    webp = bytearray(image_bytes("WEBP", exif=b"Exif\0\0MM\0*\0\0\0\x08\0\0"))
    assert webp[12:16] == b"VP8X"
    webp[24:27] = (width - 1).to_bytes(3, "little")
    webp[27:30] = (height - 1).to_bytes(3, "little")
    return bytes(webp)


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("evil.html", PAYLOAD)
    return out.getvalue()


def animated(fmt: str) -> bytes:
    frames = [Image.new("RGB", (64, 64), colour) for colour in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def exif_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = PAYLOAD.decode()  # ImageDescription
    exif[0x8825] = {1: "N", 2: (52.0, 13.0, 37.0), 3: "E", 4: (21.0, 0.0, 42.0)}  # GPSInfo
    return exif.tobytes()


def corrupt_exif() -> bytes:
    """EXIF with the payload as description and a copyright past its end: Pillow warns."""
    entries = [
        (0x010E, 2, len(PAYLOAD), 8 + 2 + 2 * 12 + 4),  # ImageDescription: the payload below
        (0x8298, 2, 1000, 0x7FFF),  # Copyright: 1000 bytes far beyond the end
    ]
    ifd = struct.pack(">H", len(entries))
    ifd += b"".join(struct.pack(">HHII", *entry) for entry in entries)
    return b"Exif\0\0" + b"MM\0*" + struct.pack(">I", 8) + ifd + struct.pack(">I", 0) + PAYLOAD


def _many_ztxt() -> bytes:
    # 100 chunks of 1 MB of text each, 1 kB each compressed: past Pillow's 64 MB for text.
    text = zipped_text(b"A" * 1_000_000)
    return png_with(*(png_chunk(b"zTXt", b"k%d\0\0" % i + text) for i in range(100)))


# Refused: id -> (what builds the file, the LogoError expected). Built lazily: a few of
# them take a moment.
REFUSED = {
    # Nothing, or markup named and typed as a PNG.
    "zero-bytes": (lambda: b"", logos.NotAnImage),
    "svg": (
        lambda: (
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>'
            + PAYLOAD
            + b"</script></svg>"
        ),
        logos.NotAnImage,
    ),
    "svg-with-xml-prolog": (
        lambda: b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
        logos.NotAnImage,
    ),
    "html": (lambda: b"<!doctype html><title>x</title>" + PAYLOAD, logos.NotAnImage),
    "png-signature-then-html": (lambda: PNG_SIGNATURE + PAYLOAD, logos.NotAnImage),
    "jpeg-marker-then-html": (lambda: b"\xff\xd8\xff\xe0" + PAYLOAD, logos.NotAnImage),
    "riff-webp-then-html": (
        lambda: b"RIFF" + struct.pack("<I", 4 + len(PAYLOAD)) + b"WEBP" + PAYLOAD,
        logos.NotAnImage,
    ),
    # Polyglots built on a format that is not accepted.
    "gif-javascript-polyglot": (
        lambda: b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;" + PAYLOAD,
        logos.NotAnImage,
    ),
    "gifar": (lambda: image_bytes("GIF") + zip_archive(), logos.NotAnImage),
    "zip": (zip_archive, logos.NotAnImage),
    # Images, but not in an accepted format.
    "gif": (lambda: image_bytes("GIF"), logos.NotAnImage),
    "animated-gif": (lambda: animated("GIF"), logos.NotAnImage),
    "bmp": (lambda: image_bytes("BMP"), logos.NotAnImage),
    "tiff": (lambda: image_bytes("TIFF"), logos.NotAnImage),
    "ico": (lambda: image_bytes("ICO"), logos.NotAnImage),
    "pdf": (lambda: image_bytes("PDF"), logos.NotAnImage),
    # Truncated.
    "png-cut-at-10%": (lambda: noisy("PNG")[: len(noisy("PNG")) // 10], logos.NotAnImage),
    "png-cut-at-90%": (lambda: noisy("PNG")[: len(noisy("PNG")) * 9 // 10], logos.NotAnImage),
    "png-header-only": (lambda: image_bytes("PNG")[:IHDR_END], logos.NotAnImage),
    "jpeg-cut-at-50%": (lambda: noisy("JPEG")[: len(noisy("JPEG")) // 2], logos.NotAnImage),
    "jpeg-last-byte-missing": (lambda: noisy("JPEG")[:-1], logos.NotAnImage),
    "webp-cut-at-50%": (lambda: noisy("WEBP")[: len(noisy("WEBP")) // 2], logos.NotAnImage),
    "webp-last-byte-missing": (lambda: noisy("WEBP")[:-1], logos.NotAnImage),
    # A header that claims more pixels than allowed, with or without pixels behind it.
    "png-claims-100000x100000": (lambda: png_claiming(100_000, 100_000), logos.TooManyPixels),
    "png-claims-1x4097": (lambda: png_claiming(1, logos.MAX_SIDE + 1), logos.TooManyPixels),
    "png-8000x8000-real-pixels": (lambda: png_with_pixels(8000, 8000), logos.TooManyPixels),
    "jpeg-claims-65000x65000": (lambda: jpeg_claiming(65_000, 65_000), logos.TooManyPixels),
    "jpeg-claims-5000x5000": (lambda: jpeg_claiming(5000, 5000), logos.TooManyPixels),
    "webp-claims-16383x16383": (lambda: webp_claiming(16383, 16383), logos.TooManyPixels),
    "webp-claims-5000x5000": (lambda: webp_claiming(5000, 5000), logos.TooManyPixels),
    "webp-canvas-claims-16000x16000": (
        lambda: webp_canvas_claiming(16_000, 16_000),
        logos.TooManyPixels,
    ),
    "png-claims-0x0": (lambda: png_claiming(0, 0), logos.NotAnImage),
    # Metadata bombs: a little compressed text that would decompress to a lot.
    "png-ztxt-bomb": (
        lambda: png_with(png_chunk(b"zTXt", b"Comment\0\0" + zipped_text(b"A" * 50_000_000))),
        logos.NotAnImage,
    ),
    "png-itxt-bomb": (
        lambda: png_with(
            png_chunk(b"iTXt", b"Comment\0\x01\0\0\0" + zipped_text(b"A" * 50_000_000))
        ),
        logos.NotAnImage,
    ),
    "png-iccp-bomb": (
        lambda: png_with(png_chunk(b"iCCP", b"icc\0\0" + zipped_text(b"\0" * 200_000_000))),
        logos.NotAnImage,
    ),
    "png-100-ztxt-of-1-mb": (_many_ztxt, logos.NotAnImage),
    "png-text-over-2-mb": (
        lambda: png_with(png_chunk(b"tEXt", b"k\0" + b"v" * logos.MAX_BYTES)),
        logos.FileTooLarge,
    ),
}

# Accepted, but the payload must not survive: id -> (what builds the file, the payloads).
CLEANED = {
    "png-trailing-html": (lambda: image_bytes("PNG") + PAYLOAD, [PAYLOAD]),
    "png-trailing-zip": (
        lambda: image_bytes("PNG") + zip_archive(),
        [b"PK\x03\x04", b"evil.html", PAYLOAD],
    ),
    "jpeg-trailing-html": (lambda: image_bytes("JPEG") + PAYLOAD, [PAYLOAD]),
    "webp-trailing-html": (lambda: image_bytes("WEBP") + PAYLOAD, [PAYLOAD]),
    "png-text-script": (lambda: png_with(png_chunk(b"tEXt", b"Comment\0" + PAYLOAD)), [PAYLOAD]),
    "png-itxt-xmp-script": (
        lambda: png_with(png_chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0" + PAYLOAD)),
        [PAYLOAD],
    ),
    "png-ztxt-script": (
        lambda: png_with(png_chunk(b"zTXt", b"Comment\0\0" + zipped_text(PAYLOAD))),
        [PAYLOAD],
    ),
    "png-icc-script": (lambda: image_bytes("PNG", icc_profile=PAYLOAD * 10), [PAYLOAD]),
    "png-exif-gps": (lambda: image_bytes("PNG", exif=exif_with_gps()), [PAYLOAD]),
    "png-9000-text-chunks": (
        lambda: png_with(
            *(png_chunk(b"tEXt", b"k%d\0" % i + PAYLOAD + b"v" * 160) for i in range(9000))
        ),
        [PAYLOAD],
    ),
    "jpeg-comment-script": (lambda: image_bytes("JPEG", comment=PAYLOAD), [PAYLOAD]),
    "jpeg-exif-gps": (lambda: image_bytes("JPEG", exif=exif_with_gps()), [PAYLOAD]),
    "jpeg-corrupt-exif": (lambda: image_bytes("JPEG", exif=corrupt_exif()), [PAYLOAD]),
    "jpeg-xmp-script": (lambda: image_bytes("JPEG", xmp=b"<x:xmpmeta>" + PAYLOAD), [PAYLOAD]),
    "jpeg-icc-script": (lambda: image_bytes("JPEG", icc_profile=PAYLOAD * 10), [PAYLOAD]),
    "jpeg-1.5-mb-icc": (
        lambda: image_bytes("JPEG", icc_profile=PAYLOAD + b"\0" * 1_500_000),
        [PAYLOAD],
    ),
    "webp-exif-gps-xmp-icc": (
        lambda: image_bytes(
            "WEBP", exif=exif_with_gps(), xmp=PAYLOAD + b"xmp", icc_profile=PAYLOAD + b"icc"
        ),
        [PAYLOAD],
    ),
    "webp-animated": (lambda: animated("WEBP"), [b"ANIM", b"ANMF"]),
    "png-animated": (lambda: animated("PNG"), [b"acTL", b"fcTL", b"fdAT"]),
}


# Checks --------------------------------------------------------------------------------


def webp_chunks(data: bytes) -> list[bytes]:
    """The kinds of the chunks of a RIFF WebP, in order."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    assert struct.unpack("<I", data[4:8])[0] == len(data) - 8  # nothing after the RIFF
    kinds, at = [], 12
    while at < len(data):
        kind, size = data[at : at + 4], struct.unpack("<I", data[at + 4 : at + 8])[0]
        kinds.append(kind)
        at += 8 + size + size % 2
    assert at == len(data)
    return kinds


def assert_pixels_only(stored: bytes, payloads: list[bytes]) -> None:
    """`stored` is a still WebP made of pixel data alone, with none of `payloads` in it."""
    assert set(webp_chunks(stored)) <= PIXEL_CHUNKS
    for payload in payloads:
        assert payload not in stored
    with Image.open(io.BytesIO(stored)) as image:
        image.load()
        assert image.format == "WEBP"
        assert max(image.size) <= logos.STORED_SIDE
        assert not getattr(image, "is_animated", False)
        assert not {"exif", "icc_profile", "xmp"} & set(image.info)
        assert not image.getexif()


def refused_or_clean(data: bytes) -> None:
    """What every upload must come to: a LogoError, or a still WebP of at most 512 px."""
    try:
        stored = logos.prepare(data)
    except logos.LogoError:
        return
    assert_pixels_only(stored, [])


# Refused -------------------------------------------------------------------------------


@pytest.mark.parametrize(("build", "error"), REFUSED.values(), ids=REFUSED.keys())
def test_hostile_file_is_refused_with_the_error_the_form_explains(build, error):
    with pytest.raises(error):
        logos.prepare(build())


BOMBS = {name: build for name, (build, error) in REFUSED.items() if error is logos.TooManyPixels}


@pytest.mark.parametrize("build", BOMBS.values(), ids=BOMBS.keys())
def test_too_many_pixels_are_refused_before_any_is_decoded(build, monkeypatch):
    data = build()
    assert len(data) < 100_000

    def decode(image):
        raise AssertionError("pixels decoded")  # prepare() would call it NotAnImage

    monkeypatch.setattr(ImageFile.ImageFile, "load", decode)
    with pytest.raises(logos.TooManyPixels):
        logos.prepare(data)


def test_largest_allowed_image_of_little_data_is_accepted_and_shrunk():
    stored = logos.prepare(png_with_pixels(logos.MAX_SIDE, logos.MAX_SIDE))
    assert_pixels_only(stored, [])


# Accepted, and nothing but pixels kept ------------------------------------------------


@pytest.mark.parametrize(("build", "payloads"), CLEANED.values(), ids=CLEANED.keys())
def test_payload_in_a_real_image_is_not_kept(build, payloads):
    original = build()
    assert len(original) <= logos.MAX_BYTES
    stored = logos.prepare(original)
    assert_pixels_only(stored, payloads)


@pytest.mark.parametrize(("build", "payloads"), CLEANED.values(), ids=CLEANED.keys())
def test_payload_is_really_in_the_original(build, payloads):
    """The test above proves something only if what is uploaded carries the payload."""
    original = build()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the corrupt EXIF
        with Image.open(io.BytesIO(original)) as image:
            image.load()
            # As stored, or as Pillow reads it (a zTXt chunk is compressed).
            readable = (
                original + repr(image.info).encode() + repr(getattr(image, "text", {})).encode()
            )
    for payload in payloads:
        assert payload in readable


@pytest.mark.parametrize(
    "build",
    [CLEANED[name][0] for name in ("png-exif-gps", "jpeg-exif-gps", "webp-exif-gps-xmp-icc")],
)
def test_gps_position_is_not_kept(build):
    with Image.open(io.BytesIO(build())) as original:
        assert original.getexif().get_ifd(0x8825)  # GPSInfo
    with Image.open(io.BytesIO(logos.prepare(build()))) as stored:
        assert not stored.getexif().get_ifd(0x8825)


def test_corrupt_exif_makes_pillow_warn_but_not_prepare():
    """Pillow warns and reads on; prepare() gives the same answer whether warnings are errors
    (as in this suite, where one would have escaped as an exception) or not."""
    data = CLEANED["jpeg-corrupt-exif"][0]()
    with pytest.warns(UserWarning), Image.open(io.BytesIO(data)):
        pass
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_pixels_only(logos.prepare(data), [PAYLOAD])


@pytest.mark.parametrize("fmt", ["WEBP", "PNG"])
def test_only_the_first_frame_of_an_animation_is_kept(fmt):
    with Image.open(io.BytesIO(animated(fmt))) as original:
        assert original.n_frames == 3
    with Image.open(io.BytesIO(logos.prepare(animated(fmt)))) as stored:
        assert getattr(stored, "n_frames", 1) == 1
        red, green, blue = stored.convert("RGB").getpixel((32, 32))
        assert red > 240 and green < 16 and blue < 16  # the first frame is red


# Anything at all ---------------------------------------------------------------------

SEEDS = {
    "png": image_bytes("PNG", size=(24, 16)),
    "png-rgba": image_bytes("PNG", size=(24, 16), mode="RGBA"),
    "jpeg": image_bytes("JPEG", size=(24, 16), exif=exif_with_gps()),
    "webp": image_bytes("WEBP", size=(24, 16), exif=exif_with_gps(), icc_profile=b"icc" * 20),
}


def fix_png_crcs(data: bytes) -> bytes:
    """`data` with the CRC of each PNG chunk made right, so a mutation gets past the check."""
    out, at = bytearray(data), len(PNG_SIGNATURE)
    while at + 12 <= len(out):
        size = struct.unpack(">I", out[at : at + 4])[0]
        end = at + 8 + size
        if end + 4 > len(out):
            break
        out[end : end + 4] = struct.pack(">I", zlib.crc32(out[at + 4 : end]))
        at = end + 4
    return bytes(out)


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        patch = draw(st.binary(min_size=1, max_size=8))
        if draw(st.booleans()):
            data[at : at + len(patch)] = patch  # overwrite
        else:
            data[at:at] = patch  # insert
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


HYPOTHESIS = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@HYPOTHESIS
@given(st.binary(max_size=2048) | st.binary(max_size=2048).map(lambda tail: PNG_SIGNATURE + tail))
def test_random_bytes_are_refused_or_become_a_clean_webp(data):
    refused_or_clean(data)


@HYPOTHESIS
# With the CRCs left wrong, most are refused at the first broken chunk; made right, the
# changes reach the header, the pixel data and its compression.
@given(mutated(SEEDS["png"]) | mutated(SEEDS["png-rgba"]).map(fix_png_crcs))
def test_mutated_png_is_refused_or_becomes_a_clean_webp(data):
    refused_or_clean(data)


@HYPOTHESIS
@given(st.sampled_from(["jpeg", "webp"]).flatmap(lambda name: mutated(SEEDS[name])))
def test_mutated_jpeg_or_webp_is_refused_or_becomes_a_clean_webp(data):
    refused_or_clean(data)
