"""articles.workflow: each step's own wording when it cannot be taken."""

import pytest

from articles import workflow
from articles.models import Article
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Article.Status


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("submit", Status.PUBLISHED, "An article that is published cannot be submitted for review"),
        ("return", Status.DRAFT, "An article that is draft cannot be returned to the writer"),
        ("unpublish", Status.IN_REVIEW, "An article that is in review cannot be unpublished"),
    ],
)
def test_a_step_from_the_wrong_status_is_refused_in_its_own_words(action, status, message):
    editor = UserFactory(is_superuser=True, is_staff=True)
    published = status == Status.PUBLISHED
    article = ArticleFactory(status=status, **({} if published else {"draft": True}))

    with pytest.raises(workflow.WorkflowError) as refusal:
        workflow.transition(article, action=action, actor=editor, note="Why.")

    assert str(refusal.value) == message + "."
    article.refresh_from_db()
    assert article.status == status
    assert not article.transitions.exists()
