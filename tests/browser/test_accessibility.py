"""Accessibility of the public site: axe-core on every public page, keyboard use, no-JS posting.

Each page must have no axe-core violation of impact "serious" or "critical"; "minor" and
"moderate" ones are printed (run with -s to see them) but do not fail the test. Home and
article pages are checked in both the light and the dark colour scheme, since the stylesheet
changes its colours (and so colour contrast) with prefers-color-scheme.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from comments.models import Comment
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    ImageFactory,
    SectionFactory,
    SourceFactory,
    image_file,
)

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"serious", "critical"}
SCHEMES = ["light", "dark"]
# --bg of static/css/site.css in each scheme: proves the scheme really took effect.
BODY_BACKGROUND = {"light": "rgb(253, 252, 250)", "dark": "rgb(22, 21, 20)"}

COMMENTER = "Halyna Moroz"
COMMENT = "The volunteers in Kharkiv deserve every bit of this coverage."
REPLIER = "Taras Bondar"
REPLY = "Agreed, and the drivers who crossed the country at night too."
AWAITING = "Your comment is awaiting moderation."

_axe = Axe()


# --- data -------------------------------------------------------------------------------


@pytest.fixture
def site():
    """Sections, authors, a source, a featured story and several other illustrated articles."""
    world = SectionFactory(name="World", slug="world", position=1)
    economy = SectionFactory(name="Economy", slug="economy", position=2)
    olena = AuthorFactory(
        name="Olena Kovalenko",
        slug="olena-kovalenko",
        job_title="Kyiv correspondent",
        bio="Olena has covered the war from Kyiv since 2022.\n\n"
        "She previously reported on energy for a regional daily.",
        photo=image_file("olena.jpg", size=(600, 600)),
    )
    mark = AuthorFactory(name="Mark Whitfield", slug="mark-whitfield", job_title="Data editor")
    source = SourceFactory(name="Kyiv Post", slug="kyiv-post", homepage="https://www.kyivpost.com/")
    story = ArticleFactory(
        title="Winter aid convoy reaches Kharkiv",
        slug="winter-aid-convoy-reaches-kharkiv",
        dek="Forty lorries of food and generators arrived after a three-day journey.",
        body="<p>The convoy left Lviv on Monday morning and crossed the country by night.</p>"
        "<p>Local volunteers unloaded it in under four hours.</p>",
        section=world,
        image=ImageFactory(
            file=image_file("convoy.jpg", size=(1200, 675)),
            alt_text="Volunteers unload boxes of food from a lorry in a snowy courtyard",
            caption="Unloading in Kharkiv.",
            credit="Photo: Newsroom",
        ),
        authors=[olena, mark],
        tags=["Ukraine", "Humanitarian aid"],
        source=source,
        source_url="https://www.kyivpost.com/post/41234",
        is_featured=True,
    )
    others = [
        ArticleFactory(
            title=title,
            slug=slug,
            dek=f"{title}: what happened and what comes next.",
            section=section,
            image=ImageFactory(
                file=image_file(f"{slug}.jpg", size=(800, 450)),
                alt_text=f"Photo for {title}",
            ),
            authors=[author],
            tags=["Ukraine"],
            source=source,
        )
        for title, slug, section, author in [
            ("Grain exports rise through Odesa", "grain-exports-rise", economy, mark),
            ("Power restored in Zaporizhzhia", "power-restored", world, olena),
            ("Central bank holds rates steady", "bank-holds-rates", economy, mark),
            ("Schools reopen in Kherson region", "schools-reopen", world, olena),
        ]
    ]
    return {"story": story, "others": others, "world": world, "olena": olena, "source": source}


@pytest.fixture
def story_with_comments(site):
    """The featured story, with an approved comment and an approved reply to it."""
    story = site["story"]
    parent = CommentFactory(
        article=story,
        name=COMMENTER,
        email="halyna@example.com",
        body=COMMENT,
        status=Comment.Status.APPROVED,
    )
    CommentFactory(
        article=story,
        parent=parent,
        name=REPLIER,
        email="taras@example.com",
        body=REPLY,
        status=Comment.Status.APPROVED,
    )
    return story


@pytest.fixture
def comment_settings(settings):
    """Post at once (no form-age or flood delay), so a test's comment is not taken as spam."""
    settings.NEWSROOM_COMMENT_MIN_SECONDS = 0
    settings.NEWSROOM_COMMENT_FLOOD_SECONDS = 0
    return settings


# --- axe --------------------------------------------------------------------------------


def _describe(violation: dict) -> str:
    lines = [f"[{violation['impact']}] {violation['id']}: {violation['help']}"]
    for node in violation["nodes"]:
        lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:200]}")
        summary = (node.get("failureSummary") or "").replace("\n", " ")
        if summary:
            lines.append(f"       {summary[:300]}")
    return "\n".join(lines)


