"""The BLAS pool as the thread tests read it, and the default rule they start from."""

import pytest
from threadpoolctl import threadpool_info

import minigenre

USER_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
)


def blas_threads():
    """The pool sizes of NumPy's BLAS: the one in NumPy's wheel (numpy.libs) if there
    is one, else every BLAS loaded. Other packages may load their own (numba loads
    SciPy's), which NumPy's products never use."""
    pools = [info for info in threadpool_info() if info["user_api"] == "blas"]
    numpys = [info for info in pools if "numpy" in info["filepath"]]
    return {info["num_threads"] for info in numpys or pools}


@pytest.fixture(autouse=True)
def default_rule(monkeypatch):
    """Each test starts from the default rule and no user variable."""
    for name in USER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    if not blas_threads():
        pytest.skip("NumPy has no BLAS that threadpoolctl can see")
    yield
    minigenre.set_blas_threads(None)
