"""A realistic generated B2B event export for the bundled payment-provider example.

The rows look like a CRM and web-analytics export (``contact_id``, ``company_id``,
``timestamp`` with a UTC offset, ``event``, UTM fields, ``page_url``, ``crm_activity``,
``deal_value``, ``contact_role``), not like the events contract: the bundled mapping rules
``examples/payment-provider.rules.yaml`` turn them into events, so the demo exercises the
importer. Accounts have a buying center of two to four contacts with different personas;
they move through the map's phases with plausible drop-off, a share of them signs a
contract, and the customers go on to retention and advocacy. The data follow the map: an
account's phases come one after the other, a contact's first touches are in the phase its
persona ``joins_at`` (never earlier: IT and accounting join at the decision), within a phase a
contact meets the touchpoints in the map's order, every buying center has a member who joins
at the start, and the contract is signed by a decider or a buyer when the map has one. About
1 % of rows match no rule and a few rows are malformed (bad timestamp, missing contact id), so
the quarantine shows.

Examples:
    >>> from journeymap.examples import example_path
    >>> from journeymap.mapfile import load_map
    >>> table = generate_demo_events(load_map(example_path("payment-provider")), accounts=20)
    >>> table.column_names[:3]
    ['contact_id', 'company_id', 'timestamp']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from journeymap.errors import UsageError
from journeymap.i18n.messages import _
from journeymap.model import JourneyMap

__all__ = ["COLUMNS", "generate_demo_events", "write_demo_events"]

COLUMNS = [
    "contact_id",
    "company_id",
    "timestamp",
    "event",
    "utm_source",
    "utm_medium",
    "page_url",
    "crm_activity",
    "deal_value",
    "contact_role",
]
ZONE = ZoneInfo("Europe/Berlin")
CONVERSION_EVENT = "contract_signed"
DAY = 86400.0

# touchpoint id -> (event, utm_source choices, utm_medium, page_url choices, crm_activity)
SIGNATURES: dict[str, tuple[str, tuple[str, ...], str, tuple[str, ...], str]] = {
    "search-ads": ("page_view", ("google", "bing"), "cpc", ("/pricing", "/features/checkout"), ""),
    "social-ads": ("page_view", ("linkedin", "facebook"), "paid_social", ("/lp/switch",), ""),
    "newsletter": ("email_click", ("newsletter",), "email", ("/news/fees-2026", "/news/psd3"), ""),
    "social-media": ("page_view", ("linkedin", "x"), "social", ("/", "/blog/why-we-built-it"), ""),
    "online-shop": ("page_view", ("",), "(none)", ("/", "/pricing", "/features/payouts"), ""),
    "review-portals": ("page_view", ("trustpilot", "g2", "capterra"), "referral", ("/",), ""),
    "specialist-portals": ("page_view", ("t3n", "onlinehaendler-news"), "referral", ("/",), ""),
    "blogs": ("page_view", ("",), "(none)", ("/blog/lower-fees", "/blog/chargebacks"), ""),
    "checkout": ("signup_started", ("",), "(none)", ("/signup",), ""),
    "radio-tv": ("offline_response", ("radio", "tv"), "offline", ("",), "campaign_response"),
    "print": ("offline_response", ("print",), "offline", ("",), "campaign_response"),
    "trade-media": ("page_view", ("internetworld", "etailment"), "pr", ("/press",), ""),
    "customer-service": ("crm_activity", ("",), "", ("",), "support_ticket"),
    "product-inserts": ("qr_scan", ("insert",), "print", ("/welcome",), ""),
    "stores": ("crm_activity", ("",), "", ("",), "trade_fair_visit"),
    "recommendations": ("crm_activity", ("",), "", ("",), "referral_lead"),
    "demo": ("crm_activity", ("",), "", ("",), "demo_held"),
    "sales-call": ("crm_activity", ("",), "", ("",), "sales_call"),
    "integration-support": ("crm_activity", ("",), "", ("",), "onboarding_session"),
}
# Chance that an account still active in a phase goes on to the next one.
PROGRESS = {"consideration": 0.72, "decision": 0.5, "retention": 1.0, "advocacy": 0.45}
SIGN_PHASE = "decision"  # the phase in which contracts are signed
SIGN_RATE = 0.55  # accounts in the decision phase that sign
SIGNER_ROLES = ("decider", "buyer")  # buying-center roles that sign, where the map has them
SKIP_SHARE = 0.3  # contacts who sit out a phase after the one they join at
UNMATCHED_SHARE = 0.01
MALFORMED_SHARE = 0.003


def _signature(touchpoint: str) -> tuple[str, tuple[str, ...], str, tuple[str, ...], str]:
    """The raw look of a touchpoint; a map's own touchpoints become CRM activities."""
    return SIGNATURES.get(touchpoint, ("crm_activity", ("",), "", ("",), touchpoint))


