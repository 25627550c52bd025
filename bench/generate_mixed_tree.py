#!/usr/bin/env python3
"""Writes the benchmark's mixed module tree: ~7,600 files, 300 MiB of text, ELF binaries and random files.

Where generate_tree.py's binaries are synthetic (random or a block repeated), these are real ELF executables and
shared libraries copied from /usr/bin and /usr/lib: the content deflate finds hardest to make fast, and the one an
HPC module is mostly made of. Thirds by bytes: text (1-20 KiB files, the same made-up words as generate_tree.py),
ELF files (picked by a seeded shuffle of the sorted list of ELF files of 16 KiB-16 MiB on this machine: the same
bytes on every machine of one image) and random files (1-8 MiB, incompressible). Three top-level folders m1, m2, m3
of about equal size, so the same tree serves as one module or as three.

Usage: generate_mixed_tree.py DEST   (DEST must not exist; written under DEST.tmp and renamed at the end)
"""
import os
import random
import shutil
import sys

from generate_tree import KIB, MIB, MODULES, destination, text_bytes, word_list, write_files

SEED = 20261129
TOTAL_BYTES = 300 * MIB
ELF_ROOTS = ("/usr/bin", "/usr/lib")


def elf_files():
    found = []
    for root in ELF_ROOTS:
        for folder, dirs, names in os.walk(root):
            dirs.sort()
            for name in sorted(names):
                path = os.path.join(folder, name)
                try:
                    if os.path.islink(path) or not os.path.isfile(path):
                        continue
                    size = os.path.getsize(path)
                    if not 16 * KIB <= size <= 16 * MIB:
                        continue
                    with open(path, "rb") as f:
                        if f.read(4) == b"\x7fELF":
                            found.append((path, size))
                except OSError:
                    continue
    return found


def main():
    dest, tmp = destination(__doc__)
    rng = random.Random(SEED)
    words = word_list(rng)
    third = TOTAL_BYTES // 3

    files = []  # (relative path, kind, size, seed or source path)
    elves = elf_files()
    rng.shuffle(elves)
    elf_bytes = 0
    for i, (source, size) in enumerate(elves):
        if elf_bytes + size > third:
            continue
        elf_bytes += size
        module = MODULES[len(files) % len(MODULES)]
        folder = "lib" if ".so" in os.path.basename(source) else "bin"
        files.append((f"{module}/{folder}/{i:04d}-{os.path.basename(source)}", "elf", size, source))
        if elf_bytes > third - 16 * KIB:
            break
    if elf_bytes < third // 2:
        sys.exit(f"only {elf_bytes} bytes of ELF files under {ELF_ROOTS}")

    random_bytes = 0
    i = 0
    while random_bytes < third:
        size = min(rng.randint(1 * MIB, 8 * MIB), third - random_bytes)
        module = MODULES[i % len(MODULES)]
        files.append((f"{module}/share/data/blob{i:03d}.bin", "random", size, rng.getrandbits(64)))
        random_bytes += size
        i += 1

    text_left = TOTAL_BYTES - elf_bytes - random_bytes
    i = 0
    while text_left > 0:
        size = min(rng.randint(1 * KIB, 20 * KIB), text_left)
        module = MODULES[i % len(MODULES)]
        ext = rng.choice([".c", ".h", ".py", ".txt", ".md", ".sh"])
        files.append((f"{module}/src/pkg{(i // 3) % 40:02d}/dir{(i // 120) % 8}/file{i:05d}{ext}", "text", size,
                      rng.getrandbits(64)))
        text_left -= size
        i += 1

    def contents(path, kind, size, origin):
        if kind == "elf":
            shutil.copyfile(origin, path)
            os.chmod(path, 0o755)
            return
        file_rng = random.Random(origin)
        data = text_bytes(file_rng, words, size) if kind == "text" else file_rng.randbytes(size)
        with open(path, "wb") as f:
            f.write(data)

    write_files(files, tmp, dest, TOTAL_BYTES, contents)


if __name__ == "__main__":
    main()
