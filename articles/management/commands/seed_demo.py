"""Load the demo newsroom: sections, sources, authors, articles, comments and staff accounts.

``make run`` calls this on every start, so it is idempotent: everything is looked up by its
slug or username and only created when missing. A second run creates nothing and changes
nothing; in particular it never resets a demo user's password or replaces an image.

All images are drawn with Pillow on the spot (no downloads): abstract landscapes for the
featured images, coloured squares with initials for the author photos.
"""

import io
import math
import os
import random
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from accounts.roles import ensure_role_groups
from articles import revisions
from articles.models import Article, ArticleRevision, Byline, Section, Source
from authors.models import Author
from comments.models import Comment, ModerationLogEntry
from images.models import Image as LibraryImage

DEMO_PASSWORD = "newsroom-demo"

SECTIONS = [
    {
        "slug": "world",
        "name": "World",
        "description": "Reporting from Ukraine, its neighbours and the rest of the world.",
    },
    {
        "slug": "politics",
        "name": "Politics",
        "description": "Parliaments, elections, policy and the people who make it.",
    },
    {
        "slug": "business",
        "name": "Business",
        "description": "Markets, trade, companies and the economy as households feel it.",
    },
    {
        "slug": "science",
        "name": "Science",
        "description": "Research, climate and technology, explained without the hype.",
    },
    {
        "slug": "culture",
        "name": "Culture",
        "description": "Books, music, film, theatre and the places that keep them alive.",
    },
]

SOURCES = [
    {
        "slug": "kyiv-post",
        "name": "Kyiv Post",
        "homepage": "https://www.kyivpost.com/",
        "description": "English-language newspaper published in Kyiv since 1995, covering "
        "Ukrainian politics, business and the war.",
    },
    {
        "slug": "reuters",
        "name": "Reuters",
        "homepage": "https://www.reuters.com/",
        "description": "International news agency headquartered in London, with "
        "correspondents in some 200 locations.",
    },
    {
        "slug": "deutsche-welle",
        "name": "Deutsche Welle",
        "homepage": "https://www.dw.com/",
        "description": "Germany's international public broadcaster, publishing news in "
        "more than 30 languages.",
    },
]

AUTHORS = [
    {
        "slug": "olena-marchenko",
        "name": "Olena Marchenko",
        "job_title": "Kyiv correspondent",
        "bio": (
            "Olena Marchenko covers Kyiv and central Ukraine: city politics, infrastructure "
            "and the daily life of a capital under pressure.\n\n"
            "Before joining Newsroom she spent six years at a regional daily in Poltava, "
            "where she ran its investigations desk and reported on local procurement.\n\n"
            "She studied journalism at Taras Shevchenko National University and speaks "
            "Ukrainian, English and Polish."
        ),
        "website": "https://olenamarchenko.example/",
        "email": "olena.marchenko@example.com",
        "social_links": (
            "https://mastodon.social/@olena_marchenko_demo\n"
            "https://bsky.app/profile/olenamarchenko-demo.bsky.social"
        ),
        "colour": (37, 99, 155),
    },
    {
        "slug": "daniel-okafor",
        "name": "Daniel Okafor",
        "job_title": "Business editor",
        "bio": (
            "Daniel Okafor leads the business desk, with a focus on trade, energy markets "
            "and how economic policy reaches household budgets.\n\n"
            "He previously reported on commodities from London and Lagos, and still keeps "
            "a spreadsheet of grain prices going back to 2012."
        ),
        "website": "https://danielokafor.example/",
        "email": "daniel.okafor@example.com",
        "social_links": (
            "https://www.linkedin.com/in/daniel-okafor-newsroom-demo\n"
            "https://bsky.app/profile/dokafor-demo.bsky.social"
        ),
        "colour": (178, 84, 38),
    },
    {
        "slug": "ingrid-halvorsen",
        "name": "Ingrid Halvorsen",
        "job_title": "Science and climate writer",
        "bio": (
            "Ingrid Halvorsen writes about climate research, energy technology and the "
            "scientists behind the headlines.\n\n"
            "Trained as a glaciologist, she spent two field seasons in Svalbard before "
            "swapping ice cores for interviews.\n\n"
            "Her explainers on heat pumps and power grids are among the most read pieces "
            "on the site."
        ),
        "website": "https://ingridhalvorsen.example/",
        "email": "ingrid.halvorsen@example.com",
        "social_links": "https://fediscience.org/@ingrid_halvorsen_demo",
        "colour": (46, 125, 87),
    },
    {
        "slug": "tomas-rivera",
        "name": "Tomás Rivera",
        "job_title": "Politics and culture reporter",
        "bio": (
            "Tomás Rivera reports on parliaments and on the arts, two beats he insists "
            "have more in common than people think.\n\n"
            "He has covered elections in nine countries and reviewed more plays than he "
            "can remember. He lives in Kyiv with two cats and too many books."
        ),
        "website": "https://tomasrivera.example/",
        "email": "tomas.rivera@example.com",
        "social_links": (
            "https://mastodon.social/@tomas_rivera_demo\n"
            "https://www.linkedin.com/in/tomas-rivera-newsroom-demo"
        ),
        "colour": (128, 52, 120),
    },
]

