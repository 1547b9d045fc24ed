"""``topic-alert check``: what a person sees when trying a rule on some feeds."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

import rules
from bot.cli import main
from tests.support.channel_preview import ChannelServer, post
from tests.support.feeds_samples import rss
from tests.support.local_hosts import LOCAL_FETCH_TOML
from tests.support.pipeline_env import STORY, item

DEAL = "Israel and Azerbaijan sign a gas deal"
DEAL_SUMMARY = (
    "Signed in Baku. "
    "Israeli President Isaac Herzog landed in Baku for talks on energy and security."
)


@pytest.fixture
def local_config(tmp_path: Path) -> str:
    """A config file that lets ``check`` fetch from the test's local server."""
    path = tmp_path / "local.toml"
    path.write_text(LOCAL_FETCH_TOML, encoding="utf-8")
    return str(path)


@pytest.fixture
def feed_file(tmp_path: Path) -> Path:
    path = tmp_path / "world.xml"
    items = [
        item("a1", DEAL, link="https://news.example.org/deal", text="Signed in Baku. " + STORY),
        item("a2", "Weather in Oslo", text="Rain all week. " * 30),
    ]
    items[0]["pubDate"] = "Sun, 28 May 2023 15:05:00 GMT"
    path.write_bytes(rss(items, title="World Desk"))
    return path


def test_prints_each_match_with_why(feed_file: Path, capsys) -> None:
    status = main(["check", "Israel + Baku", "--feed", str(feed_file)])

    out = capsys.readouterr().out.splitlines()
    assert status == 0
    assert out == [
        DEAL,
        "  https://news.example.org/deal",
        "  World Desk · 2023-05-28 15:05 UTC",
        "  matched: Israel [title], Baku [text]",
        f"  {DEAL_SUMMARY}",
        "",
        "1 of 2 articles match Israel + Baku",
    ]


def test_a_text_that_repeats_itself_or_lists_names_still_gets_a_summary(
    tmp_path: Path, capsys
) -> None:
    """Such texts look like furniture line by line (captions printed twice, a menu), and
    used to leave their alerts with no summary at all."""
    said = "The ministers of Israel and Azerbaijan met in Baku to sign a water deal."
    names = "Eli Cohen, Jeyhun Bayramov, Isaac Herzog, Ilham Aliyev, Nikol Pashinyan"
    path = tmp_path / "odd.xml"
    items = [
        item("r1", "Water deal", text=f"<p>{said}</p><p>{said}</p><p>{said}</p>"),
        item("n1", "Who was there", text=names),
    ]
    path.write_bytes(rss(items, title="World Desk"))

    main(["check", "Baku | Cohen", "--feed", str(path), "--json"])

    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [record["summary"] for record in records] == [said, names]


def test_json_lines(feed_file: Path, capsys) -> None:
    status = main(["check", "Azerbaijan | Oslo", "--feed", str(feed_file), "--json"])

    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status == 0
    assert records[0] == {
        "title": DEAL,
        "url": "https://news.example.org/deal",
        "source": "World Desk",
        "published": "2023-05-28T15:05:00+00:00",
        "matched": [{"term": "Azerbaijan", "field": "title"}],
        "summary": DEAL_SUMMARY,
    }
    assert records[1]["matched"] == [{"term": "Oslo", "field": "title"}]
    assert len(records) == 2


def test_a_bad_rule_points_at_the_problem(feed_file: Path, capsys) -> None:
    status = main(["check", "Israel + (Baku", "--feed", str(feed_file)])

    with pytest.raises(rules.RuleSyntaxError) as expected:
        rules.compile("Israel + (Baku")
    err = capsys.readouterr().err.splitlines()
    assert status == 2
    assert err == [
        f"topic-alert: bad rule: {expected.value}",
        "  Israel + (Baku",
        "  " + " " * expected.value.position + "^",
    ]


def test_a_failing_feed_is_named_and_the_others_still_print(
    feed_file: Path, httpserver: HTTPServer, local_config: str, capsys
) -> None:
    httpserver.expect_request("/down").respond_with_data("oops", status=500)
    down = httpserver.url_for("/down")
    missing = feed_file.parent / "missing.xml"

    feeds = ["--feed", down, "--feed", str(feed_file), "--feed", str(missing)]
    status = main(["check", "Baku", *feeds, "--config", local_config])

    captured = capsys.readouterr()
    assert status == 2
    assert captured.out.splitlines()[0] == DEAL
    errors = captured.err.splitlines()
    assert errors[0].startswith(f"topic-alert: {down}: ")
    assert "HTTP 500" in errors[0]
    assert errors[1] == f"topic-alert: {missing}: No such file or directory"


