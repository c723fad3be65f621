"""A server's app tunes the garbage collector (tracker.collector); a testing app leaves it alone."""
from __future__ import annotations

import gc

import pytest

import config
from tracker import collector, create_app


@pytest.fixture
def collector_as_it_was():
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


class ServerConfig(config.DevelopmentConfig):
    SQLALCHEMY_DATABASE_URI = "sqlite://"


def test_a_server_app_freezes_what_it_holds_and_again_after_its_first_request(collector_as_it_was):
    gc.unfreeze()
    app = create_app(ServerConfig)
    assert gc.get_threshold()[0] == collector.FIRST_GENERATION_THRESHOLD
    frozen_when_built = gc.get_freeze_count()
    assert frozen_when_built > 0
    app.test_client().get("/healthz")
    assert gc.get_freeze_count() > frozen_when_built


def test_a_testing_app_leaves_the_collector_alone(collector_as_it_was):
    gc.unfreeze()
    threshold = gc.get_threshold()
    create_app(config.TestingConfig)
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == 0
