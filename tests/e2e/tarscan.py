#!/usr/bin/env python3
"""Read a tar archive into a list of entries with every header field, in archive order.

The headers are decoded here rather than through tarfile alone because the
comparison needs what tarfile normalises away: the trailing `/` of directory
names, which header blocks make up an entry (plain USTAR, or a PAX extended
header before it, or a global PAX header), and the raw typeflag. tarfile still
reads every archive as well, so an archive a standard reader rejects or reads
differently fails here too.

    tarscan.py FILE   prints one entry per line.
"""

import decimal
import hashlib
import io
import os
import sys
import tarfile
from dataclasses import dataclass, field

BLOCK = 512
ZERO_BLOCK = bytes(BLOCK)
# Types whose header is followed by data of the given size (tarfile agrees).
DATA_TYPES = {"0", "\0", "7"}
EXTENSION_TYPES = {"x", "g", "L", "K"}
TYPE_NAMES = {"0": "file", "\0": "file(v7)", "1": "hardlink", "2": "symlink",
              "3": "char", "4": "block", "5": "dir", "6": "fifo", "7": "contiguous"}


class TarFormatError(Exception):
    pass


@dataclass
class TarEntry:
    name: bytes
    type: str
    mode: int
    uid: int
    gid: int
    uname: bytes
    gname: bytes
    size: int
    mtime: object  # int, or a Decimal when a PAX record has a fraction
    linkname: bytes
    devmajor: int
    devminor: int
    headers: tuple  # typeflags of the blocks making up this entry, e.g. ("x", "0")
    pax: dict = field(default_factory=dict)  # this entry's PAX records (key -> bytes)
    global_pax: dict = field(default_factory=dict)  # global PAX records in force
    magic: bytes = b""
    sha256: str = ""

    @property
    def xattrs(self):
        return {k: v for k, v in self.pax.items() if k.startswith("SCHILY.xattr.")}

    def describe(self):
        text = "%-8s %06o %d:%d %r:%r %8d %s %s" % (
            TYPE_NAMES.get(self.type, repr(self.type)), self.mode, self.uid, self.gid,
            self.uname.decode("utf-8", "backslashreplace"),
            self.gname.decode("utf-8", "backslashreplace"),
            self.size, self.mtime, show(self.name))
        if self.linkname:
            text += " -> " + show(self.linkname)
        if self.type in ("3", "4"):
            text += " dev=%d,%d" % (self.devmajor, self.devminor)
        if len(self.headers) > 1:
            text += " headers=%s pax=%s" % ("+".join(self.headers), sorted(self.pax))
        return text


@dataclass
class TarArchive:
    entries: list
    end: int  # offset of the end-of-archive marker
    size: int

    def names(self):
        return [e.name for e in self.entries]


def show(name):
    """A name as readable text; bytes that are not UTF-8 and control characters escaped."""
    text = name.decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def _nts(field):
    end = field.find(b"\0")
    return field if end < 0 else field[:end]


def _number(field):
    if field[0] & 0x80:
        # Base-256 (GNU): the rest of the first byte and all following bytes, big-endian.
        value = int.from_bytes(bytes([field[0] & 0x7F]) + field[1:], "big")
        if field[0] & 0x40:
            value -= 1 << (8 * len(field) - 1)
        return value
    text = _nts(field).strip(b" \0")
    if not text:
        return 0
    try:
        return int(text, 8)
    except ValueError:
        raise TarFormatError("bad numeric field %r" % field) from None


def _pax_records(data):
    records = {}
    pos = 0
    while pos < len(data):
        space = data.find(b" ", pos)
        if space < 0:
            raise TarFormatError("bad PAX record at %d" % pos)
        length = int(data[pos:space])
        record = data[space + 1:pos + length]
        if length <= 0 or not record.endswith(b"\n") or b"=" not in record:
            raise TarFormatError("bad PAX record %r" % data[pos:pos + length])
        key, value = record[:-1].split(b"=", 1)
        records[key.decode("utf-8", "surrogateescape")] = value
        pos += length
    return records


def _checksum_ok(block):
    stored = _number(block[148:156])
    unsigned = sum(block[:148]) + 8 * 32 + sum(block[156:])
    return stored == unsigned


