"""The bench's data: a newsroom of a given size, written with set-based SQL on PostgreSQL.

Row by row through the ORM, 100,000 articles and 1,000,000 comments take hours; as
``INSERT … SELECT … FROM generate_series`` they take minutes, most of it PostgreSQL filling the
search vectors (the same trigger that fills them for editors' saves). Ids are given
explicitly (the tables are emptied first), so replies can point at their parents by
arithmetic and the counts are exact, which tests/test_bench.py checks at a tiny size.

The data is made once per size and reused: a row in ``bench_dataset`` (a table of the bench
database only, not a Django model) names the size it was built at.
"""

import time
from dataclasses import asdict, dataclass
from pathlib import Path

from django.db import connection, transaction

WORDS = [
    line.strip()
    for line in (Path(__file__).with_name("words.txt")).read_text().splitlines()
    if line.strip() and not line.startswith("#")
]
# Picked often enough to be in nearly every article body (the search figure's "common word").
COMMON_WORD = WORDS[5]
COMMENTS_ON_HOT_ARTICLE = 100
# The newest article is the first of the articles with 100 comments.
HOT_ARTICLE_SLUG = "bench-1"
PARAGRAPHS = 400  # distinct generated paragraphs; each body is eight of them (~4 KB)


@dataclass(frozen=True)
class Size:
    name: str
    articles: int
    comments: int
    tags: int
    authors: int
    sources: int
    hot_articles: int  # articles with exactly 100 approved comments
    held: int  # pending comments: the moderation queue
    sections: int = 12
    tags_per_article: int = 5

    @property
    def tag_links(self) -> int:
        return self.articles * self.tags_per_article

    @property
    def bylines(self) -> int:
        # Every article has one byline, two in five a second.
        return self.articles + sum(1 for i in range(1, self.articles + 1) if i % 5 < 2)


SIZES = {
    "quick": Size(
        "quick", 2_000, 20_000, tags=200, authors=40, sources=40, hot_articles=5, held=200
    ),
    "big": Size(
        "big",
        100_000,
        1_000_000,
        tags=2_000,
        authors=400,
        sources=200,
        hot_articles=200,
        held=10_000,
    ),  # fmt: skip
}

# Emptied before a build; CASCADE takes bylines, tag links, comments, revisions and the rest.
DATA_TABLES = [
    "articles_article",
    "articles_section",
    "articles_source",
    "authors_author",
    "taggit_tag",
    "comments_comment",
    "comments_usedformtoken",
    "comments_moderationlogentry",
    "django_tasks_database_dbtaskresult",
]
# The big tables, whose secondary indexes are dropped during a build and made again after.
BULK_TABLES = ["articles_article", "articles_taggedarticle", "articles_byline", "comments_comment"]


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise RuntimeError(
            "The bench data generator needs PostgreSQL (set-based SQL with generate_series); "
            f"this database is {connection.vendor}."
        )


