"""Staff's periodic job: forget the failed sign-ins once the limit's window has passed."""

from __future__ import annotations

from headlines.core.jobs import job
from headlines.core.scheduler import every


@job("staff.forget_login_failures", long=True)  # housekeeping: see core.jobs_purge
def forget_login_failures() -> int:
    from headlines.staff.loginlimit import staff_login_failures_forget

    return staff_login_failures_forget()


every(60, "staff.forget_login_failures")
