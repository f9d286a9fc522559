"""The skmtlx demo command.

Pinned: the printed table has one row per alpha plus the post-hoc baseline for
each task (counted in the output) and the figure file is written.
"""

from skmtlx._cli import main


def test_demo_prints_the_table_and_saves_the_figure(tmp_path, capsys):
    figure = tmp_path / "tradeoff.png"
    assert main(["demo", "--task", "both", "--max-epochs", "3", "--plot", str(figure)]) == 0
    out = capsys.readouterr().out
    for text in ("regression: diabetes", "classification: breast cancer", "post-hoc",
                 "R2(f,g)", "top attributions"):
        assert text in out
    # one table row per fidelity weight plus the post-hoc baseline, for both tasks
    assert sum(line.strip().startswith(("0.", "post-hoc")) for line in out.splitlines()) == 12
    assert figure.stat().st_size > 10_000
