"""Command-line tools: `flask demo …`, `flask framework …`, `flask user …`, `flask links …`, `flask report …`,
`flask people …`, `flask data …`, `flask setup`."""
from __future__ import annotations


def register(app) -> None:
    from tracker.cli.data import data_cli
    from tracker.cli.demo import demo_cli
    from tracker.cli.figures import figures_cli
    from tracker.cli.framework import framework_cli
    from tracker.cli.links import links_cli
    from tracker.cli.people import people_cli
    from tracker.cli.report import report_cli
    from tracker.cli.setup import setup_command
    from tracker.cli.user import user_cli

    for command in (demo_cli, framework_cli, user_cli, links_cli, report_cli, people_cli, data_cli, setup_command,
                    figures_cli):
        app.cli.add_command(command)
