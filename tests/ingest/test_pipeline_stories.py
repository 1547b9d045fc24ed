"""One alert per story across sources, through the real pipeline.

The same wire story reaches two feeds with small edits: the chat gets one message for it, and
the second copy is queued as a "merged" row the sender names on the first alert. A different
story on the same topic (the sample page's second story) still alerts on its own.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.ingest.wire_story import HERZOG, HERZOG_COPY
from tests.support.botapi import hrefs
from tests.support.outbox_env import drain, fast_sender
from tests.support.pipeline_env import (
    FeedServer,
    PipelineEnv,
    close_env,
    item,
    make_config,
    open_env,
)
from tests.support.story_pairs import labelled_articles

COHEN = (
    "Foreign Minister Eli Cohen will make a diplomatic trip to Central Europe to meet senior "
    "figures in Croatia, Slovakia, Hungary and Austria, and to talk about Israel and Iran."
)


def outbox(env: PipelineEnv) -> list[tuple[str, str, int | None]]:
    return env.store.conn.execute(
        """SELECT articles.title, outbox.status, outbox.story_of FROM outbox
           JOIN articles ON articles.id = article_id ORDER BY outbox.id"""
    ).fetchall()


async def herzog_alerted(env: PipelineEnv, server: FeedServer) -> tuple[str, str]:
    """Two known feeds; the wire one has just alerted the Herzog story. Returns their URLs."""
    env.subscribe(1, "Israel")
    wire = server.publish("/wire.xml", [])
    local = server.publish("/local.xml", [])
    await env.poll(wire)
    await env.poll(local)
    server.publish("/wire.xml", [item("w1", "Herzog to visit Azerbaijan", text=HERZOG)])
    await env.poll(wire)
    return wire, local


async def test_a_syndicated_copy_is_merged_and_another_story_is_not(
    env: PipelineEnv, httpserver: HTTPServer
) -> None:
    server = FeedServer(httpserver)
    _, local = await herzog_alerted(env, server)
    server.publish(
        "/local.xml",
        [
            item("l1", "Israel's president heads to Baku", text=HERZOG_COPY),
            item("l2", "Cohen to visit Central Europe", text=COHEN),
        ],
    )
    await env.poll(local)

    rows = outbox(env)
    assert rows[0] == ("Herzog to visit Azerbaijan", "pending", None)
    assert ("Israel's president heads to Baku", "merged", 1) in rows
    assert ("Cohen to visit Central Europe", "pending", None) in rows
    assert len(env.store.pending_alerts()) == 2


async def test_story_memory_survives_a_restart(env: PipelineEnv, httpserver, tmp_path) -> None:
    server = FeedServer(httpserver)
    _, local = await herzog_alerted(env, server)

    restarted, fetcher = await open_env(make_config(tmp_path / "bot.db"))
    try:
        server.publish(
            "/local.xml", [item("l1", "Israel's president heads to Baku", text=HERZOG_COPY)]
        )
        await restarted.poll(local)
    finally:
        await close_env(restarted, fetcher)
    assert [status for _, status, _ in outbox(env)] == ["pending", "merged"]


@pytest.mark.parametrize(
    "stories", [{"enabled": False}, {"threshold": 0.99}], ids=["disabled", "strict threshold"]
)
async def test_the_stories_section_can_send_every_copy_on_its_own(
    httpserver: HTTPServer, tmp_path: Path, stories: dict[str, object]
) -> None:
    config = make_config(tmp_path / "bot.db")
    config = replace(config, stories=replace(config.stories, **stories))
    env, fetcher = await open_env(config)
    try:
        server = FeedServer(httpserver)
        _, local = await herzog_alerted(env, server)
        server.publish(
            "/local.xml", [item("l1", "Israel's president heads to Baku", text=HERZOG_COPY)]
        )
        await env.poll(local)
        assert [status for _, status, _ in outbox(env)] == ["pending", "pending"]
    finally:
        await close_env(env, fetcher)


OUTLETS = ["Wire", "Regional News", "Caspian Daily", "Baku Post", "Tel Aviv Times", "Desk Six"]


async def test_a_story_six_outlets_carried_is_one_alert_linking_each_in_the_order_polled(
    env: PipelineEnv, httpserver: HTTPServer, bot, botapi
) -> None:
    """End to end: each outlet's feed is polled in turn and the sender run after each, as the
    daemon would; the chat's one alert, as it reads after the edits, links every outlet."""
    server = FeedServer(httpserver)
    env.subscribe(1, "Israel")
    feeds = [server.publish(f"/{n}.xml", [], title=name) for n, name in enumerate(OUTLETS)]
    for feed in feeds:
        await env.poll(feed)
    sender = fast_sender(bot, env.astore)
    links = [f"https://outlet{n}.example/herzog" for n in range(len(OUTLETS))]
    for n, (feed, link) in enumerate(zip(feeds, links, strict=True)):
        text = HERZOG if n == 0 else HERZOG_COPY
        server.publish(
            f"/{n}.xml",
            [item(f"h{n}", "Herzog to visit Azerbaijan", link=link, text=text)],
            title=OUTLETS[n],
        )
        await env.poll(feed)
        await drain(sender)

    [alert] = botapi.messages(1)
    assert hrefs(alert.text) == links
    assert alert.plain.splitlines()[-1] == (
        "Also: Regional News, Caspian Daily, Baku Post and 2 more outlets: [5] [6]"
    )


async def test_another_outlets_retelling_and_the_wires_update_join_the_first_alert(
    env: PipelineEnv, httpserver: HTTPServer
) -> None:
    """Issue 23: another outlet tells the copper record in its own words and the wire sends
    its UPDATE 1: both are named on the first alert; the same company's takeover, the same
    day, is news of its own."""
    stories = labelled_articles()
    env.subscribe(1, "copper")
    server = FeedServer(httpserver)
    wire = server.publish("/wire.xml", [])
    local = server.publish("/local.xml", [])
    await env.poll(wire)
    await env.poll(local)

    def published(*names: str) -> list[dict[str, str]]:
        return [item(name, stories[name].title, text=stories[name].text) for name in names]

    strike = stories["cu-strike"]
    update = {"title": f"UPDATE 1-{strike.title}", "text": strike.text + " Talks resume Friday."}
    server.publish("/wire.xml", published("cu-strike"))
    await env.poll(wire)
    server.publish("/local.xml", published("cu-strike-b", "cu-deal-b"))
    await env.poll(local)
    server.publish("/wire.xml", [*published("cu-strike"), item("up1", **update)])
    await env.poll(wire)

    assert sorted(outbox(env)) == sorted(
        [
            (strike.title, "pending", None),
            (stories["cu-strike-b"].title, "merged", 1),
            (stories["cu-deal-b"].title, "pending", None),
            (update["title"], "merged", 1),
        ]
    )
