"""Every runnable docstring example in the package runs and prints what it says (doctest)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import toolkit

MODULES = sorted(
    info.name for info in pkgutil.walk_packages(toolkit.__path__, "toolkit.") if not info.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    import matplotlib

    matplotlib.use("Agg")
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name, globs={"toolkit": toolkit, **vars(module)}):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} docstring examples failed"


def test_the_package_has_runnable_examples():
    finder = doctest.DocTestFinder(exclude_empty=True)
    n = 0
    for name in MODULES:
        for test in finder.find(importlib.import_module(name), name):
            n += sum(1 for ex in test.examples if not ex.options.get(doctest.SKIP))
    assert n >= 50
