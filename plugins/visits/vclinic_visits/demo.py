"""Demo data for ``vclinic serve --demo``: fictional clients, two service codes (one allowing
virtual visits) and visits for today with the demo providers; created once per organisation."""

from __future__ import annotations

import datetime as dt

from vclinic.api import User, UserRole, utcnow
from vclinic_visits.model import Client, ServiceCode, Visit

CLIENTS = (("Edith", "Example", "edith.example@example.org"),
           ("Frank", "Fictional", None),
           ("Greta", "Sample", "greta.sample@example.org"))
CODES = (("HCV", "Home care visit (virtual)", True), ("PC", "Personal care", False))


def seed(org_id: str) -> list[str]:
    """Create the demo clients, codes and today's visits if the organisation has none."""
    if ServiceCode.select().where(ServiceCode.organisation_id == org_id).exists():
        return []
    providers = list(User.select(User.id).join(UserRole, on=(UserRole.user == User.id))
                     .where(User.organisation == org_id, UserRole.role == "provider",
                            ~User.is_station).order_by(User.email))
    if not providers:
        return []
    codes = [ServiceCode.create(organisation_id=org_id, code=c, name=n, allows_virtual=v)
             for c, n, v in CODES]
    clients = [Client.create(organisation_id=org_id, first_name=f, last_name=last, email=e)
               for f, last, e in CLIENTS]
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    created = []
    for i, client in enumerate(clients):
        start = now + dt.timedelta(hours=i)
        visit = Visit.create(organisation_id=org_id, client_id=client.id,
                             employee_id=providers[i % len(providers)].id,
                             service_code_id=codes[0 if i != 1 else 1].id, starts_at=start,
                             ends_at=start + dt.timedelta(hours=1))
        created.append(f"visit:{visit.id}")
    return created