def audit(page: Page, label: str, context: str | None = None) -> None:
    """Run axe-core on the page: fail on serious/critical violations, print the others."""
    page.wait_for_load_state("load")
    response = _axe.run(page, context=context).response
    assert response["passes"], "axe-core checked nothing: is the page empty?"
    violations = response["violations"]
    print(f"\naxe ({label}): {len(response['passes'])} rules passed, {len(violations)} failed")
    for item in response["incomplete"]:
        targets = [", ".join(map(str, node["target"])) for node in item["nodes"]]
        print(f"  needs review by a person: {item['id']} ({item['help']}) at {targets[:5]}")
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    other = [v for v in violations if v["impact"] not in BLOCKING_IMPACTS]
    for violation in other:
        print(f"\naxe ({label}, not failing): {_describe(violation)}")
    assert not blocking, f"axe-core found serious/critical violations on {label}:\n" + "\n".join(
        _describe(v) for v in blocking
    )


def expect_scheme(page: Page, scheme: str) -> None:
    expect(page.locator("body")).to_have_css("background-color", BODY_BACKGROUND[scheme])


# --- axe on every public page -----------------------------------------------------------


@pytest.mark.parametrize("scheme", SCHEMES)
def test_home_page(new_page, live_server, site, scheme):
    page = new_page(color_scheme=scheme)
    page.goto(live_server.url + "/")
    expect_scheme(page, scheme)
    featured = page.locator(".featured")
    expect(featured.get_by_role("link", name=site["story"].title, exact=True)).to_be_visible()
    expect(page.locator(".teasers--home .teaser")).to_have_count(5)
    expect(page.locator(".teaser__image img")).to_have_count(6)

    audit(page, f"home page ({scheme})")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_article_page_with_comments(new_page, live_server, story_with_comments, scheme):
    page = new_page(color_scheme=scheme)
    page.goto(live_server.url + story_with_comments.get_absolute_url())
    expect_scheme(page, scheme)
    expect(page.get_by_role("heading", level=1, name=story_with_comments.title)).to_be_visible()
    expect(page.get_by_role("heading", name="2 Comments")).to_be_visible()
    expect(page.locator(".comment-list--replies .comment")).to_contain_text(REPLY)
    expect(page.locator("#respond").get_by_role("button", name="Post Comment")).to_be_visible()

    audit(page, f"article page with comments ({scheme})")

    # "Reply" moves the form under the comment and adds a "Cancel reply" link to its title.
    page.get_by_role("link", name=f"Reply to {COMMENTER}").click()
    expect(page.locator("#reply-title")).to_contain_text(f"Replying to {COMMENTER}")
    audit(page, f"article page, replying to a comment ({scheme})", context="#comments")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_article_page_after_a_refused_comment(new_page, live_server, site, scheme):
    """The empty form is posted (the form has novalidate) and comes back with field errors."""
    page = new_page(color_scheme=scheme)
    page.goto(live_server.url + site["story"].get_absolute_url())
    page.locator("#respond").get_by_role("button", name="Post Comment").click()

    expect(page.locator(".comment-form__field.has-error")).to_have_count(3)
    expect(page.locator(".field-error")).to_contain_text(
        ["Please enter your name.", "Please enter your email.", "Please write a comment."]
    )
    expect_scheme(page, scheme)

    audit(page, f"article page with a refused comment ({scheme})")


def test_section_page(page: Page, live_server, site):
    page.goto(live_server.url + site["world"].get_absolute_url())
    expect(page.get_by_role("heading", level=1, name="World")).to_be_visible()
    expect(page.locator(".teaser")).to_have_count(3)
    audit(page, "section page")


def test_tag_page(page: Page, live_server, site):
    page.goto(live_server.url + "/tags/ukraine/")
    expect(page.get_by_role("heading", level=1, name="Ukraine")).to_be_visible()
    expect(page.locator(".teaser")).to_have_count(5)
    audit(page, "tag page")


def test_author_page(page: Page, live_server, site):
    page.goto(live_server.url + site["olena"].get_absolute_url())
    expect(page.get_by_role("heading", level=1, name="Olena Kovalenko")).to_be_visible()
    expect(page.locator(".teaser")).to_have_count(3)
    audit(page, "author page")


def test_source_page(page: Page, live_server, site):
    page.goto(live_server.url + site["source"].get_absolute_url())
    expect(page.get_by_role("heading", level=1, name="Kyiv Post")).to_be_visible()
    expect(page.locator(".teaser")).to_have_count(5)
    audit(page, "source page")


