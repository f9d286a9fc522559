"""Size of the package: lines of code and public parameters per estimator.

Counts, for every ``.py`` file under ``--package`` (default ``skmtlx``), the
physical lines and the code lines (neither blank, nor comment, nor docstring),
and prints the number of constructor parameters of every public estimator
(the classes exported by ``skmtlx`` and its public subpackages). Run from the
root of a checkout::

    python benchmarks/package_size.py
"""

import argparse
import ast
import importlib
import inspect
import io
import pathlib
import pkgutil
import tokenize

from sklearn.base import BaseEstimator

from _common import finish_run, print_table, start_run

_NOT_CODE = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
             tokenize.ENDMARKER)


def _docstring_lines(tree):
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                lines.update(range(first.lineno, first.end_lineno + 1))
    return lines


def count_lines(path):
    """(physical lines, code lines) of one Python file."""
    source = path.read_text()
    code = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in _NOT_CODE:
            code.update(range(token.start[0], token.end[0] + 1))
    return len(source.splitlines()), len(code - _docstring_lines(ast.parse(source)))


def public_estimators(package="skmtlx"):
    """Estimator classes exported by ``package`` or its public subpackages."""
    root = importlib.import_module(package)
    modules = [root] + [importlib.import_module(f"{package}.{m.name}")
                        for m in pkgutil.iter_modules(root.__path__) if not m.name.startswith("_")]
    exported = [getattr(module, name)
                for module in modules for name in getattr(module, "__all__", ())]
    estimators = {c for c in exported if isinstance(c, type) and issubclass(c, BaseEstimator)}
    return sorted(estimators, key=lambda c: c.__name__)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default="skmtlx")
    args = parser.parse_args()
    clock = start_run()
    files = sorted(pathlib.Path(args.package).rglob("*.py"))
    per_folder = {}
    for path in files:
        folder = str(path.parent)
        lines, code = count_lines(path)
        total = per_folder.setdefault(folder, {"folder": folder, "files": 0, "lines": 0,
                                               "code lines": 0})
        total["files"] += 1
        total["lines"] += lines
        total["code lines"] += code
    rows = sorted(per_folder.values(), key=lambda row: row["folder"])
    rows.append({"folder": "total", **{key: sum(row[key] for row in rows)
                                       for key in ("files", "lines", "code lines")}})
    print_table(rows, {"folder": "<24", "files": ">5d", "lines": ">6d", "code lines": ">10d"},
                title="lines of code (code lines: neither blank, comment nor docstring)")
    print()
    print_table([{"estimator": cls.__name__,
                  "parameters": len(inspect.signature(cls).parameters)}
                 for cls in public_estimators(args.package)],
                {"estimator": "<30", "parameters": ">10d"},
                title="public parameters per estimator")
    finish_run(clock)


if __name__ == "__main__":
    main()