def read_tar(data):
    """Parse a whole uncompressed tar; raise TarFormatError if it is malformed."""
    entries = []
    pos = 0
    chain, pax, longname, longlink = [], {}, None, None
    global_pax = {}
    while True:
        if pos + BLOCK > len(data):
            raise TarFormatError("archive truncated at offset %d (no end-of-archive marker)" % pos)
        block = data[pos:pos + BLOCK]
        if block == ZERO_BLOCK:
            if chain:
                raise TarFormatError("archive ends inside the headers of an entry")
            end = pos
            break
        if not _checksum_ok(block):
            raise TarFormatError("bad header checksum at offset %d" % pos)
        typeflag = chr(block[156])
        size = _number(block[124:136])
        chain.append(typeflag)
        body_start = pos + BLOCK
        if typeflag in EXTENSION_TYPES:
            body = data[body_start:body_start + size]
            if len(body) < size:
                raise TarFormatError("archive truncated inside an extended header")
            if typeflag == "x":
                pax.update(_pax_records(body))
            elif typeflag == "g":
                global_pax.update(_pax_records(body))
            elif typeflag == "L":
                longname = _nts(body)
            else:
                longlink = _nts(body)
            pos = body_start + -(-size // BLOCK) * BLOCK
            continue

        magic = block[257:265]
        name = _nts(block[0:100])
        prefix = _nts(block[345:500])
        if magic[:6] == b"ustar\0" and prefix:
            name = prefix + b"/" + name
        if longname is not None:
            name = longname
        if "path" in pax:
            name = pax["path"]
        linkname = _nts(block[157:257])
        if longlink is not None:
            linkname = longlink
        if "linkpath" in pax:
            linkname = pax["linkpath"]
        if "size" in pax:
            size = int(pax["size"])
        mtime = _number(block[136:148])
        if "mtime" in pax:
            mtime = decimal.Decimal(pax["mtime"].decode())
            if mtime == mtime.to_integral_value():
                mtime = int(mtime)
        entry = TarEntry(
            name=name, type=typeflag, mode=_number(block[100:108]),
            uid=int(pax["uid"]) if "uid" in pax else _number(block[108:116]),
            gid=int(pax["gid"]) if "gid" in pax else _number(block[116:124]),
            uname=pax.get("uname", _nts(block[265:297])),
            gname=pax.get("gname", _nts(block[297:329])),
            size=size, mtime=mtime, linkname=linkname,
            devmajor=_number(block[329:337]), devminor=_number(block[337:345]),
            headers=tuple(chain), pax=dict(pax), global_pax=dict(global_pax), magic=magic)
        if typeflag in DATA_TYPES or typeflag not in TYPE_NAMES:
            content = data[body_start:body_start + size]
            if len(content) < size:
                raise TarFormatError("archive truncated inside %s" % show(name))
            entry.sha256 = hashlib.sha256(content).hexdigest()
            pos = body_start + -(-size // BLOCK) * BLOCK
        else:
            pos = body_start
        entries.append(entry)
        chain, pax, longname, longlink = [], {}, None, None

    archive = TarArchive(entries=entries, end=end, size=len(data))
    _cross_check(archive, data)
    return archive


def _cross_check(archive, data):
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:",
                          encoding="utf-8", errors="surrogateescape") as tar:
            members = tar.getmembers()
    except tarfile.TarError as e:
        raise TarFormatError("Python's tarfile cannot read the archive: %s" % e) from None
    ours = [(e.name.rstrip(b"/") if e.type == "5" else e.name, e.size) for e in archive.entries]
    theirs = [(os.fsencode(m.name), m.size) for m in members]
    if ours != theirs:
        raise TarFormatError("Python's tarfile reads the archive differently: %r vs %r"
                             % (ours[:5], theirs[:5]))


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: tarscan.py FILE\n")
        return 2
    with open(argv[1], "rb") as f:
        archive = read_tar(f.read())
    for entry in archive.entries:
        print(entry.describe())
    print("# %d entries, end-of-archive at %d, %d bytes" % (
        len(archive.entries), archive.end, archive.size))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
