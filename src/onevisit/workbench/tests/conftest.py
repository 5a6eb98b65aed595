from onevisit.cases.tests.conftest import (  # noqa: F401 - shared fixtures
    alice,
    approver_scjg,
    bob,
    file_case,
    officer_ga,
    officer_scjg,
    pdf,
    two_step_item,
)

from .counter_setup import at_counter, centers, clerk_a, clerk_b, counter_item  # noqa: F401