@dataclass(frozen=True)
class _Plan:
    """What the map fixes for every account: who meets what, who starts, who signs."""

    phases: list[str]
    personas: list[str]
    joins: dict[str, int]  # persona -> position of the phase it joins at
    choices: dict[tuple[str, int], tuple[list[str], np.ndarray]]
    starters: set[str]  # personas joining at the earliest phase any persona joins at
    signers: set[str]  # personas who may sign the contract
    sign_at: int | None  # position of the phase contracts are signed in


def _plan(journey_map: JourneyMap, rng: np.random.Generator) -> _Plan:
    """Read the map: phases, personas, where each joins, its touchpoints, who may sign."""
    phases = [p.id for p in journey_map.ordered_phases()]
    personas = [p.id for p in journey_map.personas]
    index = {phase: position for position, phase in enumerate(phases)}
    joins = {
        p.id: index.get(p.joins_at, 0) if p.joins_at is not None else 0
        for p in journey_map.personas
    }
    # Each persona prefers some touchpoints: a fixed random affinity per (persona, touchpoint).
    affinity = {(p, t.id): rng.gamma(1.5) + 0.1 for p in personas for t in journey_map.touchpoints}
    # The import gives a touchpoint of several phases its first one, so a persona meets only
    # touchpoints whose first phase is not before the one it joins at: a decision-phase
    # joiner's newsletter in retention would be measured as consideration.
    measured = {
        t.id: index.get(journey_map.first_phase_of(t.id) or "", 0) for t in journey_map.touchpoints
    }
    choices: dict[tuple[str, int], tuple[list[str], np.ndarray]] = {}
    for persona in personas:
        for position in range(joins[persona], len(phases)):
            met = [
                t.id
                for t in journey_map.touchpoints_in(phases[position])
                if measured[t.id] >= joins[persona]
            ]
            if met:
                weights = np.array([affinity[(persona, t)] for t in met])
                choices[(persona, position)] = (met, weights / weights.sum())
    sign_at = index.get(SIGN_PHASE)
    # Who may sign: a decider or buyer who has joined by the signing phase; with none on the
    # map, anyone who has.
    able = {p for p in personas if sign_at is not None and joins[p] <= sign_at}
    roles = {p.id: p.role for p in journey_map.personas}
    return _Plan(
        phases=phases,
        personas=personas,
        joins=joins,
        choices=choices,
        starters={p for p in personas if joins[p] == min(joins.values())},
        signers={p for p in able if roles[p] in SIGNER_ROLES} or able,
        sign_at=sign_at,
    )


def _buying_center(rng: np.random.Generator, plan: _Plan) -> list[str]:
    """Two to four personas, one of whom joins at the start and, if any may, one who signs.

    Drawn again until both are in: of the buying centers of the drawn size that have both,
    each is equally likely.
    """
    personas = plan.personas
    size = int(rng.integers(2, min(4, len(personas)) + 1)) if len(personas) > 1 else 1
    while True:
        members = [str(p) for p in rng.choice(personas, size=size, replace=False)]
        if plan.starters.intersection(members) and (
            not plan.signers or plan.signers.intersection(members)
        ):
            return members


