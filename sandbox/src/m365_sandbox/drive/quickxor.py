"""OneDrive's QuickXorHash (``file.hashes.quickXorHash``), the hash OneDrive for Business reports.

Each byte is XORed into a 160-bit register at a bit position that moves 11 bits per byte
(circularly), and the content length is XORed into the last 8 bytes. Checked against the
published test vectors (rclone's port of Microsoft's reference implementation).
"""

from __future__ import annotations

import base64

_WIDTH = 160
_SHIFT = 11
_MASK = (1 << _WIDTH) - 1


def quick_xor_hash(data: bytes) -> str:
    """The base64 QuickXorHash of ``data``."""
    register = 0
    if data:
        # Byte k of ``folded`` is the XOR of data[k], data[k+160], …: all of them land on the same bits.
        folded = 0
        for start in range(0, len(data), _WIDTH):
            folded ^= int.from_bytes(data[start : start + _WIDTH], "little")
        for position, value in enumerate(folded.to_bytes(_WIDTH, "little")):
            if value:
                shifted = value << ((position * _SHIFT) % _WIDTH)
                register ^= (shifted | (shifted >> _WIDTH)) & _MASK
    digest = bytearray(register.to_bytes(_WIDTH // 8, "little"))
    for index, value in enumerate(len(data).to_bytes(8, "little")):
        digest[_WIDTH // 8 - 8 + index] ^= value
    return base64.b64encode(bytes(digest)).decode()
