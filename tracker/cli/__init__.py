"""Command-line tools: `flask demo …`, `flask framework …`, `flask user …`, `flask links …`, `flask report …`,
`flask people …`."""
from __future__ import annotations


def register(app) -> None:
    from tracker.cli.demo import demo_cli
    from tracker.cli.framework import framework_cli
    from tracker.cli.links import links_cli
    from tracker.cli.people import people_cli
    from tracker.cli.report import report_cli
    from tracker.cli.user import user_cli

    for command in (demo_cli, framework_cli, user_cli, links_cli, report_cli, people_cli):
        app.cli.add_command(command)