def _account_rows(
    rng: np.random.Generator, plan: _Plan, company: str, span: float
) -> list[dict[str, str]]:
    """The rows of one account, phase after phase (``timestamp`` in seconds since the start).

    Each phase is a window of whole days after the previous one, so an account's touches come
    in the map's phase order; a contact's first touches are in the phase its persona joins at.
    """
    members = _buying_center(rng, plan)
    contacts = [f"{company}-{i + 1}" for i in range(len(members))]
    clock = float(rng.uniform(0, span * 0.7)) // DAY * DAY
    signed = False
    rows: list[dict[str, str]] = []
    for position, phase in enumerate(plan.phases):
        if position and phase in PROGRESS and rng.random() > PROGRESS[phase]:
            break
        if phase in ("retention", "advocacy") and not signed:
            break
        days = 1 + int(rng.exponential(12))
        for contact, persona in zip(contacts, members, strict=True):
            found = plan.choices.get((persona, position))
            # A contact always shows up in the phase it joins at; later it may sit one out.
            if found is None or (position > plan.joins[persona] and rng.random() < SKIP_SHARE):
                continue
            met, weights = found
            count = int(rng.integers(1, 4))
            # Sorted: within a phase a contact meets touchpoints in the map's order.
            picks = np.sort(rng.choice(len(met), size=count, p=weights))
            moments = np.sort(clock + rng.integers(0, days, size=count) * DAY + _office(rng, count))
            for pick, moment in zip(picks, moments, strict=True):
                rows.append(_row(rng, met[pick], contact, company, persona, float(moment)))
        clock += days * DAY
        eligible = [i for i, persona in enumerate(members) if persona in plan.signers]
        if position == plan.sign_at and eligible and rng.random() < SIGN_RATE:
            signer = eligible[int(rng.integers(len(eligible)))]
            moment = clock + float(_office(rng, 1)[0])
            row = _row(rng, "checkout", contacts[signer], company, members[signer], moment)
            row["event"] = CONVERSION_EVENT
            row["page_url"] = "/signup/complete"
            row["deal_value"] = f"{float(rng.lognormal(9.3, 0.6)):.2f}"
            rows.append(row)
            signed = True
            clock += DAY  # the signing day is the contract's; retention starts the day after
    return rows


def _office(rng: np.random.Generator, count: int) -> np.ndarray:
    """Seconds into the day within office hours (08:00-18:00)."""
    return rng.integers(8 * 3600, 18 * 3600, size=count).astype(float)


def generate_demo_events(
    journey_map: JourneyMap,
    *,
    accounts: int = 3000,
    seed: int = 7,
    start: str = "2026-01-05",
    months: int = 6,
) -> pa.Table:
    """Generate the raw demo export for ``journey_map`` (all columns are strings).

    Args:
        journey_map: The map; its phases, touchpoints and personas (where each joins the
            buying center, who decides or buys) shape the data.
        accounts: How many companies.
        seed: The random seed; the same seed gives the same table.
        start: The first day (ISO date).
        months: How long the export runs (30-day months).

    Returns:
        A :class:`pyarrow.Table` with :data:`COLUMNS`, sorted by timestamp.

    Raises:
        UsageError: if the arguments are out of range or the map has no personas or phases.
    """
    if accounts < 1 or months < 1:
        raise UsageError(_("accounts and months must be at least 1"))
    if not journey_map.personas or not journey_map.phases:
        raise UsageError(
            _("map {id} needs personas and phases for demo events").format(id=repr(journey_map.id))
        )
    try:
        first = dt.datetime.fromisoformat(start).replace(tzinfo=ZONE)
    except ValueError:
        raise UsageError(
            _("start={start} is not an ISO date such as 2026-01-05").format(start=repr(start))
        ) from None
    rng = np.random.default_rng(seed)
    span = months * 30 * DAY
    plan = _plan(journey_map, rng)
    rows: list[dict[str, str]] = []
    for account in range(accounts):
        rows.extend(_account_rows(rng, plan, f"C{account + 1:05d}", span))
    rows = [r for r in rows if float(r["timestamp"]) < span]
    _add_noise(rng, rows, span)
    rows.sort(key=lambda r: (float(r["timestamp"]), r["contact_id"]))
    for row in rows:
        row["timestamp"] = _iso(first, float(row["timestamp"]), row.pop("_bad", ""))
    return pa.table({name: pa.array([r[name] for r in rows], pa.string()) for name in COLUMNS})


