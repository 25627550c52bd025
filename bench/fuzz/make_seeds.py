"""Seeds for the fuzz targets: small valid archives in each tar dialect, and ACL dumps in getfacl's forms."""
import io, os, sys, tarfile

out = sys.argv[1]
os.makedirs(f"{out}/tar", exist_ok=True)
os.makedirs(f"{out}/acl", exist_ok=True)

def entries(tf, longname=False):
    d = tarfile.TarInfo("etc/"); d.type = tarfile.DIRTYPE; d.mode = 0o755; tf.addfile(d)
    data = b"root:x:0:0::/root:/bin/sh\n"
    f = tarfile.TarInfo("etc/passwd"); f.size = len(data); f.uid = 1000; f.uname = "alice"; tf.addfile(f, io.BytesIO(data))
    l = tarfile.TarInfo("etc/link"); l.type = tarfile.SYMTYPE; l.linkname = "passwd"; tf.addfile(l)
    h = tarfile.TarInfo("etc/hard"); h.type = tarfile.LNKTYPE; h.linkname = "etc/passwd"; tf.addfile(h)
    if longname:
        n = tarfile.TarInfo("d/" + "x" * 150); n.size = 3; tf.addfile(n, io.BytesIO(b"abc"))

for name, fmt, longname in [("ustar", tarfile.USTAR_FORMAT, False), ("gnu", tarfile.GNU_FORMAT, True), ("pax", tarfile.PAX_FORMAT, True)]:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        entries(tf, longname)
        if fmt == tarfile.PAX_FORMAT:
            x = tarfile.TarInfo("acl"); x.pax_headers = {"SCHILY.acl.access": "user::rw-,user:alice:r--,group::r--,mask::r--,other::---", "SCHILY.xattr.user.k": "v", "mtime": "1700000000.5"}
            tf.addfile(x)
    with open(f"{out}/tar/{name}.tar", "wb") as fh:
        fh.write(buf.getvalue())

with open(f"{out}/acl/dump.acl", "w") as fh:
    fh.write("# file: srv\n# owner: root\n# group: staff\n# flags: -s-\nuser::rwx\nuser:alice:r-x\t#effective:r--\ngroup::r-x\nmask::r--\nother::---\ndefault:user::rwx\ndefault:group::r-x\ndefault:other::---\n\n")
    fh.write("# file: srv/a\\040b\nu::rw\nu:1000:6\ng::r\nm:rw\no::-\n")

# Compressed seeds for the "archive" target: the same small archives through each compressor.
import gzip, bz2, subprocess
os.makedirs(f"{out}/archive", exist_ok=True)
plain = open(f"{out}/tar/pax.tar", "rb").read()
open(f"{out}/archive/pax.tar.gz", "wb").write(gzip.compress(plain, mtime=0))
open(f"{out}/archive/pax.tar.bz2", "wb").write(bz2.compress(plain))
try:
    open(f"{out}/archive/pax.tar.zst", "wb").write(subprocess.run(["zstd", "-c", "-q"], input=plain, capture_output=True, check=True).stdout)
except (OSError, subprocess.CalledProcessError):
    pass