# Demo staff: username → (first name, last name, group, superuser?).
USERS = [
    ("admin", "Ada", "Admin", None, True),
    ("editor", "Erin", "Walsh", "Editors", False),
    ("writer", "Olena", "Marchenko", "Writers", False),
    ("moderator", "Sam", "Patel", "Moderators", False),
]
WRITER_AUTHOR_SLUG = "olena-marchenko"

IMAGE_CREDIT = "Illustration: Newsroom demo"

# Each article: "age" is how long ago it was published; "scheduled" / "draft" instead.
ARTICLES = [
    {
        "slug": "kyiv-metro-keeps-running-as-power-cuts-return",
        "title": "Kyiv's metro keeps running as scheduled power cuts return",
        "dek": "The underground runs on a protected supply line, and this winter it is once "
        "again a warm, lit refuge for residents waiting out blackouts.",
        "section": "world",
        "tags": ["Ukraine", "Kyiv", "Energy", "Infrastructure"],
        "authors": ["olena-marchenko"],
        "age": timedelta(hours=3),
        "image_alt": "Illustration: layered blue hills under a pale winter dawn.",
        "image_caption": "Winter mornings in Kyiv begin with a check of the outage schedule.",
        "palette": 0,
        "body": """
<p>Scheduled power cuts returned to most districts of Kyiv this week after renewed strikes on
generating plants, but the city's metro kept running on its own protected supply, officials
said on Tuesday.</p>
<p>Trains ran every five to seven minutes on all three lines during the evening peak, and
station lobbies stayed open late for residents who wanted to charge phones or simply wait out
the blackout somewhere warm.</p>
<h2>Stations as shelters</h2>
<p>Staff said the busiest stations took in several hundred extra visitors an hour during
outages, many of them parents with young children. Volunteers set up tables with tea and
power banks near the exits. One station supervisor put it simply:</p>
<blockquote><p>“People come in for the light as much as for the trains. For an hour they can
read, work, or just talk to someone.”</p></blockquote>
<p>Surface transport fared worse: several trolleybus routes were replaced by diesel buses for
parts of the day, and some junctions ran on battery-powered traffic lights.</p>
<p>The city administration asked residents to check the schedule it publishes each morning
and to keep a charged lamp at home, warning that times can change at short notice.</p>
""",
    },
    {
        "slug": "eu-lawmakers-back-labels-for-online-political-ads",
        "title": "EU lawmakers back tighter labelling rules for online political ads",
        "dek": "A parliamentary committee wants every paid political message to say who paid, "
        "how much, and why you are seeing it.",
        "section": "politics",
        "tags": ["European Union", "Elections", "Regulation"],
        "authors": ["tomas-rivera"],
        "source": "deutsche-welle",
        "source_url": "https://www.dw.com/en/eu-committee-political-ads-labels/a-70412233",
        "age": timedelta(hours=20),
        "image_alt": "Illustration: violet ridges beneath a dusky pink sky.",
        "image_caption": "Campaigns spend a growing share of their budgets on targeted ads.",
        "palette": 1,
        "body": """
<p>A European Parliament committee on Wednesday backed stricter rules for online political
advertising, sending the proposal to a plenary vote expected next month.</p>
<p>The draft would require platforms to attach a clear label to every paid political message,
with a link to a public record of the sponsor and the amount spent.</p>
<h2>What would change</h2>
<ul>
<li>Ads must name who paid for them and which election or referendum they concern.</li>
<li>Targeting based on religion, ethnicity or sexual orientation would be banned.</li>
<li>Sponsors from outside the EU could not buy political ads in the three months before a
vote.</li>
</ul>
<p>Supporters say the rules close gaps exposed by recent campaigns. Several industry groups
argued that the definition of a “political” ad remains too broad and could sweep up ordinary
advocacy by charities.</p>
<p>If the plenary approves the text, negotiations with member states could begin before the
end of the year.</p>
""",
    },
    {
        "slug": "grain-exporters-turn-to-danube-ports",
        "title": "Grain exporters turn to Danube ports as Black Sea insurance costs climb",
        "dek": "River terminals are running at record capacity as shippers look for cheaper "
        "routes, but dredging and lock queues are starting to bite.",
        "section": "business",
        "tags": ["Trade", "Agriculture", "Shipping", "Ukraine"],
        "authors": ["daniel-okafor", "olena-marchenko", "tomas-rivera"],
        "source": "reuters",
        "source_url": "https://www.reuters.com/markets/commodities/"
        "grain-exporters-turn-danube-ports-insurance-costs-climb/",
        "age": timedelta(days=1, hours=6),
        "updated_after": timedelta(hours=4),
        "image_alt": "Illustration: golden fields rolling towards an orange sunset.",
        "image_caption": "Harvest-season queues at river terminals have grown for a third month.",
        "palette": 2,
        "body": """
<p>Ukrainian grain exporters are shipping a growing share of their cargo through river ports
on the Danube, as war-risk insurance premiums for Black Sea voyages climbed again this
month.</p>
<p>Terminal operators in Izmail and Reni said they were handling close to their full capacity,
with barges waiting up to four days for a berth.</p>
<h2>Cheaper, but slower</h2>
<p>Traders said the river route adds time and handling costs, but that the difference in
insurance can outweigh both for smaller cargoes. One freight broker estimated the saving at
several dollars a tonne on a typical shipment of wheat.</p>
<blockquote><p>“Nobody chooses the Danube because it is fast. They choose it because the numbers
work this season.”</p></blockquote>
<p>The bottleneck is now the river itself. Low water in late autumn has limited how deeply
barges can be loaded, and port authorities have asked for emergency dredging funds.</p>
<p>Analysts expect the shift to ease if insurance costs fall, but several exporters said they
plan to keep some volume on the river to spread their risk.</p>
""",
    },
    {
        "slug": "researchers-map-meltwater-channels-beneath-greenland-glacier",
        "title": "Researchers map hidden meltwater channels beneath a Greenland glacier",
        "dek": "Radar surveys reveal a branching network of tunnels that may help explain why "
        "the glacier speeds up in late summer.",
        "section": "science",
        "tags": ["Climate", "Arctic", "Research"],
        "authors": ["ingrid-halvorsen"],
        "age": timedelta(days=2, hours=4),
        "image_alt": "Illustration: icy turquoise slopes under a cold, clear sky.",
        "image_caption": "Meltwater that reaches the bed of a glacier can act as a lubricant.",
        "palette": 3,
        "body": """
<p>A team of glaciologists has produced the most detailed map yet of the meltwater channels
running beneath a fast-moving glacier in western Greenland, using radar flown from a small
aircraft over two summers.</p>
<p>The survey found a branching network of tunnels, some wider than a city street, that carry
surface meltwater down to the bedrock and out towards the sea.</p>
<h2>Why it matters</h2>
<p>Water at the base of a glacier can reduce friction and let the ice slide faster. The
researchers found that the network becomes less efficient late in the season, trapping water
under higher pressure just as the glacier's speed peaks.</p>
<p>“We can now see the plumbing rather than guess at it,” the study's lead author said.
“That matters for every model that tries to predict how much ice Greenland will lose.”</p>
<p>The team plans a third season of flights next year to test whether the pattern repeats.</p>
""",
    },
    {
        "slug": "volunteers-reopen-century-old-riverside-cinema",
        "title": "Volunteers bring a century-old riverside cinema back to life",
        "dek": "Closed for fifteen years, the Zoria reopened on Friday with a sold-out screening "
        "and a restored organ nobody in town had heard play.",
        "section": "culture",
        "tags": ["Film", "Heritage", "Ukraine"],
        "authors": ["tomas-rivera", "olena-marchenko"],
        "age": timedelta(days=3, hours=2),
        "image_alt": "Illustration: warm amber hills beneath a glowing evening sun.",
        "image_caption": "The Zoria's first screening in fifteen years sold out in an hour.",
        "palette": 4,
        "body": """
<p>When the lights went down in the Zoria cinema on Friday night, it was the first time in
fifteen years that a film had been shown in the building, a 1920s hall on the riverfront that
had been used as a warehouse since its closure.</p>
<p>The restoration took three years and was carried out almost entirely by volunteers, who
raised money through concerts, a crowdfunding campaign and the sale of the old seats.</p>
<h2>An organ with a past</h2>
<p>The biggest surprise was the cinema's silent-film organ, found in pieces under the stage.
A retired piano tuner spent eighteen months rebuilding it.</p>
<blockquote><p>“Half the pipes were in a cellar in the next street. We found the rest one by
one.”</p></blockquote>
<p>The Zoria will show films four nights a week and host concerts at weekends. Organisers say
the first month of screenings is already fully booked.</p>
""",
    },
    {
        "slug": "small-lenders-tighten-credit-as-rates-hold",
        "title": "Small lenders tighten credit even as the central bank holds rates",
        "dek": "Borrowers report stricter checks and smaller loans, a sign that banks expect a "
        "harder winter than official forecasts suggest.",
        "section": "business",
        "tags": ["Economy", "Banking", "Interest rates"],
        "authors": ["daniel-okafor"],
        "age": timedelta(days=4, hours=7),
        "image_alt": "Illustration: grey-green hills fading into a misty sky.",
        "image_caption": "Small businesses say loan approvals now take weeks, not days.",
        "palette": 5,
        "body": """
<p>Smaller banks and credit unions have tightened lending standards over the past quarter,
according to a survey of loan officers published on Monday, even though the central bank has
left its key interest rate unchanged since the summer.</p>
<p>More than a third of the lenders surveyed said they now demand more collateral from small
businesses, and a quarter reported cutting the maximum size of consumer loans.</p>
<h2>Reading the signals</h2>
<p>Economists said the gap between official policy and bank behaviour suggests lenders expect
more defaults this winter, particularly among firms exposed to energy costs.</p>
<ul>
<li>Approval times for small-business loans rose to an average of 19 days.</li>
<li>Mortgage lending was broadly stable.</li>
<li>Demand for short-term credit lines rose sharply in October.</li>
</ul>
<p>The central bank is due to publish its next financial stability report in December.</p>
""",
    },
    {
        "slug": "heat-pumps-cut-apartment-heating-bills-in-pilot",
        "title": "Heat pumps cut apartment heating bills by a third in pilot trial",
        "dek": "A two-winter trial in ten Soviet-era blocks found large savings, once the "
        "buildings were insulated first.",
        "section": "science",
        "tags": ["Energy", "Climate", "Housing"],
        "authors": ["ingrid-halvorsen", "daniel-okafor"],
        "source": "deutsche-welle",
        "source_url": "https://www.dw.com/en/heat-pumps-apartment-blocks-pilot-trial/a-70355120",
        "age": timedelta(days=5, hours=3),
        "image_alt": "Illustration: deep blue ridges under a bright teal sky.",
        "image_caption": "The trial buildings were insulated before the heat pumps went in.",
        "palette": 0,
        "body": """
<p>Residents of ten apartment blocks built in the 1970s paid on average 34 percent less for
heating after their buildings switched from a district boiler to shared heat pumps, according
to results of a two-winter pilot trial released this week.</p>
<p>The savings depended heavily on insulation. Blocks that received new windows and wall
insulation before the switch saw the largest reductions; in the two that did not, bills fell
by less than ten percent.</p>
<h2>Insulate first</h2>
<p>“The heat pump is the last step, not the first,” said an engineer who monitored the
trial. “If you skip the insulation you end up buying a bigger pump to heat the street.”</p>
<p>Upfront costs remain the main obstacle: the retrofit cost roughly the equivalent of eight
years of heating bills per flat, most of it covered by grants in the pilot.</p>
<p>The city now plans to extend the programme to forty more buildings, subject to funding.</p>
""",
    },
    {
        "slug": "moldovan-border-towns-prepare-for-winter",
        "title": "Moldovan border towns prepare for a winter influx",
        "dek": "Reception centres are stocking generators and blankets in case blackouts in "
        "Ukraine push more families across the border.",
        "section": "world",
        "tags": ["Moldova", "Refugees", "Humanitarian aid"],
        "authors": ["olena-marchenko"],
        "source": "kyiv-post",
        "source_url": "https://www.kyivpost.com/post/41827",
        "age": timedelta(days=6, hours=9),
        "image_alt": "Illustration: dusky purple hills beneath a rose-coloured sky.",
        "image_caption": "Reception centres near the border have added beds for the winter.",
        "palette": 1,
        "body": """
<p>Towns along Moldova's border with Ukraine are preparing for a possible rise in arrivals this
winter, as repeated attacks on Ukraine's power grid raise the prospect of long blackouts in the
southern regions.</p>
<p>Local officials said reception centres had added several hundred beds since September and
were stocking generators, fuel and winter clothing.</p>
<h2>Lessons from the first winter</h2>
<p>Aid workers said the response is better organised than in 2022, when volunteers and church
groups carried most of the load. Registration is now handled at the crossing, and families are
offered transport to larger towns within hours.</p>
<p>“We are not expecting the numbers we saw then,” a regional coordinator said. “But we would
rather have empty beds than people sleeping in cars.”</p>
<p>Moldova currently hosts more than 100,000 people who fled the war.</p>
""",
    },
    {
        "slug": "parliament-votes-to-open-procurement-data",
        "title": "Parliament votes to open public procurement data to everyone",
        "dek": "The law requires every public contract above a small threshold to be published "
        "in full, in a machine-readable format, within five days.",
        "section": "politics",
        "tags": ["Transparency", "Anti-corruption", "Ukraine"],
        "authors": ["tomas-rivera"],
        "source": "kyiv-post",
        "source_url": "https://www.kyivpost.com/post/41562",
        "age": timedelta(days=8, hours=1),
        "image_alt": "Illustration: golden ridges layered against a warm haze.",
        "image_caption": "Anti-corruption groups had campaigned for the change for years.",
        "palette": 2,
        "body": """
<p>Parliament on Thursday passed a law requiring public bodies to publish every contract worth
more than a modest threshold, together with its amendments and payment records, in an open,
machine-readable format.</p>
<p>The bill passed with a wide majority after a late amendment removed an exemption for
state-owned companies that had drawn criticism from anti-corruption groups.</p>
<h2>What is covered</h2>
<ul>
<li>Contracts, annexes and every later change to their price or terms.</li>
<li>Payments made under each contract, updated monthly.</li>
<li>The names of companies' ultimate owners, where known.</li>
</ul>
<p>Transparency campaigners welcomed the vote but warned that enforcement will depend on the
agency responsible for the register, whose budget has not yet been increased.</p>
""",
    },
    {
        "slug": "independent-bookshops-report-strongest-autumn",
        "title": "Independent bookshops report their strongest autumn in a decade",
        "dek": "Readings, book clubs and a boom in translated fiction are bringing customers "
        "back through the door.",
        "section": "culture",
        "tags": ["Books", "Retail"],
        "authors": ["tomas-rivera", "daniel-okafor"],
        "age": timedelta(days=9, hours=5),
        "image_alt": "Illustration: amber fields below a soft orange sky.",
        "image_caption": "Evening readings have become a weekly fixture in many shops.",
        "palette": 4,
        "body": """
<p>Independent bookshops had their best autumn in ten years, according to figures from a
booksellers' association, with sales up by a fifth compared with the same period last
year.</p>
<p>Owners credited events as much as books. Many shops now host readings, children's story
hours and book clubs several evenings a week.</p>
<h2>Translated fiction leads</h2>
<p>Translated novels were the fastest-growing category, helped by a string of prize-winning
titles and by readers looking beyond the bestseller lists.</p>
<blockquote><p>“People want a place to talk about books, not just a place to buy them.”</p>
</blockquote>
<p>The association cautioned that rising rents remain a threat, and that two shops closed in
the same period despite strong sales.</p>
""",
    },
    {
        "slug": "explainer-household-energy-subsidy",
        "title": "Explainer: how the new household energy subsidy will work",
        "dek": "Who qualifies, how much it is worth and when the first payments arrive: the "
        "answers to readers' most common questions.",
        "section": "business",
        "tags": ["Energy", "Economy", "Explainer"],
        "authors": ["daniel-okafor", "ingrid-halvorsen"],
        "scheduled": timedelta(days=2),
        "image_alt": "Illustration: teal hills under a clear blue sky.",
        "image_caption": "The subsidy is paid directly against household energy bills.",
        "palette": 3,
        "body": """
<p>The government's new household energy subsidy starts next month. Here is what we know so
far about who will receive it and how.</p>
<h2>Who qualifies?</h2>
<p>Households whose energy bills exceed a set share of their income will qualify
automatically, based on tax and utility records. Others can apply online or at a local
social services office.</p>
<h2>How much is it worth?</h2>
<ul>
<li>A fixed monthly credit on the electricity bill for every eligible household.</li>
<li>A larger credit for homes heated with electricity.</li>
<li>An extra payment for households with a member who depends on medical equipment.</li>
</ul>
<h2>When will it arrive?</h2>
<p>The first credits will appear on bills issued at the start of next month. Households that
apply later will receive back payments for the months they missed.</p>
""",
    },
    {
        "slug": "danube-towns-race-to-finish-flood-barriers",
        "title": "Danube towns race to finish flood barriers before spring",
        "dek": "Two years after record floods, several towns are still waiting for the defences "
        "they were promised.",
        "section": "world",
        "tags": ["Floods", "Infrastructure", "Climate"],
        "authors": ["olena-marchenko"],
        "draft": True,
        "image_alt": "Illustration: misty grey-green hills at first light.",
        "image_caption": "Work on the embankment has resumed after a summer pause.",
        "palette": 5,
        "body": """
<p>Work crews in three Danube towns are racing to finish new flood barriers before the spring
thaw, two years after record floods damaged hundreds of homes along the river.</p>
<p>Local officials say funding delays and a shortage of contractors pushed the projects months
behind schedule.</p>
<h2>Still to check</h2>
<p>[Waiting for figures from the regional water agency on how much of the embankment is
complete.]</p>
<p>Residents in the lowest streets say they will keep sandbags at home until the barriers are
finished.</p>
""",
    },
]

