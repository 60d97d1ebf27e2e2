vcl 4.1;

# Varnish in front of Newsroom's gunicorn (README: "Front cache (Varnish or a CDN)").
#
# What it keeps: public pages as readers without cookies get them (the CSRF cookie aside),
# for as long as their Cache-Control says (s-maxage, then stale-while-revalidate as grace).
# What empties it: the site sends BAN with the scopes that changed (NEWSROOM_FRONT_CACHE_URLS)
# and every page whose X-Newsroom-Scope names one of them is dropped.

import std;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
}

# Who may ban: the app servers (and the db_worker's machine). Add their addresses here.
acl newsroom_purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    unset req.http.X-Newsroom-Front-Cache;
    if (req.method == "BAN") {
        if (client.ip !~ newsroom_purgers) {
            return (synth(405, "BAN not allowed from this address"));
        }
        # Scope names as the site writes them: letters, digits, _ % : - separated by spaces.
        # Checked so that nothing but a list of names reaches the ban expression.
        if (req.http.X-Newsroom-Scope !~ "^[A-Za-z0-9_%:-]+( [A-Za-z0-9_%:-]+)*$") {
            return (synth(400, "X-Newsroom-Scope: a space-separated list of scope names"));
        }
        # On obj.http only, so the ban lurker removes matching objects in the background
        # and the ban list stays short. Whole names only ("site" does not ban "sites").
        # The regex is not quoted and [[:blank:]] stands for a space: std.ban() splits its
        # argument at spaces and would take quotes as part of the regex.
        if (std.ban("obj.http.X-Newsroom-Scope ~ (^|[[:blank:]])(" +
                regsuball(req.http.X-Newsroom-Scope, " ", "|") + ")([[:blank:]]|$)")) {
            return (synth(200, "Banned"));
        }
        return (synth(400, std.ban_error()));
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }

    # One cached copy for gzip clients, one for the rest, whatever their header says.
    if (req.http.Accept-Encoding ~ "\bgzip\b") {
        set req.http.Accept-Encoding = "gzip";
    } else {
        unset req.http.Accept-Encoding;
    }

    # Any cookie but Django's CSRF cookie (CSRF_COOKIE_NAME, "csrftoken") makes the page
    # the reader's own: a session (staff, a commenter who sees their held comment), the
    # "remember me" cookie, a pending message. The CSRF cookie changes nothing on a page;
    # it is still sent on to the site, which needs it for the comment form's tokens.
    if (req.http.Cookie) {
        set req.http.X-Newsroom-Other-Cookies =
            regsuball("; " + req.http.Cookie, ";\s*csrftoken=[^;]*", "");
        if (req.http.X-Newsroom-Other-Cookies ~ "[^;\s]") {
            unset req.http.X-Newsroom-Other-Cookies;
            return (pass);
        }
        unset req.http.X-Newsroom-Other-Cookies;
    }
    if (req.http.Authorization) {
        return (pass);
    }
    return (hash);
}

sub vcl_backend_fetch {
    # Varnish asks again after a ban: the site must answer from the shared cache's content
    # versions, not from an app server's own copy of them, which may be up to
    # NEWSROOM_PAGE_CACHE_LOCAL_MS old (newsroom/pagecache.py). Set here, never by a reader
    # (vcl_recv removes theirs).
    set bereq.http.X-Newsroom-Front-Cache = "fetch";
}

sub vcl_backend_response {
    # Keep only what the site says may be kept: an answer without Cache-Control (an error
    # page, a redirect) is fetched every time, not kept for Varnish's default two minutes.
    # It is marked "hit-for-miss": the next answer for that address may be kept again.
    if (!beresp.http.Cache-Control) {
        set beresp.ttl = 120s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # A page that changes by itself at a known moment (a scheduled article going live,
    # comments closing) is kept until then and no longer: no ban comes at that moment. The
    # site names it while its page cache is on.
    if (beresp.http.X-Newsroom-Changes-At && beresp.http.Cache-Control ~ "public" &&
            !beresp.http.Set-Cookie &&
            std.time(beresp.http.X-Newsroom-Changes-At, now + 1y) - now < beresp.ttl) {
        set beresp.ttl = std.time(beresp.http.X-Newsroom-Changes-At, now + 1y) - now;
        set beresp.grace = 0s;
        return (deliver);
    }
    # Then Varnish's built-in rules: an answer with Set-Cookie, or Cache-Control private,
    # no-cache or no-store, is not kept either. Varnish reads s-maxage (before max-age) into
    # the object's TTL and stale-while-revalidate into its grace by itself.
}

sub vcl_deliver {
    # The scope names and the moment of change are for this cache, not for readers.
    unset resp.http.X-Newsroom-Scope;
    unset resp.http.X-Newsroom-Changes-At;
    # Age > 0 and X-Varnish with two ids tell a hit; this says it in a word.
    if (obj.hits > 0) {
        set resp.http.X-Front-Cache = "hit";
    } else {
        set resp.http.X-Front-Cache = "miss";
    }
}