def built_size() -> str | None:
    """The size the bench data was built at, if it is complete."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_dataset') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute("SELECT size, articles FROM bench_dataset")
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.execute("SELECT count(*) FROM articles_article")
        return row[0] if cursor.fetchone()[0] == row[1] else None


def ensure(size: Size) -> float | None:
    """Build the data at ``size`` unless it is there already; the seconds taken, or None."""
    require_postgresql()
    if built_size() == size.name:
        return None
    started = time.monotonic()
    with transaction.atomic():
        build(size)
    if not connection.in_atomic_block:
        with connection.cursor() as cursor:
            # Plans need statistics and visibility maps of the new rows, as autovacuum would
            # give them in production (VACUUM cannot run inside a transaction).
            cursor.execute("VACUUM ANALYZE")
    return time.monotonic() - started


def build(size: Size) -> None:
    with connection.cursor() as cursor:
        run = cursor.execute
        run("CREATE TABLE IF NOT EXISTS bench_dataset (size text, articles int, built timestamptz)")
        run("DELETE FROM bench_dataset")
        run(f"TRUNCATE {', '.join(DATA_TABLES)} RESTART IDENTITY CASCADE")
        # Indexes are built once after the rows are in, far faster than kept current row by
        # row (above all the articles' GIN index over the search vectors); constraints stay.
        run("SET LOCAL maintenance_work_mem = '256MB'")
        # Foreign keys checked at each statement's end, not at commit: an index cannot be
        # made on a table with checks still pending.
        run("SET CONSTRAINTS ALL IMMEDIATE")
        run(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [BULK_TABLES],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            run(f'DROP INDEX "{name}"')
        params = {**asdict(size), "words": WORDS, "paragraphs": PARAGRAPHS}
        for statement in BUILD:
            run(statement, params)
        for _, definition in indexes:
            run(definition)
        for table in ("articles_article", "articles_section", "articles_source",
                      "authors_author", "taggit_tag", "articles_taggedarticle",
                      "articles_byline", "comments_comment"):  # fmt: skip
            run(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        run("ANALYZE")
        run(
            "INSERT INTO bench_dataset VALUES (%(name)s, %(articles)s, now())",
            {"name": size.name, "articles": size.articles},
        )


# Eight paragraphs of the pool, a different choice for each article `i`; BODY_VECTOR is the
# search vector of the same eight, joined as PostgreSQL joins two tsvectors (positions of
# the second moved after the first's).
PICKS = [f"1 + (i * 31 + {k * 97}) %% %(paragraphs)s" for k in range(8)]
BODY = " || ".join(f"'<p>' || pool.paragraph[{pick}] || '.</p>'" for pick in PICKS)
BODY_VECTOR = " || ".join(f"pool.vector[{pick}]" for pick in PICKS)

# Each statement gets the size's fields as parameters. Skews use power(random(), k): most
# picks fall on low numbers (newer articles, popular tags and words, regular commenters).
BUILD = [
    # Paragraphs of about 60 words with a skewed vocabulary; the outer `n` in the inner
    # series keeps PostgreSQL from computing the subquery once for all paragraphs.
    """
    CREATE TEMP TABLE bench_paragraph ON COMMIT DROP AS
    SELECT n, (
        SELECT string_agg(
            (%(words)s::text[])[1 + floor(cardinality(%(words)s::text[])
                                        * power(random(), 2.5))::int], ' ')
        FROM generate_series(1, 60 + n * 0)
    ) AS text
    FROM generate_series(0, %(paragraphs)s - 1) AS n
    """,
    "ALTER TABLE bench_paragraph ADD COLUMN vector tsvector",
    "UPDATE bench_paragraph SET vector = to_tsvector('english', text || '.')",
    """
    INSERT INTO articles_section (id, name, slug, description, position)
    SELECT n, 'Section ' || n, 'section-' || n, '', n FROM generate_series(1, %(sections)s) n
    """,
    """
    INSERT INTO authors_author (id, name, slug, job_title, bio, photo, website, email,
                                social_links, is_active)
    SELECT n, 'Author ' || n, 'author-' || n, 'Reporter', '', '', '', '', '', true
    FROM generate_series(1, %(authors)s) n
    """,
    """
    INSERT INTO articles_source (id, name, slug, homepage, description, normalized_domain)
    SELECT n, 'Source ' || n, 'source-' || n, 'https://source-' || n || '.example/', '',
           'source-' || n || '.example'
    FROM generate_series(1, %(sources)s) n
    """,
    """
    INSERT INTO taggit_tag (id, name, slug)
    SELECT n, 'Topic ' || n, 'topic-' || n FROM generate_series(1, %(tags)s) n
    """,
    # Article 1 is the newest; one an hour back from a day ago, so comments (minutes after
    # their article) are never in the future. The search vector is what the articles'
    # trigger (articles/search.py) makes of title, dek and body, but from the paragraphs'
    # vectors made once: running the trigger on 100,000 bodies of 4 KB takes many minutes.
    "ALTER TABLE articles_article DISABLE TRIGGER USER",
    """
    INSERT INTO articles_article (
        id, title, slug, dek, body, search_vector, source_url, status, published_at,
        comments_enabled, created_at, updated_at, section_id, source_id, version,
        canonical_is_source, is_featured)
    SELECT i, title, 'bench-' || i, dek, BODY,
        setweight(to_tsvector('english', title), 'A')
            || setweight(to_tsvector('english', dek), 'B')
            || setweight(BODY_VECTOR, 'C'),
        '', 'published', now() - interval '1 day' - (i - 1) * interval '1 hour', true,
        now() - interval '1 day' - (i - 1) * interval '1 hour',
        now() - interval '1 day' - (i - 1) * interval '1 hour',
        1 + i %% %(sections)s,
        CASE WHEN i %% 5 = 0 THEN 1 + (i / 5) %% %(sources)s END,
        1, false, i %% 50 = 1
    FROM (
        SELECT i,
            initcap((%(words)s::text[])[1 + i %% 50]) || ' '
                || (%(words)s::text[])[1 + (i * 7) %% 200] || ' and '
                || (%(words)s::text[])[1 + (i * 13) %% 230] || ', report ' || i AS title,
            'What the ' || (%(words)s::text[])[1 + (i * 3) %% 100] || ' means for the '
                || (%(words)s::text[])[1 + (i * 11) %% 230] || ', explained in a paragraph.'
                AS dek
        FROM generate_series(1, %(articles)s) i
    ) AS article,
    (SELECT array_agg(text ORDER BY n) AS paragraph, array_agg(vector ORDER BY n) AS vector
     FROM bench_paragraph) AS pool
    """.replace("BODY_VECTOR", BODY_VECTOR).replace("BODY", BODY),
    "ALTER TABLE articles_article ENABLE TRIGGER USER",
    """
    INSERT INTO articles_byline (article_id, author_id, position)
    SELECT i, 1 + (i * 7) %% %(authors)s, 0 FROM generate_series(1, %(articles)s) i
    UNION ALL
    SELECT i, 1 + (i * 7 + greatest(1, %(authors)s / 3)) %% %(authors)s, 1
    FROM generate_series(1, %(articles)s) i WHERE i %% 5 < 2
    """,
    # Five consecutive tags from a skewed start: the first tags are on many articles.
    """
    WITH first_tag AS MATERIALIZED (
        SELECT i, floor(%(tags)s * power(random(), 3))::int AS f
        FROM generate_series(1, %(articles)s) i
    )
    INSERT INTO articles_taggedarticle (content_object_id, tag_id)
    SELECT i, 1 + (f + k) %% %(tags)s FROM first_tag, generate_series(0, %(tags_per_article)s - 1) k
    """,
    # Which article each comment is on: the hot articles (evenly spread, the newest among
    # them) get exactly 100 each, the rest go to the other articles, more to newer ones.
    """
    CREATE TEMP TABLE bench_hot ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY i) - 1 AS n, i AS article_id
    FROM generate_series(1, %(articles)s, greatest(1, %(articles)s / %(hot_articles)s)) i
    LIMIT %(hot_articles)s
    """,
    """
    CREATE TEMP TABLE bench_cold ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY i) - 1 AS n, i AS article_id
    FROM generate_series(1, %(articles)s) i WHERE i NOT IN (SELECT article_id FROM bench_hot)
    """,
    """
    CREATE TEMP TABLE bench_slot ON COMMIT DROP AS
    WITH picks AS MATERIALIZED (
        SELECT g, floor((SELECT count(*) FROM bench_cold) * power(random(), 1.3))::int AS n,
               floor(%(comments)s / 20.0 * power(random(), 2))::int AS commenter
        FROM generate_series(1, %(comments)s - %(hot_articles)s * 100) g
    ), placed AS (
        SELECT h.article_id, true AS hot, floor(%(comments)s / 20.0 * power(random(), 2))::int
               AS commenter, g
        FROM generate_series(0, %(hot_articles)s * 100 - 1) g JOIN bench_hot h ON h.n = g / 100
        UNION ALL
        SELECT c.article_id, false, p.commenter, p.g + %(hot_articles)s * 100
        FROM picks p JOIN bench_cold c ON c.n = p.n
    )
    SELECT row_number() OVER (ORDER BY article_id, g) AS id,
           row_number() OVER (PARTITION BY article_id ORDER BY g) - 1 AS seq,
           article_id, hot, commenter
    FROM placed
    """,
    """
    CREATE TEMP TABLE bench_comment_text ON COMMIT DROP AS
    SELECT g.n, initcap(left(p.text, 40 + (g.n * 37) %% 400)) || '.' AS text
    FROM generate_series(0, 999) AS g(n) JOIN bench_paragraph p ON p.n = g.n %% %(paragraphs)s
    """,
    # Every fourth comment of an article answers the one before it (ids are consecutive
    # within an article); the rest start threads of their own.
    """
    INSERT INTO comments_comment (
        id, article_id, parent_id, thread_id, depth, name, email, website, body,
        original_body, status, hold_reasons, submitted_at, ip_address, user_agent)
    SELECT s.id, s.article_id,
        CASE WHEN s.seq %% 4 = 3 THEN s.id - 1 END,
        CASE WHEN s.seq %% 4 = 3 THEN s.id - 1 ELSE s.id END,
        CASE WHEN s.seq %% 4 = 3 THEN 2 ELSE 1 END,
        'Reader ' || s.commenter, 'reader' || s.commenter || '@example.com', '', t.text, '',
        'approved', '[]'::jsonb,
        a.published_at + (s.seq + 1) * interval '5 minutes',
        ('10.' || (s.commenter / 65536) %% 256 || '.' || (s.commenter / 256) %% 256 || '.'
            || s.commenter %% 256)::inet,
        'Mozilla/5.0 (bench)'
    FROM bench_slot s
    JOIN articles_article a ON a.id = s.article_id
    JOIN bench_comment_text t ON t.n = s.id %% 1000
    """,
    # The moderation queue and the rest of moderation's work, on other articles' top-level
    # comments (a hot article keeps its 100 approved).
    """
    WITH chosen AS (
        SELECT s.id, row_number() OVER (ORDER BY md5(s.id::text)) AS r
        FROM bench_slot s WHERE NOT s.hot AND s.seq %% 4 <> 3
    )
    UPDATE comments_comment c SET
        status = CASE WHEN r <= %(held)s THEN 'pending'
                      WHEN r <= %(held)s + %(comments)s / 30 THEN 'spam' ELSE 'removed' END,
        hold_reasons = CASE WHEN r <= %(held)s THEN '["first-time commenter"]'::jsonb
                            WHEN r <= %(held)s + %(comments)s / 30
                            THEN '["disallowed keyword ''casino'' in body"]'::jsonb
                            ELSE '[]'::jsonb END
    FROM chosen WHERE c.id = chosen.id AND r <= %(held)s + %(comments)s / 30 + %(comments)s / 100
    """,
]
