"""`make bench`: the figures that say whether Newsroom is fast enough (issue 11).

- ``data.py`` builds a newsroom of a given size in a dedicated PostgreSQL database, once;
- ``settings.py`` and ``urls.py`` are production settings plus a bare "hello" view, the
  yardstick every page is compared with; they are never the public site's;
- ``load.py`` runs gunicorn and the load generator and measures one page;
- ``demo/management/commands/bench.py`` puts them together and prints the table.
"""
