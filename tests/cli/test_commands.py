"""``topic-alert`` poll-once, feeds, import-opml and export-opml on a real config and database."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

import rules
from bot.cli import main
from bot.feeds.opml import read_opml
from bot.store import Store
from tests.support.daemon_process import reachable_code, start, unprivileged
from tests.support.local_hosts import LOCAL_FETCH_TOML
from tests.support.pipeline_env import FeedServer, item

ROOT = Path(__file__).resolve().parents[2]


def write_config(tmp_path: Path, feeds: list[tuple[str, str]]) -> Path:
    """A config file with these (name, url) feeds and its database in tmp_path."""
    lines = [
        f'[storage]\npath = "{tmp_path / "bot.db"}"\n[polling]\ntimeout = 5\n',
        LOCAL_FETCH_TOML,
    ]
    lines += [f'[[feeds]]\nurl = "{url}"\nname = "{name}"\n' for name, url in feeds]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_poll_once_stores_matches_and_summarises(
    tmp_path: Path, server: FeedServer, httpserver: HTTPServer, capsys
) -> None:
    world = server.publish("/world", [item("a1", "Old news from Baku")])
    httpserver.expect_request("/down").respond_with_data("oops", status=500)
    config = write_config(tmp_path, [("World", world), ("Down", httpserver.url_for("/down"))])

    assert main(["poll-once", "--config", str(config)]) == 0
    store = Store.open(tmp_path / "bot.db")
    store.add_subscription(1, rules.compile("Baku"))
    store.close()
    server.publish("/world", [item("a2", "Talks in Baku"), item("a1", "Old news from Baku")])
    assert main(["poll-once", "--config", str(config)]) == 0

    out = capsys.readouterr().out.splitlines()
    down = httpserver.url_for("/down")
    assert out == [
        "polled 2 feeds: 1 ok, 0 not modified, 1 failed",
        "new articles: 1, matches queued: 0",
        f"failed: Down: {down}: HTTP 500 INTERNAL SERVER ERROR",
        "polled 2 feeds: 1 ok, 0 not modified, 1 failed",
        "new articles: 1, matches queued: 1",
        f"failed: Down: {down}: HTTP 500 INTERNAL SERVER ERROR",
    ]
    store = Store.open(tmp_path / "bot.db")
    assert [row.article.article.title for row in store.pending_alerts()] == ["Talks in Baku"]
    store.close()


def test_poll_once_shows_progress_for_many_feeds(tmp_path: Path, server: FeedServer, capsys):
    feeds = [
        (f"Feed {n}", server.publish(f"/f{n}", [item(f"g{n}", f"Story {n}")])) for n in range(10)
    ]
    config = write_config(tmp_path, feeds)

    assert main(["poll-once", "--config", str(config)]) == 0
    assert main(["poll-once", "--config", str(config)]) == 0

    captured = capsys.readouterr()
    assert "10/10" in captured.err
    assert captured.out.splitlines()[-2:] == [
        "polled 10 feeds: 0 ok, 10 not modified, 0 failed",
        "new articles: 0, matches queued: 0",
    ]


def test_feeds_prints_an_aligned_status_table(tmp_path: Path, server: FeedServer, capsys):
    world = server.publish("/world", [item("a1", "Talks"), item("a2", "More talks")])
    main(["poll-once", "--config", str(write_config(tmp_path, [("World", world)]))])
    later = ("A Feed Added Later", "https://later.example/rss")
    config = write_config(tmp_path, [("World", world), later])
    capsys.readouterr()

    assert main(["feeds", "--config", str(config)]) == 0

    lines = capsys.readouterr().out.splitlines()
    header = lines[0]
    assert header.split() == [
        "ID",
        "FEED",
        "LAST",
        "POLL",
        "RESULT",
        "ERRORS",
        "NEXT",
        "POLL",
        "ARTICLES",
    ]
    assert len(lines) == 3
    for column in ("FEED", "LAST POLL", "RESULT", "NEXT POLL"):
        start = header.index(column)
        assert all(line[start - 2 : start] == "  " for line in lines[1:]), column
    world_row, later_row = lines[1:]
    assert world_row.split()[1] == "World"
    assert world_row.split()[5] == "ok"
    assert world_row.endswith(" 2")
    assert "never polled" in later_row
    assert later_row.endswith(" 0")


def test_a_failing_feed_is_named_once_and_feeds_says_each_state_in_words(
    tmp_path: Path, server: FeedServer, httpserver: HTTPServer, capsys, caplog
) -> None:
    world = server.publish("/world", [item("a1", "Talks")])
    httpserver.expect_request("/missing.xml").respond_with_data("gone?", status=404)
    missing = httpserver.url_for("/missing.xml")
    config = str(write_config(tmp_path, [("World", world), ("Missing", missing)]))

    main(["poll-once", "--config", config])
    main(["poll-once", "--config", config])  # World answers 304 Not Modified now
    main(["feeds", "--config", config])

    out = capsys.readouterr().out.splitlines()
    failures = [record.getMessage() for record in caplog.records if missing in record.getMessage()]
    # Logged when it starts failing; the second run's failure is DEBUG (and in the output).
    assert failures == [f"{missing}: poll failed: HTTP 404 NOT FOUND"]
    assert f"failed: Missing: {missing}: HTTP 404 NOT FOUND" in out
    assert out[3] == "polled 2 feeds: 0 ok, 1 not modified, 1 failed"
    world_row, missing_row = out[-2:]
    assert "  not modified  " in world_row
    assert "  failed  " in missing_row
    assert "_" not in "".join(out[-3:])


def test_opml_round_trip(tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path, [("Config Feed", "https://config.example/rss")])
    opml = tmp_path / "reader.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="News">'
        '<outline text="Wire" xmlUrl="https://wire.example/rss"/>'
        '<outline text="Again" xmlUrl="https://config.example/rss"/>'
        "</outline></body></opml>",
        encoding="utf-8",
    )

    assert main(["import-opml", str(opml), "--config", str(config)]) == 0
    assert capsys.readouterr().out == f"imported 1 feed from {opml} (1 known)\n"
    assert main(["export-opml", "--config", str(config)]) == 0

    exported = read_opml(capsys.readouterr().out.encode())
    assert [(f.url, f.name) for f in exported] == [
        ("https://config.example/rss", "Config Feed"),
        ("https://wire.example/rss", "Wire"),
    ]


def test_import_opml_warns_about_each_entry_it_leaves_out(tmp_path: Path, capsys, caplog):
    config = write_config(tmp_path, [])
    opml = tmp_path / "reader.opml"
    opml.write_text(
        '<opml version="2.0"><body>'
        '<outline text="Wire" xmlUrl="https://wire.example/rss"/>'
        '<outline text="Old FTP" xmlUrl="ftp://files.example/news.xml"/>'
        '<outline xmlUrl="feeds/local.xml"/>'
        '<outline text="Old FTP again" xmlUrl="ftp://files.example/news.xml"/>'
        '<outline text="A folder"/>'
        "</body></opml>",
        encoding="utf-8",
    )

    assert main(["import-opml", str(opml), "--config", str(config)]) == 0

    assert [
        (r.levelname, r.getMessage()) for r in caplog.records if r.name == "bot.feeds.opml"
    ] == [
        (
            "WARNING",
            'skipped "Old FTP" (ftp://files.example/news.xml): not an http(s) feed address',
        ),
        ("WARNING", "skipped feeds/local.xml: not an http(s) feed address"),
    ]
    assert capsys.readouterr().out == f"imported 1 feed from {opml} (0 known)\n"


def test_remove_feed_of_a_config_feed_holds_for_later_commands(
    tmp_path: Path, server: FeedServer, capsys
) -> None:
    world = server.publish("/world", [item("a1", "Talks")])
    sport = server.publish("/sport", [item("s1", "Derby")])
    config = str(write_config(tmp_path, [("World", world), ("Sport", sport)]))
    main(["poll-once", "--config", config])
    capsys.readouterr()

    assert main(["remove-feed", "1", "--config", config]) == 0
    removed = capsys.readouterr().out
    assert main(["poll-once", "--config", config]) == 0  # reads the config file again

    assert removed.splitlines() == [
        f"removed feed 1: World ({world})",
        "it is also listed in the config file: it stays removed until it is deleted there "
        "or added again (/addfeed, import-opml)",
    ]
    assert capsys.readouterr().out.startswith("polled 1 feed: ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["feeds", "--config", "{tmp}/absent.toml"], "no such config file"),
        (["poll-once", "--config", "{tmp}/bad.toml"], "unknown key 'intervall'"),
        (["import-opml", "{tmp}/absent.opml", "--config", "{tmp}/ok.toml"], "cannot read"),
        (["import-opml", "{tmp}/bad.toml", "--config", "{tmp}/ok.toml"], "not an OPML file"),
        (["feeds", "--config", "{tmp}/nodir.toml"], "cannot be opened; check the path"),
        (["feeds", "--config", "{tmp}/latin1.toml"], "latin1.toml: not UTF-8 text (byte 0xe9"),
        (["remove-feed", "7", "--config", "{tmp}/ok.toml"], "no feed has the ID or URL '7'"),
    ],
)
def test_expected_errors_are_one_line_and_exit_2(
    tmp_path: Path, argv: list[str], message: str, capsys
) -> None:
    (tmp_path / "bad.toml").write_text("[polling]\nintervall = 60\n")
    write_config(tmp_path, []).rename(tmp_path / "ok.toml")
    (tmp_path / "nodir.toml").write_text(f'[storage]\npath = "{tmp_path}/no/such/dir/bot.db"\n')
    (tmp_path / "latin1.toml").write_text('[bot]\nname = "Café"\n', encoding="latin-1")

    status = main([arg.format(tmp=tmp_path) for arg in argv])

    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("topic-alert: ")
    assert message in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("command", ["run", "feeds"])
def test_a_config_file_it_may_not_read_is_one_line_naming_it_and_exit_2(
    shared_dir: Path, command: str
) -> None:
    """The file exists but its mode lets nobody read it, as a config installed 0600 for
    another user (as root the command runs as nobody, which the mode binds)."""
    config = shared_dir / "config.toml"
    config.write_text('[storage]\npath = "bot.db"\n')
    config.chmod(0o200)

    code = reachable_code(shared_dir)
    process = start(config, "123:fake", command=command, wrapper=unprivileged(code), cwd=code)
    _, err = process.communicate(timeout=60)

    assert process.returncode == 2
    assert err == f"topic-alert: {config}: cannot read the config file: Permission denied\n"


def test_version_is_the_package_version(capsys) -> None:
    with (ROOT / "pyproject.toml").open("rb") as project:
        version = tomllib.load(project)["project"]["version"]

    with pytest.raises(SystemExit) as exit:
        main(["--version"])

    assert exit.value.code == 0
    assert capsys.readouterr().out == f"topic-alert {version}\n"


def test_help_lists_every_command(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])

    out = capsys.readouterr().out
    for command in (
        "check",
        "poll-once",
        "feeds",
        "import-opml",
        "export-opml",
        "remove-feed",
        "backup",
        "search",
        "run",
        "demo",
    ):
        assert f"    {command} " in out
