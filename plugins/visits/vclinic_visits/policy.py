"""Who may enter a visit's virtual session: the join policy the session gateway asks.

Sessions of other workflows are none of its business (it abstains). For a visit's session: the
assigned employee, clocked in, while the link window is open; the client's guest of the current
invite, in the same window; nobody once the visit is cancelled or the employee ended the session.
"""

from __future__ import annotations

import datetime as dt

from vclinic.api import CallPage, JoinDecision, Principal, SessionRef, Store
from vclinic_visits import record, rules
from vclinic_visits.model import Visit


def decide(visit: Visit | None, session_id: str, principal: Principal,
           employee_clocked_in: bool, now: dt.datetime) -> JoinDecision | None:
    """A refusal for ``principal`` entering ``session_id`` of ``visit`` at ``now``, or None to
    let the core's own rules decide."""
    client = principal.is_guest
    if visit is None or visit.session_id != session_id:
        return JoinDecision.deny("link_replaced", rules.LINK_REPLACED)
    if visit.status == "cancelled":
        return JoinDecision.deny("visit_cancelled", rules.CANCELLED)
    if visit.session_ended_at is not None:
        return JoinDecision.deny("session_over",
                                 rules.CLIENT_SESSION_OVER if client else rules.SESSION_OVER)
    if not rules.link_open(visit.ends_at, now):
        return JoinDecision.deny("link_expired",
                                 rules.CLIENT_LINK_EXPIRED if client else rules.LINK_EXPIRED)
    if client:
        if principal.participant_id != visit.client_participant_id:
            return JoinDecision.deny("link_replaced", rules.LINK_REPLACED)
        return None
    if principal.user_id != visit.employee_id:
        return JoinDecision.deny("not_assigned", "Only the employee assigned to the visit can "
                                                 "join its video session.")
    if not employee_clocked_in:
        return JoinDecision.deny("not_clocked_in", rules.CLOCK_IN_FIRST)
    return None


async def check(store: Store, session: SessionRef, principal: Principal,
                now: dt.datetime) -> JoinDecision | None:
    if session.workflow != "visits":
        return None

    def read() -> tuple[Visit | None, bool]:
        visit = record.visit_of_session(session.id)
        clocked = visit is not None and record.clocked_in(visit.id, visit.employee_id)
        return visit, clocked

    visit, clocked = await store.run(read)
    return decide(visit, session.id, principal, clocked, now)


def call_page(visit: Visit | None, principal: Principal) -> CallPage | None:
    """The call page of the visit's assigned employee: Hang Up warns, then ends the visit's
    session; they are told when the client leaves. The client's Hang Up only leaves."""
    if visit is None or principal.is_guest or principal.user_id != visit.employee_id:
        return None
    return CallPage(hang_up_confirm=rules.HANG_UP_WARNING,
                    hang_up_path=f"/visits/{visit.id}/end", ended_title=rules.HUNG_UP,
                    guest_left_notice=rules.CLIENT_LEFT)


async def page(store: Store, session: SessionRef, principal: Principal) -> CallPage | None:
    if session.workflow != "visits":
        return None
    return call_page(await store.run(record.visit_of_session, session.id), principal)
