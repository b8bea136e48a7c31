from __future__ import annotations

import pytest

from apps.checklist.models import Item


@pytest.fixture
def items(content) -> list[Item]:
    """The active checklist items, in order, as load_content leaves them."""
    return list(Item.objects.active())
