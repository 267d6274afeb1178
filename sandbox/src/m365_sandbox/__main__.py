"""Command line: ``python -m m365_sandbox --tenant FILE --db FILE [--host H] [--port P] [--public-url U] [--now T]``.

Fault options too. Prints ``SANDBOX_BASE_URL=http://HOST:PORT/v1.0`` once listening (``--port 0`` picks a
free port), then ``SANDBOX_AUTHORITY=https://HOST:TLSPORT`` and ``SANDBOX_CA_FILE=PATH`` (the token endpoint
over TLS, for azure-identity), then the admin page's address. ``--now`` sets the clock before calendars are
seeded. ``--require-tokens``: Graph requests need a sandbox-issued token. ``--delivery-delay S``,
``--delivery-reorder``, ``--delivery-duplicate``, ``--delivery-seed N``: an asynchronous Exchange.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from datetime import date, datetime

from m365_sandbox.app import create_app, normalize_public_url
from m365_sandbox.core.faults import FaultConfig, FaultConfigError
from m365_sandbox.core.tenant import default_tenant_path
from m365_sandbox.runner import serve


def build_parser() -> argparse.ArgumentParser:
    """The command-line options."""
    parser = argparse.ArgumentParser(prog="python -m m365_sandbox", description="Local Microsoft Graph v1.0 sandbox")
    parser.add_argument("--tenant", default=str(default_tenant_path()), help="tenant YAML (default: demo)")
    parser.add_argument("--db", required=True, help="SQLite file for persistent state (created if missing)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3979, help="0 picks a free port")
    parser.add_argument("--today", type=date.fromisoformat, help="anchor date for seeded calendars")
    parser.add_argument(
        "--now",
        type=_clock_start,
        default=None,
        help="set the clock at start: an ISO date-time with its offset (2027-03-27T09:00+02:00), or 'real' "
        "for the machine's time (default: keep the clock saved in --db)",
    )
    parser.add_argument("--fault-latency-ms", type=int, default=0)
    parser.add_argument("--fault-429", type=float, default=0.0, help="probability of 429 per request")
    parser.add_argument("--fault-503", type=float, default=0.0, help="probability of 503 per request")
    parser.add_argument("--fault-drop", type=float, default=0.0, help="probability of a dropped connection")
    parser.add_argument("--retry-after", type=int, default=1, help="Retry-After seconds on 429")
    parser.add_argument("--seed", type=int, default=None, help="seed for the fault random sequence")
    parser.add_argument(
        "--public-url",
        default=None,
        help="address people open webUrls at, e.g. http://localhost:3979 (default: each request's Host)",
    )
    parser.add_argument("--tls-port", type=int, default=0, help="https port of the token endpoint (0: a free one)")
    parser.add_argument("--require-tokens", action="store_true",
                        help="Graph requests need a token from the sandbox's token endpoint (401 without)")
    parser.add_argument("--delivery-delay", type=_seconds, default=None,
                        help="seconds before invitations, answers, mail and notifications arrive (default: data file)")
    parser.add_argument("--delivery-reorder", action="store_true", default=None,
                        help="deliver each batch in shuffled order")
    parser.add_argument("--delivery-duplicate", action="store_true", default=None, help="deliver everything twice")
    parser.add_argument("--delivery-seed", type=int, default=None, help="seed for the shuffled order")
    return parser


def _seconds(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("--delivery-delay must not be negative")
    return value


def _clock_start(text: str) -> datetime | str:
    if text == "real":
        return text
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("--now needs a time zone offset, e.g. 2027-03-27T09:00+02:00")
    return moment


async def _run(args: argparse.Namespace, faults: FaultConfig) -> None:
    app = create_app(
        args.tenant, args.db, faults, today=args.today, public_url=args.public_url, now=args.now,
        require_tokens=args.require_tokens, delivery_delay=args.delivery_delay,
        delivery_reorder=args.delivery_reorder, delivery_duplicate=args.delivery_duplicate,
        delivery_seed=args.delivery_seed,
    )
    running = await serve(app, args.host, args.port, access_log=True, tls_port=args.tls_port)
    print(f"SANDBOX_BASE_URL={running.base_url}", flush=True)
    print(f"SANDBOX_AUTHORITY={running.authority}", flush=True)
    print(f"SANDBOX_CA_FILE={running.ca_file}", flush=True)
    print(f"Admin page (ylläpito): {running.admin_url}/", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await running.close()


def main(argv: list[str] | None = None) -> int:
    """Run the sandbox until SIGINT/SIGTERM."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        faults = FaultConfig(
            latency_ms=args.fault_latency_ms,
            p429=args.fault_429,
            p503=args.fault_503,
            p_drop=args.fault_drop,
            retry_after_seconds=args.retry_after,
            seed=args.seed,
        )
    except FaultConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        normalize_public_url(args.public_url)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    asyncio.run(_run(args, faults))
    return 0


if __name__ == "__main__":
    sys.exit(main())
