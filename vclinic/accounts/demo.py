"""The demo organisation created by ``vclinic serve --demo`` (setting ``demo``): a clinic with an
admin, two providers, a requester station and two Account Services, all sharing one password,
plus two fictional patients with appointments today and tomorrow (:mod:`vclinic.sessions.demo`).

Seeding is idempotent: what exists is left alone, what is missing is created.
"""

from __future__ import annotations

import dataclasses

from vclinic.accounts.organisation import create_org
from vclinic.accounts.user import create_user
from vclinic.sessions.demo import DEMO_PATIENTS, seed_schedule
from vclinic.store import Organisation, Service, Store, User
from vclinic.store.field import utcnow

DEMO_ORG_NAME = "Demo Clinic"
DEMO_ORG_SLUG = "demo-clinic"
DEMO_PASSWORD = "demo-password-1"
DEMO_SERVICES = ("General Practice", "Mental Health")


@dataclasses.dataclass(frozen=True)
class DemoAccount:
    """One demo sign-in."""

    email: str
    name: str
    role: str
    is_station: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("admin@demo.clinic", "Demo Admin", "admin"),
    DemoAccount("dr.ada@demo.clinic", "Dr Ada Lovelace", "provider"),
    DemoAccount("dr.grace@demo.clinic", "Dr Grace Hopper", "provider"),
    DemoAccount("station@demo.clinic", "Requester Station", "requester", is_station=True),
)


@dataclasses.dataclass(frozen=True)
class DemoInfo:
    """What seeding found or made, for the operator to read on start-up."""

    org_id: str
    org_slug: str
    org_name: str
    password: str
    accounts: tuple[DemoAccount, ...]
    services: tuple[str, ...]
    created: tuple[str, ...]
    #: Demo patients and appointments created, by reference and date (never a patient's name).
    schedule: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """A short text to print on start-up (demo credentials are not personal data)."""
        out = [f"Demo organisation: {self.org_name} ({self.org_slug})"]
        out += [f"  {a.role:<10} {a.email}" for a in self.accounts]
        out.append(f"  password for all: {self.password}")
        out.append(f"  services: {', '.join(self.services)}")
        out.append(f"  {len(DEMO_PATIENTS)} fictional patients with appointments today and "
                   "tomorrow (Provider → Scheduling)")
        return out


def _missing(org_slug: str) -> tuple[Organisation | None, set[str], set[str]]:
    org = Organisation.get_or_none(Organisation.slug == org_slug)
    emails = {a.email for a in DEMO_ACCOUNTS}
    found_users = {u.email for u in User.select(User.email).where(User.email.in_(list(emails)))}
    found_services: set[str] = set()
    if org is not None:
        found_services = {
            s.name for s in Service.select(Service.name).where(Service.organisation == org)
        }
    return org, emails - found_users, set(DEMO_SERVICES) - found_services


async def seed_demo(store: Store) -> DemoInfo:
    """Create the demo organisation, accounts and services that do not exist yet."""
    org, missing_users, missing_services = await store.run(_missing, DEMO_ORG_SLUG)
    created: list[str] = []
    if org is None:
        org = await create_org(store, DEMO_ORG_NAME)
        created.append(f"organisation:{org.slug}")
    for account in DEMO_ACCOUNTS:
        if account.email in missing_users:
            await create_user(
                store, org.slug, account.email, DEMO_PASSWORD, account.role, account.name,
                station=account.is_station,
            )
            created.append(f"user:{account.email}")
    for name in DEMO_SERVICES:
        if name in missing_services:
            await store.run(lambda n=name: Service.create(organisation=org, name=n))
            created.append(f"service:{name}")
    schedule = await store.atomic(seed_schedule, org.id, utcnow())
    return DemoInfo(
        org_id=org.id, org_slug=org.slug, org_name=org.name, password=DEMO_PASSWORD,
        accounts=DEMO_ACCOUNTS, services=DEMO_SERVICES, created=tuple(created),
        schedule=tuple(schedule),
    )
