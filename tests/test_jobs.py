"""The shared ``n_jobs`` rule (toolkit._jobs)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from toolkit._jobs import available_cores, resolve_n_jobs
from toolkit.errors import InvalidParameter, LossyFixWarning


def test_positive_and_all_cores():
    assert resolve_n_jobs(1) == 1
    assert resolve_n_jobs(np.int64(1)) == 1
    assert resolve_n_jobs(-1) == available_cores() >= 1


@pytest.mark.parametrize("bad", [0, -2, -100, 1.5, "2", None, True, False])
def test_bad_values_are_named_errors(bad):
    with pytest.raises(InvalidParameter, match="n_jobs"):
        resolve_n_jobs(bad)


def test_more_than_cores_is_capped_with_a_warning():
    with pytest.warns(LossyFixWarning, match="usable core"):
        assert resolve_n_jobs(1000) == available_cores()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert resolve_n_jobs(available_cores()) == available_cores()
