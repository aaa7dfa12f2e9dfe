"""Package layout that pyproject.toml cannot express: ``plugins/`` ships as ``actviz_builtins``.

The built-in plugins live in the top-level ``plugins/`` folder of a checkout and are
installed as the ``actviz_builtins`` package, so the host finds the same files as a
plugin folder either way.
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["actviz", "actviz.*"]) + ["actviz_builtins"],
    package_dir={"actviz_builtins": "plugins"},
    package_data={"actviz": ["templates/*.txt", "py.typed"], "actviz_builtins": ["*.py"]},
)
