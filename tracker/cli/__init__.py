"""Command-line tools: `flask demo …`, `flask framework …`, `flask user …`."""
from __future__ import annotations

import importlib


def register(app) -> None:
    for module_name, attr in (
        ("tracker.cli.demo", "demo_cli"),
        ("tracker.cli.framework", "framework_cli"),
        ("tracker.cli.user", "user_cli"),
        ("tracker.cli.links", "links_cli"),
        ("tracker.cli.report", "report_cli"),
    ):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # an area not built yet
        app.cli.add_command(getattr(module, attr))
