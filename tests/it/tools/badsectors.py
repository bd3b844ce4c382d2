#!/usr/bin/python3
"""A disk with unreadable sectors, for the fault-injection tests.

Serves IMAGE read-only as MOUNTPOINT/disk.img through FUSE; every read that touches one of the
bad byte ranges fails with EIO, as a failing disk's sectors do. Everything else reads through.
Runs in the foreground until unmounted (fusermount -u / umount MOUNTPOINT).

Usage: badsectors.py IMAGE MOUNTPOINT START:LENGTH [START:LENGTH ...]
"""
import errno
import os
import stat
import sys

from fusepy import FUSE, FuseOSError, Operations

NAME = "/disk.img"


class BadSectors(Operations):
    def __init__(self, image, ranges):
        self.fd = os.open(image, os.O_RDONLY)
        self.size = os.fstat(self.fd).st_size
        self.ranges = ranges
        self.failed = 0

    def getattr(self, path, fh=None):
        if path == "/":
            return {"st_mode": stat.S_IFDIR | 0o555, "st_nlink": 2}
        if path == NAME:
            return {"st_mode": stat.S_IFREG | 0o444, "st_nlink": 1, "st_size": self.size}
        raise FuseOSError(errno.ENOENT)

    def readdir(self, path, fh):
        return [".", "..", NAME[1:]]

    def open(self, path, flags):
        if path != NAME:
            raise FuseOSError(errno.ENOENT)
        if flags & (os.O_WRONLY | os.O_RDWR):
            raise FuseOSError(errno.EROFS)
        return 0

    def read(self, path, size, offset, fh):
        for start, length in self.ranges:
            if offset < start + length and start < offset + size:
                self.failed += 1
                raise FuseOSError(errno.EIO)
        return os.pread(self.fd, size, offset)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    ranges = [tuple(int(x) for x in r.split(":")) for r in sys.argv[3:]]
    FUSE(BadSectors(sys.argv[1], ranges), sys.argv[2], foreground=True, ro=True, direct_io=True)


if __name__ == "__main__":
    main()
