"""Text every export format can carry: the characters XML 1.0 cannot hold (C0 controls
other than tab and newlines, lone surrogates, U+FFFE/U+FFFF) are removed, in GraphML and
in every RDF syntax alike, so all formats say the same (`kg.codec.xml_text` cleans one
string; `encode_clean` a whole document as it is encoded)."""

from __future__ import annotations

# The characters as UTF-8 bytes: C0 controls are single bytes that never occur inside a
# multi-byte sequence, and EF BF BE / EF BF BF can only be U+FFFE / U+FFFF, so deleting them
# from the encoded text is exact, and runs at memory speed where a regex pass over a 100 MB
# document takes a second.
_NOT_XML_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def encode_clean(text: str) -> bytes:
    """`text` as UTF-8 without the characters XML 1.0 cannot hold (lone surrogates dropped).

    >>> encode_clean("a\\x00b\\x1b\\ufffec\\td\\ud800é")
    b'abc\\td\\xc3\\xa9'
    """
    data = text.encode("utf-8", "ignore").translate(None, _NOT_XML_BYTES)
    if b"\xef\xbf" in data:
        data = data.replace(b"\xef\xbf\xbe", b"").replace(b"\xef\xbf\xbf", b"")
    return data
