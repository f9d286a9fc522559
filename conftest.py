"""Suite-wide test settings, for tests/ and the package's doctests."""

import matplotlib
import pytest
import torch

matplotlib.use("Agg")


@pytest.fixture(autouse=True, scope="session")
def _single_torch_thread():
    """The tests train tiny networks: one intra-op thread per worker avoids oversubscription."""
    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n_threads)