# Reader comments (original text): published threads, and a moderation queue to try out with
# the moderator account. Held and spam comments carry reasons worded as the moderation rules
# word them. "parent" names an earlier comment's key; "after" is the time since publication.
METRO = "kyiv-metro-keeps-running-as-power-cuts-return"
GRAIN = "grain-exporters-turn-to-danube-ports"
COMMENTS = [
    {
        "key": "metro-red-line",
        "article": METRO,
        "name": "Iryna Sydorenko",
        "email": "iryna.sydorenko@example.org",
        "body": "I take the red line every morning and the stations really are warmer than "
        "most offices right now.\n\nThe station staff deserve more credit than they get.",
        "status": Comment.Status.APPROVED,
        "after": timedelta(hours=2),
    },
    {
        "key": "metro-blue-line",
        "parent": "metro-red-line",
        "article": METRO,
        "name": "Mark Daniels",
        "email": "mark.daniels@example.net",
        "website": "https://example.net/mark",
        "body": "Same on the blue line. Someone at the end of the platform was handing out "
        "tea at seven in the morning.",
        "status": Comment.Status.APPROVED,
        "after": timedelta(hours=3),
    },
    {
        "key": "metro-trolleybus",
        "article": METRO,
        "name": "Kateryna Bondar",
        "email": "kateryna.bondar@example.com",
        "body": "Does anyone know whether the trolleybus routes will come back before January?",
        "status": Comment.Status.APPROVED,
        "after": timedelta(hours=5),
    },
    {
        "key": "metro-map",
        "article": METRO,
        "name": "Dmytro Koval",
        "email": "dmytro.koval@example.com",
        "body": "Good piece. A map of the stations that stay open overnight would help.",
        "status": Comment.Status.PENDING,
        "reasons": ["first-time commenter"],
        "after": timedelta(hours=6),
    },
    {
        "key": "metro-schedules",
        "parent": "metro-trolleybus",
        "article": METRO,
        "name": "Oleh Tkachenko",
        "email": "oleh.tkachenko@example.org",
        "body": "The outage schedules are posted at https://example.org/schedules and "
        "https://example.com/outages, updated every morning.",
        "status": Comment.Status.PENDING,
        "reasons": ["2 links (limit 2)", "first-time commenter"],
        "after": timedelta(hours=7),
    },
    {
        "key": "metro-generators",
        "article": METRO,
        "name": "Best Generator Deals",
        "email": "deals@spam.example",
        "website": "https://spam.example/",
        "body": "CHEAP GENERATORS!!! Free delivery today only, visit our shop now.",
        "status": Comment.Status.SPAM,
        "reasons": ["hidden honeypot field filled in", "first-time commenter"],
        "after": timedelta(hours=8),
    },
    {
        "key": "grain-locks",
        "article": GRAIN,
        "name": "Ana Popescu",
        "email": "ana.popescu@example.com",
        "body": "Galați has been busy all autumn; the queues at the locks stretch for days.",
        "status": Comment.Status.APPROVED,
        "after": timedelta(hours=4),
    },
    {
        "key": "grain-insurers",
        "parent": "grain-locks",
        "article": GRAIN,
        "name": "Viktor Hale",
        "email": "viktor.hale@example.net",
        "body": "Do the insurers publish their war-risk rates anywhere, or is it all private?",
        "status": Comment.Status.PENDING,
        "reasons": ["first-time commenter"],
        "after": timedelta(hours=9),
    },
]

