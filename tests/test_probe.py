"""A fast part of the hostile-input probe (tests/probe.py, `make probe`), on every test run:
the hand list of inputs that once broke something and a few dozen generated ones, through
Django's test client with CSRF checks on. Nothing may answer 5xx, and every comment the site
acknowledged must be stored."""

import pytest
from django.test import Client

from tests import probe
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory


class ClientTarget(probe.Target):
    def __init__(self):
        self.client = Client(enforce_csrf_checks=True, raise_request_exception=False)

    def _answer(self, response) -> probe.Answer:
        body = response.content.decode("utf-8", "replace") if not response.streaming else ""
        return probe.Answer(response.status_code, body, response.get("Location", ""))

    def get(self, path, headers=None):
        return self._answer(self.client.get(path, headers=headers or {}))

    def post(self, path, data, content_type, headers):
        return self._answer(
            self.client.generic("POST", path, data, content_type=content_type, headers=headers)
        )


@pytest.mark.django_db
def test_hostile_inputs_get_no_5xx_and_no_comment_is_lost(settings):
    settings.NEWSROOM_COMMENT_MIN_SECONDS = 0
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1
    section = SectionFactory(slug="world")
    article = ArticleFactory(slug="kyiv-without-power", section=section, authors=[AuthorFactory()])
    tally = probe.Tally()

    probe.run_corpus(ClientTarget(), article.slug, examples_count=60, tally=tally)

    assert tally.failures == []
    assert probe.lost(tally.acknowledged) == []
    # Comments of the hand list and generated ones reached the database, not only the form.
    numbers = [int(marker.split("-")[1]) for marker in tally.acknowledged]
    assert any(n < len(probe.HAND_COMMENTS) for n in numbers)
    assert any(n >= len(probe.HAND_COMMENTS) for n in numbers)
    assert sum(tally.statuses.values()) >= len(probe.HAND_GETS) + len(probe.HAND_COMMENTS) + 60
