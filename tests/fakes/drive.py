"""FakeDrive: OneDrive folders, files and who each file is shared with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from services.errors import ServiceUnavailableError
from services.ports import StoredFile


@dataclass
class FakeFile:
    """A file in someone's OneDrive."""

    id: str
    owner: str
    folder: str
    name: str
    content: bytes
    shared_with: set[str] = field(default_factory=set)


@dataclass
class FakeDrive:
    """Uploads as graph.drive does: the same name with the same bytes is that file (a retry), another file of
    that name is kept and the new one renamed ``name 1.ext``. Sharing fails for the addresses in
    ``share_fails``; the next uploads take ``upload_failures`` in turn (an error fails that upload, None lets it
    through)."""

    files: dict[str, FakeFile] = field(default_factory=dict)
    share_fails: set[str] = field(default_factory=set)
    upload_failures: list[ServiceUnavailableError | None] = field(default_factory=list)

    def files_of(self, owner: str) -> list[FakeFile]:
        """The owner's files, in upload order."""
        return [f for f in self.files.values() if f.owner == owner]

    async def upload(self, owner: str, folder: str, file_name: str, content: bytes) -> StoredFile:
        """A new file in ``folder`` (renamed ``name 1.ext`` when the name is taken)."""
        failure = self.upload_failures.pop(0) if self.upload_failures else None
        if failure is not None:
            raise failure
        here = [f for f in self.files.values() if f.owner == owner and f.folder == folder]
        same = next((f for f in here if f.name == file_name and f.content == content), None)
        if same is not None:
            return StoredFile(same.id, same.name, f"https://drive.example/{owner}/{same.id}")
        taken = {f.name for f in here}
        name, n = file_name, 0
        while name in taken:
            n += 1
            stem, _, ext = file_name.rpartition(".")
            name = f"{stem} {n}.{ext}"
        item = FakeFile(f"item-{len(self.files) + 1}", owner, folder, name, content)
        self.files[item.id] = item
        return StoredFile(item.id, name, f"https://drive.example/{owner}/{item.id}")

    async def share(self, owner: str, item_id: str, emails: Sequence[str], message: str) -> tuple[str, ...]:
        """Read access for each address; those it failed for are returned."""
        failed = tuple(e for e in emails if e.lower() in self.share_fails)
        self.files[item_id].shared_with.update(e.lower() for e in emails if e not in failed)
        return failed
