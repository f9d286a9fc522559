"""Sphinx configuration of the skmtlx documentation."""

import os
import sys
import warnings

sys.path.insert(0, os.path.abspath(".."))

import skmtlx  # noqa: E402

project = "skmtlx"
author = "skmtlx developers"
copyright = "2026, skmtlx developers"
version = release = skmtlx.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
autodoc_default_options = {"members": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
html_theme = "pydata_sphinx_theme"
html_static_path = []
html_title = "skmtlx"

intersphinx_mapping = {}

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "reference_url": {"skmtlx": None},
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("skmtlx",),
    "matplotlib_animations": False,
}

os.environ.setdefault("MPLBACKEND", "Agg")
warnings.filterwarnings("ignore", category=UserWarning,
                        message="Matplotlib is currently using agg")
