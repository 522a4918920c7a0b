"""Text every export format can carry: the characters XML 1.0 cannot hold (C0 controls
other than tab and newlines, lone surrogates, U+FFFE/U+FFFF) are removed, in GraphML and
in every RDF syntax alike, so all formats say the same."""

from __future__ import annotations

import re

# XML 1.0 Char excludes C0 controls but tab, LF and CR; surrogates; U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold.

    >>> xml_text("a\\x00b\\x1bc\\td")
    'abc\\td'
    """
    return _NOT_XML.sub("", text) if _NOT_XML.search(text) else text


# The same characters as UTF-8 bytes: C0 controls are single bytes that never occur inside a
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
