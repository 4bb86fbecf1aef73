"""Ingest cannot be raced: a file is opened beneath its root without following links, then checked, then read.

The attacker's findings: a file swapped for a symbolic link between the check and the open returned the outside
file (27 of 653 reads), a hard link inside a root to an outside file was read, the working directory was a root
(a worker started in `/` read /etc/passwd), and one bad path (a NUL byte, EINVAL from realpath) failed the run.
"""

from __future__ import annotations

import errno
import os
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

from agentic_kit import Settings, read_beneath
from agentic_kit._domain.errors import InvalidInput
from agentic_kit._domain.models.documents import Document, Rejection
from tasks.documents.ingest import ingest

INSIDE = "A note inside the root: the delivery to Bristol is due on Monday."
SECRET = "root:x:0:0:the outside file, never to be read:/root:/bin/bash"
SWAPS = 1_000
READS_A_CALL = 10
"""The victim is named this many times in each ingest call: more reads for the same swaps."""


REFUSALS = ("is outside the folders", "is a symbolic link", "removed while it was opened", "Invalid argument",
            "does not exist")


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An ingest root (the only one), with a secret file outside it at tmp_path/outside/secret.txt."""
    inside, outside = tmp_path / "root", tmp_path / "outside"
    inside.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    monkeypatch.setenv("AGENTIC_INGEST_ROOTS", str(inside))
    return inside


def test_a_file_swapped_for_a_link_while_ingest_reads_it_never_yields_the_outside_file(root: Path) -> None:
    secret = root.parent / "outside" / "secret.txt"
    victim = root / "note.txt"
    victim.write_text(INSIDE)
    swapped = threading.Event()

    def swap() -> None:
        """Turn the file into a link to the secret and back, SWAPS times, each swap one atomic rename."""
        try:
            for turn in range(SWAPS):
                link = root / f".link-{turn}"
                link.symlink_to(secret)
                os.replace(link, victim)
                fresh = root / f".file-{turn}"
                fresh.write_text(INSIDE)
                os.replace(fresh, victim)
        finally:
            swapped.set()

    reads: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: the swaps land between every two calls
    swapper = threading.Thread(target=swap)
    swapper.start()
    try:
        while not swapped.is_set():
            for item in ingest.fn(paths=[str(victim)] * READS_A_CALL):
                if isinstance(item, Document):
                    reads["outside" if "never to be read" in item.text else "inside"] += 1
                else:
                    reads["refused"] += 1
                    reasons[next((why for why in REFUSALS if why in item.error), item.error)] += 1
    finally:
        sys.setswitchinterval(interval)
        swapper.join()
    total = sum(reads.values())
    print(f"{SWAPS:,} swaps, {total:,} reads through ingest: {reads['outside']} returned the outside file, "
          f"{reads['inside']} the file inside, {reads['refused']} were refused {dict(reasons)}")
    assert reads["outside"] == 0
    assert reads["inside"] > 0, "the file inside is still read between the swaps"


def test_a_hard_link_to_a_file_outside_the_root_is_not_read(root: Path) -> None:
    secret = root.parent / "outside" / "secret.txt"
    os.link(secret, root / "linked.txt")
    (root / "plain.txt").write_text(INSIDE)
    items = ingest.fn(paths=[str(root / "linked.txt"), str(root / "plain.txt")])
    refused, read = items
    assert isinstance(refused, Rejection) and refused.error.endswith("linked.txt: a hard link (2 links) is not read")
    assert isinstance(read, Document) and read.text == INSIDE
    with pytest.raises(InvalidInput, match="a hard link"):
        read_beneath(root / "linked.txt", Settings().ingest_root_paths)


def test_a_link_below_the_root_is_not_followed_when_it_turns_up_at_the_open(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What realpath named is not what is opened: the walk refuses a link it finds, whatever realpath said."""
    (root / "sub").mkdir()
    (root / "sub" / "note.txt").write_text(INSIDE)
    (root / "elsewhere").symlink_to(root.parent / "outside")
    real = os.path.realpath

    def stale(path: str | os.PathLike[str], **options: bool) -> str:  # realpath as it answered before the swap
        text = real(path, **options)
        return text.replace(f"{os.sep}sub{os.sep}", f"{os.sep}elsewhere{os.sep}").replace("note.txt", "secret.txt")

    monkeypatch.setattr(os.path, "realpath", stale)
    [item] = ingest.fn(paths=[str(root / "sub" / "note.txt")])
    assert isinstance(item, Rejection)
    assert "could not be opened safely: elsewhere is a symbolic link, and links are not followed" in item.error