# Sky top, sky bottom / haze, near hills, sun.
PALETTES = [
    ((22, 48, 92), (168, 196, 222), (18, 38, 66), (250, 236, 200)),
    ((58, 30, 82), (236, 170, 180), (40, 22, 52), (255, 214, 170)),
    ((236, 120, 60), (252, 214, 140), (92, 62, 28), (255, 246, 210)),
    ((40, 110, 150), (196, 232, 236), (20, 70, 84), (255, 255, 240)),
    ((120, 46, 32), (246, 176, 96), (60, 28, 24), (255, 230, 160)),
    ((84, 100, 96), (208, 214, 200), (40, 56, 50), (240, 240, 224)),
]


def _mix(a: tuple, b: tuple, t: float) -> tuple:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def landscape_jpeg(seed: str, palette: int, size: tuple[int, int] = (1600, 900)) -> bytes:
    """An abstract landscape: gradient sky, a soft sun, layered hills. Same seed, same image."""
    rng = random.Random(seed)
    width, height = size
    sky_top, haze, near, sun = PALETTES[palette % len(PALETTES)]

    mask = Image.linear_gradient("L").resize(size)  # black at the top, white at the bottom
    image = Image.composite(Image.new("RGB", size, haze), Image.new("RGB", size, sky_top), mask)

    glow = Image.new("RGB", size, (0, 0, 0))
    sun_x, sun_y = rng.uniform(0.2, 0.8) * width, rng.uniform(0.22, 0.42) * height
    radius = height * rng.uniform(0.07, 0.1)
    ImageDraw.Draw(glow).ellipse(
        (sun_x - radius * 2.2, sun_y - radius * 2.2, sun_x + radius * 2.2, sun_y + radius * 2.2),
        fill=_mix((0, 0, 0), sun, 0.35),
    )
    glow = glow.filter(ImageFilter.GaussianBlur(radius * 0.9)).convert("L")
    image = Image.composite(Image.new("RGB", size, sun), image, glow)
    draw = ImageDraw.Draw(image)
    draw.ellipse((sun_x - radius, sun_y - radius, sun_x + radius, sun_y + radius), fill=sun)

    layers = 4
    for layer in range(layers):
        depth = (layer + 1) / layers
        colour = _mix(haze, near, 0.25 + 0.75 * depth)
        base = height * (0.5 + 0.11 * layer)
        waves = [
            (rng.uniform(0.5, 3.0), rng.uniform(0, math.tau), rng.uniform(12, 55) * (1.2 - depth))
            for _ in range(3)
        ]
        points = [(0, height)]
        for x in range(0, width + 20, 20):
            y = base + sum(
                amp * math.sin(freq * math.tau * x / width + phase) for freq, phase, amp in waves
            )
            points.append((x, y))
        points.append((width, height))
        draw.polygon(points, fill=colour)

    output = io.BytesIO()
    image.save(output, "JPEG", quality=85, optimize=True, progressive=True)
    return output.getvalue()


