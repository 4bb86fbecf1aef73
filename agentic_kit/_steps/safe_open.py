"""Reading a file beneath a root folder while others may write there: open first, then check what was opened.

Why not realpath, then open: checking a path and opening it are two steps, and the path can change between
them. Whoever may write inside a root swaps the checked file for a symbolic link to a file outside it after the
check and before the open, and the open follows the link (27 of 653 reads returned the outside file under an
attacker's test). A hard link inside a root to a file outside passes any check of the path, as it is a real
entry of the folder; and realpath itself fails (EINVAL) when a link turns into a file while it reads it.

So the path decides nothing. The file is opened by a walk from the root's descriptor, one component at a time,
each opened relative to the descriptor of the folder before it (openat: os.open(name, …, dir_fd=folder)) with
O_NOFOLLOW, a folder also with O_DIRECTORY: a symbolic link anywhere below the root is refused, not followed,
and `..` never occurs, so the walk cannot leave the root whatever changes meanwhile. Then the descriptor itself
is checked (fstat): a regular file (not a folder, FIFO, device or socket; the last open does not block, so a FIFO
cannot hang the read) with exactly one link (a hard link is not read), and the bytes are read from that
descriptor only. Linux's openat2 with RESOLVE_BENEATH does the same walk in the kernel, but Python's os module
has no openat2; the walk uses calls every POSIX system has.

realpath only names the components to walk (so a link inside a root to a file inside it still reads, and a
path through a linked folder names the root it is in); a name it gives that is no longer true is refused by the
walk, and one outside every root is refused before anything is opened.
"""

from __future__ import annotations

import errno
import io
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from agentic_kit._domain.errors import InvalidInput

NUL = "\x00"
ROOT_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
"""A root is configured by whoever runs the worker: its own path may go through links."""
FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK | os.O_NOCTTY
"""O_NONBLOCK: opening a FIFO returns at once (and fstat refuses it); reading a regular file is unchanged."""
LINK_ERRORS = frozenset({errno.ELOOP, errno.ENOTDIR, errno.EMLINK})
"""What an O_NOFOLLOW open of a symbolic link fails with (ELOOP on Linux, EMLINK on FreeBSD; ENOTDIR with
O_DIRECTORY)."""
FILE_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
              (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def shown_path(path: str | os.PathLike[str]) -> str:
    """A path as messages and records show it: a NUL byte written as \\x00 (no text column stores one)."""
    return os.fspath(path).replace(NUL, "\\x00")


def _named(path: str) -> Path:
    """The absolute path realpath names (it follows links only to name it); InvalidInput when there is none."""
    if NUL in path:
        raise InvalidInput(f"{shown_path(path)}: not a valid path (embedded NUL byte)")
    try:
        return Path(os.path.realpath(os.path.expanduser(path)))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{shown_path(path)}: could not be opened safely: {_strerror(exc)}") from None


def _under(named: Path, roots: Sequence[Path]) -> tuple[Path, tuple[str, ...]] | None:
    """The root named is in and the components below it, or None when it is in none."""
    for root in roots:
        root = Path(os.path.realpath(root))
        if named.is_relative_to(root):
            return root, named.relative_to(root).parts
    return None


def _outside(path: str, roots: Sequence[Path]) -> str:
    return (f"{shown_path(path)} is outside the folders documents may be read from ({', '.join(map(str, roots))}); "
            "add its folder to AGENTIC_INGEST_ROOTS (folders separated by ':') on the worker to allow it")


def outside_roots(path: str | os.PathLike[str], roots: Sequence[Path]) -> str | None:
    """Why path may not be read (not a valid path, or named outside every root), or None when it may be tried.

    Only a first answer: read_beneath and open_beneath decide on what they opened."""
    text = os.fspath(path)
    try:
        named = _named(text)
    except InvalidInput as exc:
        return str(exc)
    return None if _under(named, roots) is not None else _outside(text, roots)


def open_beneath(path: str | os.PathLike[str], roots: Sequence[Path]) -> int:
    """A descriptor of the regular file path names beneath one of the roots, opened without following any link
    below the root and checked after opening (one link only); the caller closes it. InvalidInput says why not."""
    text = os.fspath(path)
    shown = shown_path(text)
    located = _under(_named(text), roots)
    if located is None:
        raise InvalidInput(f"refused: {_outside(text, roots)}")
    root, parts = located
    if not parts:
        raise InvalidInput(f"{shown}: a folder documents are read from, not a file")
    try:
        folder = os.open(root, ROOT_FLAGS)
    except OSError as exc:
        raise InvalidInput(f"{shown}: could not be opened safely: the folder {root}: {_strerror(exc)}") from None
    try:
        for part in parts[:-1]:
            inner = _open_at(folder, part, FOLDER_FLAGS, shown)
            os.close(folder)
            folder = inner
        opened = _open_at(folder, parts[-1], FILE_FLAGS, shown)
    finally:
        os.close(folder)
    try:
        _check_opened(opened, shown)
    except BaseException:
        os.close(opened)
        raise
    return opened


def read_beneath(path: str | os.PathLike[str], roots: Sequence[Path]) -> bytes:
    """The bytes of the regular file path names beneath one of the roots, read from the descriptor open_beneath
    checked; InvalidInput says in plain words why there are none."""
    descriptor = open_beneath(path, roots)
    try:
        with io.FileIO(descriptor, "rb", closefd=False) as opened:
            return opened.readall()
    except OSError as exc:
        raise InvalidInput(f"{shown_path(path)}: cannot be read ({_strerror(exc)})") from None
    finally:
        os.close(descriptor)


def _open_at(folder: int, name: str, flags: int, shown: str) -> int:
    """Open name in folder without following a link; InvalidInput naming the component and why not."""
    try:
        return os.open(name, flags, dir_fd=folder)
    except OSError as exc:
        raise InvalidInput(f"{shown}: could not be opened safely: {_why(folder, name, exc)}") from None


def _why(folder: int, name: str, exc: OSError) -> str:
    """The reason an open of name in folder failed, in plain words (a second look only words the message)."""
    if exc.errno in LINK_ERRORS:
        try:
            is_link = exc.errno != errno.ENOTDIR or stat.S_ISLNK(os.lstat(name, dir_fd=folder).st_mode)
        except OSError:
            is_link = False
        if is_link:
            return f"{name} is a symbolic link, and links are not followed below the folders documents are read from"
        return f"{name} is not a folder"
    if exc.errno == errno.ENOENT:
        return f"{name} does not exist (or was removed while it was opened)"
    return f"{name}: {_strerror(exc)}"


def _check_opened(descriptor: int, shown: str) -> None:
    """Refuse what was opened unless it is a regular file with one link."""
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):
        kind = next((kind for test, kind in FILE_KINDS if test(status.st_mode)), "not a file")
        raise InvalidInput(f"{shown}: {kind}, not a regular file; it is not read")
    if status.st_nlink == 0:
        raise InvalidInput(f"{shown}: removed while it was opened; it is not read")
    if status.st_nlink != 1:
        raise InvalidInput(f"{shown}: a hard link ({status.st_nlink} links) is not read")


def _strerror(exc: BaseException) -> str:
    """An OS error's words without its errno and file name."""
    return (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)) or type(exc).__name__