def test_a_link_inside_the_root_to_a_file_inside_it_is_read_and_one_to_a_file_outside_is_refused(root: Path) -> None:
    (root / "note.txt").write_text(INSIDE)
    (root / "alias.txt").symlink_to(root / "note.txt")
    (root / "sneaky.txt").symlink_to(root.parent / "outside" / "secret.txt")
    alias, sneaky = ingest.fn(paths=[str(root / "alias.txt"), str(root / "sneaky.txt")])
    assert isinstance(alias, Document) and alias.text == INSIDE
    assert isinstance(sneaky, Rejection) and "is outside the folders documents may be read from" in sneaky.error


def test_a_fifo_a_folder_and_a_missing_file_are_rejected_without_hanging(root: Path) -> None:
    os.mkfifo(root / "pipe")
    (root / "folder").mkdir()
    items = ingest.fn(paths=[str(root / "pipe"), str(root / "folder"), str(root / "missing.txt")])
    errors = [item.error for item in items if isinstance(item, Rejection)]
    assert len(errors) == 3
    assert errors[0].endswith("pipe: a FIFO, not a regular file; it is not read")
    assert errors[1].endswith("folder: a folder, not a regular file; it is not read")
    assert "could not be opened safely: missing.txt does not exist" in errors[2]


def test_a_bad_path_is_a_rejection_of_that_path_and_the_rest_are_read(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (root / "one.txt").write_text("The first note.")
    (root / "two.txt").write_text("The second note.")
    (root / "swapping.txt").write_text("Swapped for a link while realpath read it.")
    real = os.path.realpath

    def failing(path: str | os.PathLike[str], **options: bool) -> str:  # as when a link turns into a file under it
        if os.fspath(path).endswith("swapping.txt"):
            raise OSError(errno.EINVAL, "Invalid argument")
        return real(path, **options)

    monkeypatch.setattr(os.path, "realpath", failing)
    items = ingest.fn(paths=[str(root / "one.txt"), "bad\x00path", str(root / "swapping.txt"), str(root / "two.txt")])
    assert [type(item).__name__ for item in items] == ["Document", "Rejection", "Rejection", "Document"]
    _, nul, einval, _ = items
    assert isinstance(nul, Rejection) and isinstance(einval, Rejection)
    assert nul.source == "bad\\x00path" and nul.error == "bad\\x00path: not a valid path (embedded NUL byte)"
    assert einval.error.endswith("swapping.txt: could not be opened safely: Invalid argument")
    with pytest.raises(InvalidInput, match=r"folder refused: bad\\x00folder: not a valid path \(embedded NUL byte\)"):
        ingest.fn(folder="bad\x00folder")


def test_the_working_directory_is_no_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AGENTIC_INGEST_ROOTS")
    monkeypatch.setenv("AGENTIC_INBOX_FOLDER", str(tmp_path / "inbox"))
    monkeypatch.chdir("/")
    roots = Settings().ingest_root_paths
    assert Path("/") not in roots and len(roots) == 2, roots
    items = ingest.fn(paths=["/etc/passwd", "etc/passwd"])
    assert all(isinstance(item, Rejection) and "is outside the folders" in item.error for item in items)
    with pytest.raises(InvalidInput, match="folder refused"):
        ingest.fn(folder="/etc")
    given = Settings().ingest_roots_with(str(tmp_path), None)
    assert given.split(os.pathsep) == [*map(str, roots), str(tmp_path.resolve())], "a command adds its folder"
