"""FakeDirectory: the organisation's people by Entra object id and address."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.convening import Person


@dataclass
class FakeDirectory:
    """People by id; ``find_people`` matches an address exactly or a name or address by its start."""

    by_id: dict[str, Person] = field(default_factory=dict)
    others: list[Person] = field(default_factory=list)  # people known by address only

    def add(self, person: Person, user_id: str | None = None) -> None:
        """Puts ``person`` in the directory (with an object id when they sign in to Teams)."""
        if user_id is not None:
            self.by_id[user_id] = person
        else:
            self.others.append(person)

    async def person_by_id(self, user_id: str) -> Person | None:
        """The user with this object id, if any."""
        return self.by_id.get(user_id)

    async def find_people(self, text: str, limit: int = 5) -> list[Person]:
        """Users whose address is ``text`` or whose name or address starts with it."""
        low = text.lower()
        everyone = [*self.by_id.values(), *self.others]
        found = [p for p in everyone if p.email.lower() == low
                 or p.email.lower().startswith(low) or p.display_name.lower().startswith(low)]
        return found[:limit]