def _row(
    rng: np.random.Generator,
    touchpoint: str,
    contact: str,
    company: str,
    persona: str,
    seconds: float,
) -> dict[str, str]:
    """One raw row of ``touchpoint`` at ``seconds`` since the start (still a number)."""
    event, sources, medium, pages, activity = _signature(touchpoint)
    source = sources[int(rng.integers(len(sources)))]
    if touchpoint in ("radio-tv", "print"):
        activity = f"{activity}_{source}"
    return {
        "contact_id": contact,
        "company_id": company,
        "timestamp": str(seconds),
        "event": event,
        "utm_source": source,
        "utm_medium": medium,
        "page_url": pages[int(rng.integers(len(pages)))],
        "crm_activity": activity,
        "deal_value": "",
        "contact_role": persona,
    }


def _add_noise(rng: np.random.Generator, rows: list[dict[str, str]], span: float) -> None:
    """Rows no rule matches (careers pages, affiliates) and a few malformed rows.

    A contact's unmatched visit falls within two days after one of its own rows, so it too
    comes no earlier than the phase the contact's persona joins at.
    """
    if not rows:
        return
    for _copy in range(max(1, int(len(rows) * UNMATCHED_SHARE))):
        template = rows[int(rng.integers(len(rows)))]
        moment = float(template["timestamp"]) + float(rng.uniform(0, 2 * DAY))
        row = dict(template)
        row.update(
            event="page_view",
            utm_source=str(rng.choice(["jobboard", "affiliate-net"])),
            utm_medium="affiliate",
            page_url=str(rng.choice(["/careers/backend", "/careers/sales", "/imprint"])),
            crm_activity="",
            deal_value="",
            timestamp=str(moment if moment < span else float(template["timestamp"])),
        )
        rows.append(row)
    for index in rng.choice(
        len(rows), size=max(2, int(len(rows) * MALFORMED_SHARE)), replace=False
    ):
        row = rows[int(index)]
        if row["event"] == CONVERSION_EVENT:
            continue
        if rng.random() < 0.5:
            row["contact_id"] = ""
        else:
            row["_bad"] = str(rng.choice(["2026-13-45T25:61:00+01:00", "n/a", "yesterday"]))


def _iso(first: dt.datetime, seconds: float, bad: str) -> str:
    if bad:
        return bad
    moment = (first.astimezone(dt.UTC) + dt.timedelta(seconds=int(seconds))).astimezone(ZONE)
    return moment.isoformat(timespec="seconds")


def write_demo_events(
    path: str | Path,
    journey_map: JourneyMap,
    *,
    accounts: int = 3000,
    seed: int = 7,
    start: str = "2026-01-05",
    months: int = 6,
) -> Path:
    """Generate the demo export and write it as CSV (UTF-8, header, comma-separated).

    Args:
        path: The CSV file to write (its directory is created).
        journey_map: See :func:`generate_demo_events`.
        accounts: See :func:`generate_demo_events`.
        seed: See :func:`generate_demo_events`.
        start: See :func:`generate_demo_events`.
        months: See :func:`generate_demo_events`.

    Returns:
        The path written.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    table = generate_demo_events(
        journey_map, accounts=accounts, seed=seed, start=start, months=months
    )
    pacsv.write_csv(table, target)
    return target
