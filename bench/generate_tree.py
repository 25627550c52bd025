#!/usr/bin/env python3
"""Writes the benchmark's module tree: ~20,000 files, 1 GiB, the same bytes on every machine.

Mostly 1-20 KB text files (words from a word list made up here, so no dictionary is needed), plus 1-10 MB
binaries, half random (incompressible: gzip gains nothing) and half repetitive (gzip shrinks them a lot), the mix
an HPC software module has (sources, docs, scripts, shared libraries, data). The tree is three top-level folders
m1, m2, m3 of about equal size, so the same tree serves as one module or as three.

Usage: generate_tree.py DEST   (DEST must not exist; it is written under DEST.tmp and renamed at the end,
so an interrupted run never leaves a half tree that looks complete)
"""
import os
import random
import shutil
import sys

SEED = 20261124
TOTAL_BYTES = 1 << 30
FILE_COUNT = 20_000
BINARY_COUNT = 150
MODULES = ("m1", "m2", "m3")
KIB, MIB = 1024, 1024 * 1024


def word_list(rng, count=4000):
    syllables = ["ka", "to", "ri", "mo", "an", "el", "us", "pre", "con", "ta", "li", "ser", "vo", "den", "ip",
                 "ex", "ra", "mi", "nu", "os", "que", "lo", "par", "ti", "en", "dis", "ver", "ma", "so", "gen"]
    words = set()
    while len(words) < count:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def text_bytes(rng, words, size):
    out = []
    length = 0
    while length < size:
        line = " ".join(rng.choices(words, k=rng.randint(4, 14))) + "\n"
        out.append(line)
        length += len(line)
    return "".join(out).encode("ascii")[:size]


def repetitive_bytes(rng, size):
    # A few KiB block repeated with a small change per copy: compresses well, but is not all zeros.
    block = bytearray(rng.randbytes(4 * KIB))
    out = bytearray()
    counter = 0
    while len(out) < size:
        block[counter % len(block)] = counter & 0xFF
        out += block
        counter += 1
    return bytes(out[:size])


def destination(doc):
    """The folder named on the command line, which must not exist yet, and the temporary folder written first."""
    if len(sys.argv) != 2:
        sys.exit(doc)
    dest = sys.argv[1]
    if os.path.exists(dest):
        sys.exit(f"{dest} exists")
    tmp = dest + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    return dest, tmp


def write_files(files, tmp, dest, total, contents):
    """Writes each (relative path, kind, size, origin) with contents(path, kind, size, origin), then renames tmp to dest."""
    for done, (rel, kind, size, origin) in enumerate(files):
        path = os.path.join(tmp, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        contents(path, kind, size, origin)
        if done % 2000 == 0:
            print(f"  generated {done}/{len(files)} files", file=sys.stderr)
    os.rename(tmp, dest)
    print(f"{dest}: {len(files)} files, {total} bytes", file=sys.stderr)


def main():
    dest, tmp = destination(__doc__)
    rng = random.Random(SEED)
    words = word_list(rng)

    text_count = FILE_COUNT - BINARY_COUNT
    text_sizes = [rng.randint(1 * KIB, 20 * KIB) for _ in range(text_count)]
    # Binary sizes: random in 1-10 MiB, then scaled so that the whole tree is TOTAL_BYTES exactly.
    left = TOTAL_BYTES - sum(text_sizes)
    raw = [rng.randint(1 * MIB, 10 * MIB) for _ in range(BINARY_COUNT)]
    scale = left / sum(raw)
    binary_sizes = [max(MIB, min(10 * MIB, int(s * scale))) for s in raw]
    binary_sizes[-1] += left - sum(binary_sizes)

    files = []  # (relative path, kind, size, seed)
    for i, size in enumerate(text_sizes):
        module = MODULES[i % len(MODULES)]
        sub = f"src/pkg{(i // 3) % 40:02d}/dir{(i // 120) % 8}"
        ext = rng.choice([".c", ".h", ".py", ".txt", ".md", ".sh"])
        files.append((f"{module}/{sub}/file{i:05d}{ext}", "text", size, rng.getrandbits(64)))
    for i, size in enumerate(binary_sizes):
        module = MODULES[i % len(MODULES)]
        kind = "random" if i % 2 == 0 else "repetitive"
        folder = "lib" if kind == "random" else "share/data"
        files.append((f"{module}/{folder}/blob{i:03d}.{'so' if kind == 'random' else 'dat'}", kind, size, rng.getrandbits(64)))

    def contents(path, kind, size, seed):
        file_rng = random.Random(seed)
        if kind == "text":
            data = text_bytes(file_rng, words, size)
        elif kind == "random":
            data = file_rng.randbytes(size)
        else:
            data = repetitive_bytes(file_rng, size)
        with open(path, "wb") as f:
            f.write(data)

    write_files(files, tmp, dest, TOTAL_BYTES, contents)


if __name__ == "__main__":
    main()
