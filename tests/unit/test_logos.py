"""Logos are judged by their bytes, re-encoded without metadata, stored under random names."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from matchmaker.organisations import logos


def image_bytes(fmt: str, size=(300, 200), mode="RGB", **save_options) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "#0b5cad" if mode == "RGB" else (11, 92, 173, 128)).save(
        out, fmt, **save_options
    )
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` x `height` pixels, with no pixels behind it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_png_jpeg_and_webp_are_accepted_and_stored_as_webp(fmt):
    stored = decoded(logos.prepare(image_bytes(fmt)))
    assert stored.format == "WEBP"
    assert stored.size == (300, 200)


def test_transparency_is_kept():
    stored = decoded(logos.prepare(image_bytes("PNG", mode="RGBA")))
    assert stored.mode == "RGBA"


def test_large_image_is_shrunk_to_fit_keeping_its_shape():
    stored = decoded(logos.prepare(image_bytes("PNG", size=(2048, 1024))))
    assert stored.size == (logos.STORED_SIDE, logos.STORED_SIDE // 2)


def test_metadata_is_stripped():
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    exif[0x8298] = "someone's name"  # Copyright
    original = image_bytes("JPEG", exif=exif.tobytes(), comment=b"hidden")
    assert b"secret description" in original and b"hidden" in original
    stored = logos.prepare(original)
    assert b"secret description" not in stored
    assert b"hidden" not in stored
    assert "exif" not in decoded(stored).info


def test_exif_orientation_is_applied_before_stripping():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    stored = decoded(logos.prepare(image_bytes("JPEG", size=(300, 200), exif=exif.tobytes())))
    assert stored.size == (200, 300)


def test_text_is_not_an_image():
    with pytest.raises(logos.NotAnImage):
        logos.prepare(b"<svg onload=alert(1)>definitely a logo</svg>\n")


def test_gif_is_refused_although_it_is_an_image():
    with pytest.raises(logos.NotAnImage):
        logos.prepare(image_bytes("GIF"))


def test_truncated_image_is_not_an_image():
    with pytest.raises(logos.NotAnImage):
        logos.prepare(image_bytes("PNG", size=(400, 400))[:200])


def test_file_over_the_limit_is_refused_before_decoding():
    with pytest.raises(logos.FileTooLarge):
        logos.prepare(image_bytes("PNG") + b"\0" * logos.MAX_BYTES)


def test_image_wider_than_allowed_is_refused():
    with pytest.raises(logos.TooManyPixels):
        logos.prepare(png_claiming(logos.MAX_SIDE + 1, 10))


def test_decompression_bomb_is_refused_without_decoding():
    with pytest.raises(logos.TooManyPixels):
        logos.prepare(png_claiming(100_000, 100_000))


def test_saved_under_a_new_random_name(tmp_path):
    first = logos.save(tmp_path / "7", b"one")
    second = logos.save(tmp_path / "7", b"two")
    assert first != second
    assert logos.is_valid_name(first)
    assert (tmp_path / "7" / first).read_bytes() == b"one"


@pytest.mark.parametrize(
    "name",
    ["../secret_key", "logo.png", "0" * 32 + ".WEBP", "0" * 31 + ".webp", "0" * 32 + ".webp/x", ""],
)
def test_names_we_did_not_make_are_invalid(name):
    assert not logos.is_valid_name(name)


def test_prune_keeps_only_the_named_logos(tmp_path):
    kept, public, old = (logos.save(tmp_path, b"x") for _ in range(3))
    (tmp_path / "notes.txt").write_text("not ours")
    logos.prune(tmp_path, keep={kept, public, None})
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([kept, public, "notes.txt"])
    assert old not in {p.name for p in tmp_path.iterdir()}
