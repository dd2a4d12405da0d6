"""What a client's WASM code is made of: the size of every function's body, from the WASM's name
section, summed by crate (generic impls count under the crate of their `Self` type, e.g. `T` for
blanket impls), then the largest functions matching an optional pattern.

Usage: python3 bench/client_code.py FILE.wasm [REGEX [COUNT]]
"""

import collections
import re
import subprocess
import sys


def leb128(data, at):
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def skip_limits(data, at):
    flags = data[at]
    _, at = leb128(data, at + 1)
    return leb128(data, at)[1] if flags & 1 else at


def read(path):
    """(sizes of the bodies of defined functions, names by function index, count of imports)"""
    data = open(path, "rb").read()
    at, imported, sizes, names = 8, 0, [], {}
    while at < len(data):
        section = data[at]
        length, at = leb128(data, at + 1)
        end = at + length
        if section == 2:  # imports: functions among them take the first indices
            count, p = leb128(data, at)
            for _ in range(count):
                for _ in range(2):  # module and field names
                    n, p = leb128(data, p)
                    p += n
                kind, p = data[p], p + 1
                if kind == 0:
                    imported += 1
                    p = leb128(data, p)[1]
                elif kind == 1:
                    p = skip_limits(data, p + 1)
                elif kind == 2:
                    p = skip_limits(data, p)
                elif kind == 3:
                    p += 2
                else:
                    p = leb128(data, p + 1)[1]
        elif section == 10:  # code
            count, p = leb128(data, at)
            for _ in range(count):
                n, body = leb128(data, p)
                sizes.append(n + body - p)
                p = body + n
        elif section == 0:
            n, p = leb128(data, at)
            if data[p : p + n] == b"name":
                p += n
                while p < end:
                    kind = data[p]
                    n, p = leb128(data, p + 1)
                    if kind == 1:  # function names
                        count, q = leb128(data, p)
                        for _ in range(count):
                            index, q = leb128(data, q)
                            m, q = leb128(data, q)
                            names[index] = data[q : q + m].decode("utf8", "replace")
                            q += m
                    p += n
        at = end
    return sizes, names, imported


def demangle(names):
    keys = list(names)
    text = "\n".join(names[k].replace("\n", " ") for k in keys)
    out = subprocess.run(["c++filt"], input=text, capture_output=True, text=True).stdout
    return {k: re.sub(r"::h[0-9a-f]{16}$", "", v) for k, v in zip(keys, out.split("\n"))}


def crate(name):
    match = re.match(r"[<&(]*(?:mut )?([A-Za-z_][A-Za-z0-9_]*)", name)
    return match.group(1) if match else name


def main():
    sizes, names, imported = read(sys.argv[1])
    if not names:
        sys.exit("no name section: build with `strip = false` (bench/client_code.sh does)")
    names = demangle(names)
    rows = [(size, names.get(imported + i, f"function {i}")) for i, size in enumerate(sizes)]
    total = sum(sizes)
    print(f"{len(rows)} functions, {total:,} bytes of code")
    by_crate = collections.Counter()
    for size, name in rows:
        by_crate[crate(name)] += size
    for name, size in by_crate.most_common(25):
        print(f"{size:>10,} {100 * size / total:5.1f} %  {name}")
    if len(sys.argv) > 2:
        pattern = re.compile(sys.argv[2])
        chosen = sorted((r for r in rows if pattern.search(r[1])), reverse=True)
        print(f"\nmatching {sys.argv[2]!r}: {sum(s for s, _ in chosen):,} bytes")
        for size, name in chosen[: int(sys.argv[3]) if len(sys.argv) > 3 else 30]:
            print(f"{size:>10,}  {name[:160]}")


if __name__ == "__main__":
    main()