def test_feeds_over_http_get_the_full_text_of_teasers(
    httpserver: HTTPServer, local_config: str, capsys
) -> None:
    story = "The pipeline carries gas through the Caspian corridor to Europe. " * 6
    page = f"<html><body><article><h1>Deal</h1><p>{story}</p></article></body></html>"
    httpserver.expect_request("/story").respond_with_data(page, content_type="text/html")
    teaser = item("t1", "A deal", link=httpserver.url_for("/story"), text="Read more.")
    httpserver.expect_request("/feed").respond_with_data(
        rss([teaser]), content_type="application/rss+xml"
    )
    url = httpserver.url_for("/feed")

    local = ["--config", local_config]
    assert main(["check", "Caspian", "--feed", url, "--json", *local]) == 0
    assert main(["check", "Caspian", "--feed", url, "--json", "--no-full-text", *local]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["title"] for line in lines] == ["A deal"]


def test_the_installed_command(feed_file: Path) -> None:
    command = shutil.which("topic-alert", path=str(Path(sys.executable).parent))
    assert command, "install the project (pip install -e .) to get the topic-alert command"

    done = subprocess.run(
        [command, "check", "Azerbaijan", "--feed", str(feed_file), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["title"] for line in done.stdout.splitlines()] == [DEAL]


def test_a_reader_that_leaves_early_ends_it_quietly(feed_file: Path) -> None:
    """``topic-alert check … | head``: the pipe closes before all is written, and the command
    ends as Unix tools do, with no traceback."""
    command = shutil.which("topic-alert", path=str(Path(sys.executable).parent))
    assert command, "install the project (pip install -e .) to get the topic-alert command"
    argv = [command, "check", "Baku | Oslo", "--feed", str(feed_file)]

    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        assert child.stdout is not None
        child.stdout.close()  # the reader is gone before the first line is written
        _, err = child.communicate(timeout=60)

    assert err == b""
    assert child.returncode == 141  # 128 + SIGPIPE, as a shell reports for `… | head`


@pytest.mark.parametrize(
    ("typed", "rule"),
    [(["-Oslo"], "-Oslo"), (["-Oslo", "Baku"], "-Oslo Baku"), (["Baku", "-Oslo"], "Baku -Oslo")],
)
def test_a_rule_that_starts_with_a_dash_gets_a_hint(
    typed: list[str], rule: str, feed_file: Path, capsys
) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["check", *typed, "--feed", str(feed_file)])

    err = capsys.readouterr().err.splitlines()
    assert exit.value.code == 2
    assert err[-3].startswith("topic-alert")
    assert "error: " in err[-3], "argparse's own error comes first"
    assert err[-2:] == [
        'topic-alert: a rule that starts with "-" reads as an option; '
        "put the whole rule last, after --:",
        f"  topic-alert check --feed {feed_file} -- {shlex.quote(rule)}",
    ]


def test_the_command_the_hint_suggests_works(feed_file: Path, capsys) -> None:
    assert main(["check", "--feed", str(feed_file), "--", "-Oslo Baku"]) == 0

    assert capsys.readouterr().out.splitlines()[-1] == "1 of 2 articles match Baku -Oslo"


def test_the_sample_article_summary_skips_the_page_boilerplate(
    tmp_path: Path, capsys, sample_article_text: str
) -> None:
    """The summary a chat would get for the page this project started from."""
    path = tmp_path / "jpost.xml"
    title = "Israel's Herzog to visit Azerbaijan, key ally bordering on Iran"
    path.write_bytes(rss([item("jp", title, text=sample_article_text)], title="JPost"))

    main(["check", "Israel + Azerbaijan", "--feed", str(path), "--json", "--no-full-text"])

    [record] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    summary = record["summary"]
    assert "Herzog will travel to Azerbaijan" in summary
    assert "strengthen the strategic ties between Israel" in summary
    for boilerplate in ("NY Conference", "photo credit", "By LAHAV HARKOV", "Published:"):
        assert boilerplate not in summary
    assert len(summary) <= 400


def test_a_t_me_address_is_checked_as_the_channel_it_names(
    httpserver: HTTPServer, tmp_path: Path, capsys
) -> None:
    channels = ChannelServer(httpserver)
    channels.publish("caspian_wire", "Caspian Wire", [post(1, DEAL), post(2, "Rain in Oslo")])
    config = tmp_path / "channels.toml"
    config.write_text(
        f'{LOCAL_FETCH_TOML}[sources]\ntelegram_preview = "{channels.preview_base}"\n',
        encoding="utf-8",
    )

    status = main(
        ["check", "Israel", "--feed", "https://t.me/caspian_wire", "--config", str(config)]
    )
    out = capsys.readouterr().out.splitlines()

    assert status == 0
    assert out[:2] == [DEAL, "  https://t.me/caspian_wire/1"]
    assert out[-1] == "1 of 2 articles match Israel"
    assert channels.requests == ["/s/caspian_wire"]  # the latest page only