def test_search_page_with_results(page: Page, live_server, site):
    page.goto(live_server.url + "/")
    page.get_by_role("searchbox", name="Search articles").fill("convoy")
    page.get_by_role("searchbox", name="Search articles").press("Enter")
    expect(page.get_by_role("heading", level=1, name="Search")).to_be_visible()
    expect(page.locator(".search-result")).to_have_count(1)
    expect(page.locator(".search-result")).to_contain_text(site["story"].title)
    audit(page, "search page with results")


def test_search_page_with_no_results(page: Page, live_server, site):
    page.goto(live_server.url + "/search/?q=zzyzx")
    expect(page.locator(".empty")).to_contain_text("Nothing matches")
    audit(page, "search page with no results")


def test_not_found_page(page: Page, live_server, site):
    response = page.goto(live_server.url + "/no-such-page/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1, name="Page not found")).to_be_visible()
    audit(page, "404 page")


def test_every_page_declares_its_language(page: Page, live_server, story_with_comments, site):
    for path in [
        "/",
        story_with_comments.get_absolute_url(),
        site["world"].get_absolute_url(),
        "/search/?q=convoy",
        "/no-such-page/",
    ]:
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == "en", path


# --- keyboard ---------------------------------------------------------------------------

FOCUS_STYLE = """el => {
  const style = getComputedStyle(el);
  return {
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    outlineColor: style.outlineColor,
    boxShadow: style.boxShadow,
    focused: el === document.activeElement,
    focusVisible: el.matches(":focus-visible"),
    backdrop: backdropOf(el),
  };
  function backdropOf(node) {
    for (let up = node.parentElement; up; up = up.parentElement) {
      const color = getComputedStyle(up).backgroundColor;
      if (color !== "transparent" && !color.endsWith(", 0)")) return color;
    }
    return getComputedStyle(document.body).backgroundColor;
  }
}"""


def _luminance(css_color: str) -> float:
    """Relative luminance (WCAG 2) of an "rgb(r, g, b)" or "rgba(r, g, b, a)" colour."""
    inside = css_color[css_color.index("(") + 1 : css_color.index(")")]
    channels = [float(part) / 255 for part in inside.replace("/", ",").split(",")[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted([_luminance(first), _luminance(second)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _has_indicator(style: dict) -> bool:
    outline = (
        style["outlineStyle"] != "none"
        and style["outlineWidth"] > 0
        and style["outlineColor"] not in {"transparent", "rgba(0, 0, 0, 0)"}
    )
    return outline or style["boxShadow"] != "none"


class KeyboardWalk:
    """Presses Tab from the top of the page and checks each target's focus indicator."""

    def __init__(self, page: Page, max_presses: int = 120):
        self.page = page
        self.presses_left = max_presses
        self.presses = 0
        self.reached: list[tuple[str, Locator, dict]] = []

    def tab_to(self, name: str, target: Locator) -> None:
        expect(target).to_have_count(1)
        while self.presses_left > 0:
            self.page.keyboard.press("Tab")
            self.presses_left -= 1
            self.presses += 1
            if target.evaluate("el => el === document.activeElement"):
                break
        else:
            active = self.page.evaluate("document.activeElement.outerHTML.slice(0, 200)")
            pytest.fail(f"Tab never reached {name}; focus ended on {active}")
        expect(target).to_be_visible()
        focused = target.evaluate(FOCUS_STYLE)
        assert focused["focusVisible"], f"{name} is focused but not :focus-visible"
        assert _has_indicator(focused), f"{name} has no visible focus indicator: {focused}"
        if focused["outlineStyle"] != "none":
            # WCAG 1.4.11: a focus outline needs 3:1 against what it is drawn on.
            ratio = contrast(focused["outlineColor"], focused["backdrop"])
            assert ratio >= 3, f"{name}: focus outline contrast {ratio:.2f}:1 < 3:1 ({focused})"
        self.reached.append((name, target, focused))
        print(f"\nTab reached {name}: outline {focused['outlineWidth']}px ", end="")
        print(f"{focused['outlineStyle']} {focused['outlineColor']} on {focused['backdrop']}")

    def check_indicators_differ_from_unfocused(self) -> None:
        """Each reached element, once unfocused, must look different from when focused."""
        self.page.evaluate("document.activeElement && document.activeElement.blur()")
        for name, target, focused in self.reached:
            unfocused = target.evaluate(FOCUS_STYLE)
            assert not unfocused["focused"]
            keys = ("outlineStyle", "outlineWidth", "outlineColor", "boxShadow")
            assert any(focused[key] != unfocused[key] for key in keys), (
                f"{name} looks the same focused and unfocused: {focused} / {unfocused}"
            )


@pytest.mark.parametrize("scheme", SCHEMES)
def test_home_page_is_usable_by_keyboard(new_page, live_server, site, scheme):
    page = new_page(color_scheme=scheme)
    page.goto(live_server.url + "/")
    expect_scheme(page, scheme)
    walk = KeyboardWalk(page)

    skip_link = page.get_by_role("link", name="Skip to content")
    walk.tab_to("skip link", skip_link)
    assert walk.presses == 1, "the skip link is not the first Tab stop"

    header = page.locator(".site-header")
    nav = page.get_by_role("navigation", name="Sections")
    walk.tab_to("search box", header.get_by_role("searchbox", name="Search articles"))
    walk.tab_to("search button", header.get_by_role("button", name="Search"))
    walk.tab_to("nav link Latest", nav.get_by_role("link", name="Latest", exact=True))
    walk.tab_to("nav link World", nav.get_by_role("link", name="World", exact=True))
    walk.tab_to("nav link Economy", nav.get_by_role("link", name="Economy", exact=True))
    walk.tab_to(
        "featured article title link",
        page.locator(".featured .teaser__title").get_by_role("link", name=site["story"].title),
    )
    walk.tab_to(
        "latest article title link",
        page.locator(".teasers--home .teaser__title").get_by_role(
            "link", name=site["others"][-1].title
        ),
    )
    walk.check_indicators_differ_from_unfocused()

    # The featured title link, reached by keyboard, opens the article with Enter.
    title_link = page.locator(".featured .teaser__title a")
    title_link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + site["story"].get_absolute_url())


@pytest.mark.parametrize("scheme", SCHEMES)
def test_article_comment_form_is_usable_by_keyboard(
    new_page, live_server, story_with_comments, scheme
):
    page = new_page(color_scheme=scheme)
    page.goto(live_server.url + story_with_comments.get_absolute_url())
    expect_scheme(page, scheme)
    walk = KeyboardWalk(page)
    form = page.locator("#respond")

    walk.tab_to("skip link", page.get_by_role("link", name="Skip to content"))
    walk.tab_to("search box", page.get_by_role("searchbox", name="Search articles"))
    walk.tab_to(
        "nav link Latest",
        page.get_by_role("navigation", name="Sections").get_by_role("link", name="Latest"),
    )
    walk.tab_to("reply link", page.get_by_role("link", name=f"Reply to {COMMENTER}", exact=True))
    for label in ["Name", "Email", "Website", "Comment"]:
        walk.tab_to(f"comment field {label}", form.get_by_role("textbox", name=label, exact=True))
    walk.tab_to("remember-me checkbox", form.get_by_role("checkbox", name="Save my name"))
    walk.tab_to(
        "notify checkbox", form.get_by_role("checkbox", name="when my comment is published")
    )
    walk.tab_to("notify checkbox", form.get_by_role("checkbox", name="when someone replies"))
    walk.tab_to("Post Comment button", form.get_by_role("button", name="Post Comment"))
    walk.check_indicators_differ_from_unfocused()


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page: Page, live_server, site):
    page.goto(live_server.url + site["world"].get_absolute_url())
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab goes into the content, not back to the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


# --- without JavaScript -----------------------------------------------------------------


def test_comment_form_posts_without_javascript(
    new_page, live_server, site, comment_settings, screenshot
):
    story = site["story"]
    page = new_page(java_script_enabled=False)
    page.goto(live_server.url + story.get_absolute_url())
    form = page.locator("#respond")
    form.get_by_role("textbox", name="Name", exact=True).fill("Iryna Shevchuk")
    form.get_by_role("textbox", name="Email", exact=True).fill("iryna@example.com")
    form.get_by_role("textbox", name="Comment", exact=True).fill(
        "Thank you for following the convoy all the way to Kharkiv."
    )
    form.get_by_role("button", name="Post Comment").click()
    # The shared page carries no CSRF token; without JavaScript the first post brings the
    # form back with one, the text kept, and the error summary saying to send it again.
    expect(page.locator("#error-summary")).to_contain_text("press Post Comment again")
    page.locator("#respond").get_by_role("button", name="Post Comment").click()

    expect(page.locator(".messages")).to_contain_text(AWAITING)
    comment = Comment.objects.get(email="iryna@example.com")
    assert comment.status == Comment.Status.PENDING
    expect(page.locator(f"#comment-{comment.pk} .comment__awaiting")).to_be_visible()

    # axe-core itself needs JavaScript (with it off, its promise never settles), so the page
    # the reader now sees, with their held comment, is audited in a context that has the same
    # cookies but JavaScript on.
    audited = new_page()
    audited.context.add_cookies(page.context.cookies())
    audited.goto(live_server.url + story.get_absolute_url())
    expect(audited.locator(f"#comment-{comment.pk} .comment__awaiting")).to_be_visible()
    audit(audited, "article page showing the reader's held comment")
