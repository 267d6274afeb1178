"""The Bot Connector's clients are kept from turn to turn per endpoint and token, and closed when idle or at the
end; past MAX_KEPT a client lives for its turn only, as the SDK makes it."""

from __future__ import annotations

from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.core import AgentAuthConfiguration, ClaimsIdentity

from bot.connector_ids import IDLE_SECONDS, MAX_KEPT, EncodedIdsClientFactory


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _factory(clock: Clock) -> EncodedIdsClientFactory:
    connections = MsalConnectionManager(connections_configurations={
        "SERVICE_CONNECTION": AgentAuthConfiguration(anonymous_allowed=True)})
    return EncodedIdsClientFactory(connections, monotonic=clock)


async def _client(factory: EncodedIdsClientFactory, url: str) -> object:
    return await factory.create_connector_client(None, ClaimsIdentity({}, False), url, "https://api.botframework.com",
                                                 use_anonymous=True)


async def test_one_client_per_endpoint_survives_the_turns_close_and_is_closed_at_the_end() -> None:
    clock = Clock()
    factory = _factory(clock)
    first = await _client(factory, "https://smba.example/emea/")
    await first.close()  # type: ignore[attr-defined]  # the adapter's close at the end of the turn
    again = await _client(factory, "https://smba.example/emea/")
    assert again is first and not first.client.closed  # type: ignore[attr-defined]
    other = await _client(factory, "https://smba.example/amer/")
    assert other is not first
    clock.now += IDLE_SECONDS + 1
    await _client(factory, "https://smba.example/amer/")
    assert first.client.closed, "idle too long: closed"  # type: ignore[attr-defined]
    await factory.close()
    assert other.client.closed  # type: ignore[attr-defined]


async def test_past_the_limit_a_client_lives_for_its_turn() -> None:
    factory = _factory(Clock())
    kept = [await _client(factory, f"https://smba.example/{n}/") for n in range(MAX_KEPT)]
    extra = await _client(factory, "https://smba.example/extra/")
    await extra.close()  # type: ignore[attr-defined]
    assert extra.client.closed  # type: ignore[attr-defined]
    await factory.close()
    assert all(k.client.closed for k in kept)  # type: ignore[attr-defined]
