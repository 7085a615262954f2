"""A zip file whose entries are made of separately deflated pieces, so that a piece can be kept and re-used.

Each piece is deflated on its own (level 1, raw deflate, a fresh compressor) and ended with a sync flush:
it ends on a byte boundary with no final block, so pieces can be concatenated in any order. An entry's data
is its pieces followed by an empty final block; that is a valid deflate stream of the pieces' texts one
after another. The bytes of a piece depend only on its text (and the zlib version): the same text gives the
same piece whether it was deflated now or kept from an earlier build, so the file does not depend on which
pieces were re-used.

An entry's CRC-32 is combined from its pieces' CRCs without their data (crc32_combine). Entries are written
with fixed timestamps and attributes (deterministic bytes), and with zip64 records only when a size or an
offset needs them.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

LEVEL = 1
FINAL = b"\x03\x00"  # an empty final block with fixed Huffman codes: the end of an entry's deflate stream
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01
_DOS_TIME = 0  # 00:00:00
_LIMIT = 0xFFFFFFFF


@dataclass(frozen=True, slots=True)
class Piece:
    """A deflated text: raw deflate ended by a sync flush, its text's length and CRC-32."""

    data: bytes | memoryview
    size: int  # of the text
    crc: int  # CRC-32 of the text


def deflate(chunks: Iterable[bytes]) -> Piece:
    """One piece made of the chunks' text, with a fresh compressor (the bytes depend only on the text)."""
    c = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    out: list[bytes] = []
    crc = size = 0
    for b in chunks:
        if b:
            out.append(c.compress(b))
            crc = zlib.crc32(b, crc)
            size += len(b)
    out.append(c.flush(zlib.Z_SYNC_FLUSH))
    return Piece(b"".join(out), size, crc)


# CRC-32 arithmetic (as zlib's crc32_combine does it): a CRC register is a polynomial over GF(2) modulo the
# CRC polynomial, bits reflected (the x^0 coefficient is the top bit). Running n zero bytes through the
# register multiplies it by x^(8n); x^(2^k) for every k is kept, so x^(8n) costs one product per set bit of n.
_POLY = 0xEDB88320


def _times(a: int, b: int) -> int:
    """a(x) * b(x) modulo the CRC polynomial (reflected)."""
    m = 1 << 31
    p = 0
    while a:
        if a & m:
            p ^= b
            a ^= m
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1
    return p


_X2N: list[int] = [1 << 30]  # x^(2^k): x^1 first
for _k in range(63):
    _X2N.append(_times(_X2N[-1], _X2N[-1]))
_TABLES: dict[int, tuple[list[int], list[int], list[int], list[int]]] = {}


def _tables(k: int) -> tuple[list[int], list[int], list[int], list[int]]:
    """Multiplying by x^(2^k) is linear: four tables give it for each byte of the register."""
    t = _TABLES.get(k)
    if t is None:
        out = []
        for shift in (0, 8, 16, 24):
            table = [0] * 256
            for bit in range(8):
                table[1 << bit] = _times(_X2N[k], 1 << (shift + bit))
            for i in range(3, 256):
                low = i & -i
                if low != i:
                    table[i] = table[low] ^ table[i ^ low]
            out.append(table)
        t = _TABLES[k] = (out[0], out[1], out[2], out[3])
    return t


def _shift(register: int, n: int) -> int:
    """A CRC register after n zero bytes: times x^(8n), one factor x^(2^k) per set bit of 8n."""
    k = 3
    while n:
        if n & 1:
            t0, t1, t2, t3 = _tables(k)
            register = t0[register & 255] ^ t1[(register >> 8) & 255] ^ t2[(register >> 16) & 255] ^ t3[register >> 24]
        n >>= 1
        k += 1
    return register


def crc32_zeros(n: int, crc: int = 0) -> int:
    """zlib.crc32(bytes(n), crc), without the zeros: the register (crc inverted) times x^(8n), inverted."""
    return _shift(crc ^ 0xFFFFFFFF, n) ^ 0xFFFFFFFF


def crc32_combine(crc1: int, crc2: int, size2: int) -> int:
    """crc32(A + B) from crc1 = crc32(A), crc2 = crc32(B) and size2 = len(B).

    zlib's CRC-32 is affine in its starting value: running B from `crc1` differs from running it from 0 by
    what running as many zeros does to the two starting values, so
    crc32(B, crc1) == crc32(zeros, crc1) ^ crc32(B) ^ crc32(zeros), zeros = bytes(len(B)).
    The two zero terms together are crc1 times x^(8 len(B)) (the inversions cancel).
    """
    if size2 == 0:
        return crc1
    return _shift(crc1, size2) ^ crc2


def entry_crc(pieces: Sequence[Piece]) -> int:
    crc = 0
    for p in pieces:
        crc = crc32_combine(crc, p.crc, p.size)
    return crc


def zip_file(entries: Sequence[tuple[str, Sequence[Piece]]], force_zip64: bool = False) -> bytes:
    """The bytes of a zip file holding `entries` (name, its pieces) in this order, deflated, every entry
    dated 1980-01-01 00:00 with mode 0644. `force_zip64` writes the zip64 records even when not needed
    (for the tests: the real need starts at 4 GB)."""
    out: list[bytes | memoryview] = []
    central: list[bytes] = []
    offset = 0
    for name, pieces in entries:
        raw = name.encode("ascii")
        crc = entry_crc(pieces)
        size = sum(p.size for p in pieces)
        csize = sum(len(p.data) for p in pieces) + len(FINAL)
        big = force_zip64 or size >= _LIMIT or csize >= _LIMIT
        far = force_zip64 or offset >= _LIMIT
        version = 45 if big or far else 20
        local_extra = struct.pack("<HHQQ", 1, 16, size, csize) if big else b""
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, version, 0, zlib.DEFLATED, _DOS_TIME, _DOS_DATE, crc,
                             _LIMIT if big else csize, _LIMIT if big else size, len(raw), len(local_extra))
        out += [header, raw, local_extra, *(p.data for p in pieces), FINAL]
        extra_fields = (([size, csize] if big else []) + ([offset] if far else []))
        extra = struct.pack(f"<HH{len(extra_fields)}Q", 1, 8 * len(extra_fields), *extra_fields) \
            if extra_fields else b""
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | version, version, 0, zlib.DEFLATED,
                                   _DOS_TIME, _DOS_DATE, crc, _LIMIT if big else csize, _LIMIT if big else size,
                                   len(raw), len(extra), 0, 0, 0, 0o644 << 16, _LIMIT if far else offset)
                       + raw + extra)
        offset += len(header) + len(raw) + len(local_extra) + csize
    directory = b"".join(central)
    count = len(entries)
    if force_zip64 or offset >= _LIMIT or len(directory) >= _LIMIT or count >= 0xFFFF:
        end64 = offset + len(directory)
        out += [directory,
                struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, (3 << 8) | 45, 45, 0, 0, count, count, len(directory),
                            offset),
                struct.pack("<IIQI", 0x07064B50, 0, end64, 1),
                struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, _LIMIT, _LIMIT, 0)]
    else:
        out += [directory, struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), offset, 0)]
    return b"".join(out)