def initials_portrait_jpeg(name: str, colour: tuple, size: int = 600) -> bytes:
    """A square portrait placeholder: the author's initials on a coloured background."""
    initials = "".join(part[0] for part in name.split()[:2]).upper()
    # A diagonal gradient: rotate a larger one and keep its middle, so no corner is empty.
    mask = Image.linear_gradient("L").resize((size * 2, size * 2))
    mask = mask.rotate(45, resample=Image.Resampling.BICUBIC)
    mask = mask.crop((size // 2, size // 2, size // 2 + size, size // 2 + size))
    image = Image.composite(
        Image.new("RGB", (size, size), _mix(colour, (0, 0, 0), 0.3)),
        Image.new("RGB", (size, size), _mix(colour, (255, 255, 255), 0.15)),
        mask,
    )
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=round(size * 0.4))
    draw.text((size / 2, size / 2), initials, font=font, fill=(255, 255, 255), anchor="mm")
    output = io.BytesIO()
    image.save(output, "JPEG", quality=90, optimize=True)
    return output.getvalue()


def has_file(field_file) -> bool:
    """The field names a file and the file is really there (media may have been wiped)."""
    return bool(field_file) and field_file.storage.exists(field_file.name)


class Command(BaseCommand):
    help = (
        "Load demo sections, sources, authors, articles and staff accounts. Safe to run "
        "repeatedly: existing objects are left as they are."
    )

    def handle(self, *args, **options):
        self.counts = {}  # kind → [created, already present], in order of first appearance
        self.added = Counter()  # things added to existing objects: images, tags, permissions
        self.saved_files = []
        try:
            with transaction.atomic():
                self.load()
        except BaseException:
            # The database rolled back; don't leave the images of the failed run behind.
            for storage, name in self.saved_files:
                storage.delete(name)
            raise
        self.report()

    # Loading ---------------------------------------------------------------------------

    def tally(self, kind: str, created: bool) -> None:
        self.counts.setdefault(kind, [0, 0])[0 if created else 1] += 1

    def save_image(self, field_file, name: str, data: bytes) -> None:
        field_file.save(name, ContentFile(data), save=True)
        self.saved_files.append((field_file.storage, field_file.name))

    def load(self) -> None:
        now = timezone.now()
        groups = self.load_groups()
        users = self.load_users(groups)
        sections = self.load_sections()
        sources = self.load_sources()
        authors = self.load_authors(users["writer"])
        self.load_articles(now, sections, sources, authors, users["editor"])
        self.load_comments(now)

    def load_groups(self) -> dict[str, Group]:
        return ensure_role_groups()  # the same lists the migrations grant

    def load_users(self, groups: dict[str, Group]) -> dict:
        User = get_user_model()
        users = {}
        for username, first_name, last_name, group_name, superuser in USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first_name,
                    "last_name": last_name,
                    "email": f"{username}@example.com",
                    "is_staff": True,
                    "is_superuser": superuser,
                },
            )
            if created:
                # Only on creation: someone may have changed the password since.
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            self.tally("Users", created)
            if group_name:
                user.groups.add(groups[group_name])
            users[username] = user
        return users

    def load_sections(self) -> dict[str, Section]:
        sections = {}
        for position, data in enumerate(SECTIONS, start=1):
            section, created = Section.objects.get_or_create(
                slug=data["slug"],
                defaults={
                    "name": data["name"],
                    "description": data["description"],
                    "position": position * 10,
                },
            )
            self.tally("Sections", created)
            sections[section.slug] = section
        return sections

    def load_sources(self) -> dict[str, Source]:
        sources = {}
        for data in SOURCES:
            source, created = Source.objects.get_or_create(
                slug=data["slug"],
                defaults={k: data[k] for k in ("name", "homepage", "description")},
            )
            self.tally("Sources", created)
            sources[source.slug] = source
        return sources

    def load_authors(self, writer) -> dict[str, Author]:
        authors = {}
        for data in AUTHORS:
            fields = ("name", "job_title", "bio", "website", "email", "social_links")
            author, created = Author.objects.get_or_create(
                slug=data["slug"], defaults={k: data[k] for k in fields}
            )
            self.tally("Authors", created)
            if not has_file(author.photo):
                data_bytes = initials_portrait_jpeg(author.name, data["colour"])
                self.save_image(author.photo, f"{author.slug}.jpg", data_bytes)
                self.added["Author photos"] += 1
            if (
                author.slug == WRITER_AUTHOR_SLUG
                and author.user_id is None
                and not Author.objects.filter(user=writer).exists()
            ):
                author.user = writer
                author.save(update_fields=["user"])
            authors[author.slug] = author
        return authors

    def load_articles(self, now, sections, sources, authors, editor) -> None:
        for data in ARTICLES:
            if data.get("draft"):
                status, published_at = Article.Status.DRAFT, None
            elif "scheduled" in data:
                status, published_at = Article.Status.PUBLISHED, now + data["scheduled"]
            else:
                status, published_at = Article.Status.PUBLISHED, now - data["age"]
            source = sources[data["source"]] if data.get("source") else None
            article, created = Article.objects.get_or_create(
                slug=data["slug"],
                defaults={
                    "title": data["title"],
                    "dek": data["dek"],
                    "body": data["body"].strip(),
                    "section": sections[data["section"]],
                    "source": source,
                    "source_url": data.get("source_url", ""),
                    "status": status,
                    "published_at": published_at,
                    "created_by": editor,
                    "updated_by": editor,
                },
            )
            self.tally("Articles", created)

            for position, author_slug in enumerate(data["authors"]):
                _, byline_created = Byline.objects.get_or_create(
                    article=article, author=authors[author_slug], defaults={"position": position}
                )
                self.tally("Bylines", byline_created)

            if not article.tags.exists():
                article.tags.add(*data["tags"])
                self.added["Articles tagged"] += 1

            if article.image is None:
                # Found again by title and credit, so a run after the image was taken off
                # the article does not add a second copy to the library.
                image, image_created = LibraryImage.objects.get_or_create(
                    title=data["title"],
                    credit=IMAGE_CREDIT,
                    defaults={
                        "alt_text": data["image_alt"],
                        "caption": data["image_caption"],
                        "uploaded_by": editor,
                    },
                )
                self.tally("Library images", image_created)
                article.image = image
                Article.objects.filter(pk=article.pk).update(image=image)
                if not created:
                    self.added["Featured images"] += 1
            if not has_file(article.image.file):
                picture = landscape_jpeg(article.slug, data["palette"])
                self.save_image(article.image.file, f"{article.slug[:60]}.jpg", picture)
                self.added["Image files"] += 1

            if created and published_at and published_at < now:
                # Look as if written shortly before publication, not as edited just now
                # (templates show "Updated" when updated_at is well after published_at).
                updated_at = published_at + data.get("updated_after", timedelta(0))
                Article.objects.filter(pk=article.pk).update(
                    created_at=published_at - timedelta(hours=2), updated_at=updated_at
                )

            if not article.revisions.exists():
                # The first revision, as the admin stores on every save: without it an
                # editor's first change would leave the demo text nowhere in the history.
                article.refresh_from_db()
                revision = revisions.record_revision(article, actor=editor)
                ArticleRevision.objects.filter(pk=revision.pk).update(
                    created_at=min(article.updated_at, now)
                )
                self.added["Article revisions"] += 1

    def load_comments(self, now) -> None:
        """Comments as the posting view stores them: threaded, with a "submitted" log entry."""
        by_key: dict[str, Comment] = {}
        articles = Article.objects.in_bulk(
            [data["article"] for data in COMMENTS], field_name="slug"
        )
        for number, data in enumerate(COMMENTS, start=10):
            article = articles.get(data["article"])
            if article is None or not article.is_published:
                continue  # an editor deleted or unpublished the demo article: leave it be
            parent = by_key.get(data.get("parent", ""))
            # Found again by commenter, not by text: moderators may edit the text.
            comment, created = Comment.objects.get_or_create(
                article=article,
                email=data["email"],
                defaults={
                    "body": data["body"],
                    "parent": parent,
                    "name": data["name"],
                    "website": data.get("website", ""),
                    "status": data["status"],
                    "hold_reasons": data.get("reasons", []),
                    # One address each (TEST-NET-1, kept for documentation), so blocking
                    # the demo spammer blocks nobody else.
                    "ip_address": f"192.0.2.{number}",
                    "user_agent": "Mozilla/5.0 (demo)",
                },
            )
            self.tally("Comments", created)
            by_key[data["key"]] = comment
            if not created:
                continue
            submitted_at = min(article.published_at + data["after"], now)
            Comment.objects.filter(pk=comment.pk).update(submitted_at=submitted_at)
            entry = ModerationLogEntry.objects.create(
                comment=comment,
                action="submitted",
                to_status=comment.status,
                reason="; ".join(comment.hold_reasons),
            )
            ModerationLogEntry.objects.filter(pk=entry.pk).update(created_at=submitted_at)

    # Reporting -------------------------------------------------------------------------

    def report(self) -> None:
        nothing_new = not self.added and not any(c for c, _ in self.counts.values())
        if nothing_new:
            self.stdout.write(
                self.style.SUCCESS("Demo content already present: nothing created or changed.")
            )
        else:
            self.stdout.write(self.style.SUCCESS("Demo content loaded."))
        for kind, (created, present) in self.counts.items():
            self.stdout.write(f"  {kind}: {created} created, {present} already present")
        for kind, added in self.added.items():
            self.stdout.write(f"  {kind}: {added} added")

        if settings.DEBUG:
            port = os.environ.get("PORT", "8000")
            admin_url = f"http://127.0.0.1:{port}{reverse('admin:index')}"
            self.stdout.write("")
            self.stdout.write(self.style.MIGRATE_HEADING(f"Demo logins for {admin_url}"))
            for username, _first, _last, group_name, superuser in USERS:
                role = "superuser" if superuser else group_name
                self.stdout.write(f"  {username:<10} password: {DEMO_PASSWORD}  ({role})")
            self.stdout.write(
                "  (Passwords are set when the accounts are created; a changed password is kept.)"
            )
        else:
            self.stdout.write(
                "Demo accounts: admin, editor, writer, moderator. "
                "Passwords are not shown because DEBUG is off."
            )
