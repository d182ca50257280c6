"""The sockets, end to end through the ASGI application (session cookie,
origin check, routing), with the in-memory channel layer."""

import json

from asgiref.sync import async_to_sync
from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from channels.testing import WebsocketCommunicator
from django.test import Client

from edu_platform.asgi import application
from live import state
from live.models import LiveQuestion, LiveSession
from live.routing import websocket_urlpatterns
from live.slides import slides_for

ORIGIN = (b"origin", b"http://testserver")


def _cookie(user=None, visit=None) -> list:
    client = Client()
    if user is not None:
        client.force_login(user)
    if visit:
        client.get(visit)
    if "sessionid" not in client.cookies:
        return [ORIGIN]
    return [ORIGIN, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


def _socket(path, headers):
    return WebsocketCommunicator(application, path, headers=headers)


def _quiz_slide(session):
    return next(s for s in slides_for(session.lesson) if s.kind == "quiz")


def _poll_slide(session):
    return next(s for s in slides_for(session.lesson) if s.activity and s.activity.id == "sure")


def test_a_pupil_joins_follows_the_teacher_and_lands_on_the_current_slide_after_reconnecting(cast, live_session):
    h0 = _cookie(cast.teacher)
    h1 = _cookie(cast.student)

    async def scenario():
        teacher = _socket(f"/ws/live/session/{live_session.pk}/present/", h0)
        assert (await teacher.connect(10))[0]
        first = await teacher.receive_json_from(10)
        assert first["type"] == "state" and first["joined"] == 0 and "questions" in first

        pupil = _socket(f"/ws/live/{live_session.code}/", h1)
        assert (await pupil.connect(10))[0]
        assert (await pupil.receive_json_from(10))["slide"] == 0
        assert await teacher.receive_json_from(10) == {"type": "joined", "count": 1}

        version = 0
        for slide in (1, 2, 3):
            await teacher.send_json_to({"type": "goto", "slide": slide})
            # Each move writes the state once: its newer version goes with it.
            moved = await pupil.receive_json_from(10)
            assert {k: moved[k] for k in ("type", "slide", "locked")} == {
                "type": "slide",
                "slide": slide,
                "locked": True,
            }
            assert moved["v"] > version
            version = moved["v"]
        await pupil.disconnect()

        again = _socket(f"/ws/live/{live_session.code}/", h1)
        assert (await again.connect(10))[0]
        back = await again.receive_json_from(10)
        assert back["slide"] == 3
        await again.disconnect()
        await teacher.disconnect()

    async_to_sync(scenario)()
    assert LiveSession.objects.get(pk=live_session.pk).current_slide == 3
    assert state.joined(live_session.pk) == 1  # the same pupil twice counts once


def test_a_pupil_whose_slide_message_went_missing_is_put_back_on_the_current_slide(cast, live_session):
    """Pub/sub forgets a message published while Redis is away: the watch
    (live.followers) finds the socket behind the session's version and sends
    it the state; a socket that is up to date is sent nothing."""
    import time

    from live import followers, services

    h1 = _cookie(cast.student)

    async def scenario():
        pupil = _socket(f"/ws/live/{live_session.code}/", h1)
        assert (await pupil.connect(10))[0]
        assert (await pupil.receive_json_from(10))["slide"] == 0
        # Nothing changed: nothing is sent.
        assert await followers.check(now=time.time() + 60) == 0
        assert await pupil.receive_nothing(0.2)
        # The teacher moved on, and the message to the class was lost.
        await database_sync_to_async(services.session_move)(session=live_session, slide=2)
        assert await followers.check() == 0  # just written: still on its way
        assert await followers.check(now=time.time() + followers.LATE) == 1
        found = await pupil.receive_json_from(10)
        assert found["type"] == "state" and found["slide"] == 2
        assert await followers.check(now=time.time() + 60) == 0
        await pupil.disconnect()
        assert followers.held() == 0

    async_to_sync(scenario)()


def test_answers_fill_the_projector_chart_without_names_and_the_reveal_reaches_pupils(cast, live_session):
    quiz_slide = _quiz_slide(live_session)
    activity = quiz_slide.activity
    right = sorted(activity.correct)[0]

    h0 = _cookie(cast.teacher)
    h1 = _cookie(visit=f"/live/{live_session.code}/")

    async def scenario():
        teacher = _socket(f"/ws/live/session/{live_session.pk}/present/", h0)
        await teacher.connect(10)
        await teacher.receive_json_from(10)
        screen = _socket(f"/ws/live/session/{live_session.pk}/screen/", h0)
        await screen.connect(10)
        await screen.receive_json_from(10)
        pupil = _socket(f"/ws/live/{live_session.code}/", h1)
        await pupil.connect(10)
        await pupil.receive_json_from(10)
        # Counted when the page was opened (before the sockets): no "joined" now.

        await teacher.send_json_to({"type": "goto", "slide": quiz_slide.index})
        await pupil.receive_json_from(10)
        await pupil.send_json_to({"type": "answer", "activity": activity.id, "choice": right})
        assert await pupil.receive_json_from(10) == {"type": "answered", "activity": activity.id}
        while True:
            message = await screen.receive_json_from(10)
            if message["type"] == "counts" and message["total"]:
                break
        assert message["counts"][right] == 1
        assert "user" not in json.dumps(message) and cast.student.username not in json.dumps(message)

        await pupil.send_json_to({"type": "answer", "activity": activity.id, "choice": right})
        assert await pupil.receive_json_from(10) == {"type": "refused", "reason": "already-answered"}

        await teacher.send_json_to({"type": "reveal", "activity": activity.id})
        revealed = await pupil.receive_json_from(10)
        assert revealed["type"] == "reveal" and revealed["correct"] == sorted(activity.correct)
        for sock in (pupil, screen, teacher):
            await sock.disconnect()

    async_to_sync(scenario)()


def test_a_bad_message_closes_only_that_socket_with_a_reason_and_changes_nothing(cast, live_session):
    h0 = _cookie(cast.student)

    async def scenario():
        pupil = _socket(f"/ws/live/{live_session.code}/", h0)
        await pupil.connect(10)
        await pupil.receive_json_from(10)
        await pupil.send_to(text_data="not json")
        assert await pupil.receive_json_from(10) == {"type": "error", "reason": "bad-message"}
        closed = await pupil.receive_output(10)
        assert closed == {"type": "websocket.close", "code": 4400, "reason": "bad-message"}

        big = _socket(f"/ws/live/{live_session.code}/", h0)
        await big.connect(10)
        await big.receive_json_from(10)
        await big.send_json_to({"type": "ask", "text": "x" * 2100})
        await big.receive_json_from(10)
        assert (await big.receive_output(10))["code"] == 4413

        forged = _socket(f"/ws/live/{live_session.code}/", h0)
        await forged.connect(10)
        await forged.receive_json_from(10)
        await forged.send_json_to({"type": "goto", "slide": 5})  # a pupil cannot drive the slides
        await forged.receive_json_from(10)
        assert (await forged.receive_output(10))["code"] == 4400

    async_to_sync(scenario)()
    assert LiveSession.objects.get(pk=live_session.pk).current_slide == 0
    assert not LiveQuestion.objects.exists()


def test_more_than_five_messages_a_second_closes_the_socket(cast, live_session):
    h0 = _cookie(cast.student)

    async def scenario():
        pupil = _socket(f"/ws/live/{live_session.code}/", h0)
        await pupil.connect(10)
        await pupil.receive_json_from(10)
        for _ in range(6):
            await pupil.send_json_to({"type": "sync"})
        replies = [await pupil.receive_json_from(10) for _ in range(6)]
        assert [r["type"] for r in replies] == ["state"] * 5 + ["error"]
        assert replies[-1]["reason"] == "too-fast"
        assert (await pupil.receive_output(10))["code"] == 4429

    async_to_sync(scenario)()


def test_the_teacher_socket_refuses_another_teacher_a_parent_a_pupil_and_anonymous_visitors(cast, live_session):
    people = [(user, _cookie(user)) for user in (cast.other_teacher, cast.parent, cast.student, None)]

    async def scenario():
        for user, headers in people:
            sock = _socket(f"/ws/live/session/{live_session.pk}/present/", headers)
            connected, code = await sock.connect(10)
            assert not connected and code == 4403, user

    async_to_sync(scenario)()


def test_a_pupil_socket_without_the_right_code_is_refused(cast, live_session):
    wrong = "000000" if live_session.code != "000000" else "111111"

    h0 = _cookie()

    async def scenario():
        sock = _socket(f"/ws/live/{wrong}/", h0)
        connected, code = await sock.connect(10)
        assert not connected and code == 4404
        sock = _socket("/ws/live/12ab/", h0)
        try:
            connected, _ = await sock.connect(10)
        except ValueError:  # no route: the router refuses
            connected = False
        assert not connected

    async_to_sync(scenario)()


def test_a_socket_from_another_origin_is_refused(cast, live_session, settings):
    settings.ALLOWED_HOSTS = ["testserver"]

    # Built as edu_platform.asgi builds it, with the production host list.
    guarded = AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))

    async def scenario():
        path = f"/ws/live/{live_session.code}/"
        sock = WebsocketCommunicator(guarded, path, [(b"origin", b"http://evil.example")])
        connected, _ = await sock.connect(10)
        assert not connected
        sock = WebsocketCommunicator(guarded, path, [ORIGIN])
        connected, _ = await sock.connect(10)
        assert connected
        await sock.disconnect()

    async_to_sync(scenario)()


def test_an_anonymous_question_reaches_the_teacher_only_and_is_stored_without_identity(cast, live_session):
    h0 = _cookie(cast.teacher)
    h1 = _cookie(cast.student)

    async def scenario():
        teacher = _socket(f"/ws/live/session/{live_session.pk}/present/", h0)
        await teacher.connect(10)
        await teacher.receive_json_from(10)
        screen = _socket(f"/ws/live/session/{live_session.pk}/screen/", h0)
        await screen.connect(10)
        await screen.receive_json_from(10)
        pupil = _socket(f"/ws/live/{live_session.code}/", h1)
        await pupil.connect(10)
        await pupil.receive_json_from(10)
        await teacher.receive_json_from(10)
        await screen.receive_json_from(10)
        await pupil.send_json_to({"type": "ask", "text": "누가 내 사진으로 협박해요"})
        assert await pupil.receive_json_from(10) == {"type": "asked"}
        question = await teacher.receive_json_from(10)
        assert question["type"] == "question" and question["disclosure"] is True
        assert await screen.receive_nothing()
        for sock in (pupil, screen, teacher):
            await sock.disconnect()

    async_to_sync(scenario)()
    stored = LiveQuestion.objects.get()
    assert [f.name for f in LiveQuestion._meta.fields] == ["id", "session", "text", "disclosure", "shown", "created_at"]
    assert stored.disclosure


def test_ending_the_session_tells_every_pupil_and_closes_their_socket(cast, live_session):
    h0 = _cookie(cast.teacher)
    h1 = _cookie(cast.student)

    async def scenario():
        teacher = _socket(f"/ws/live/session/{live_session.pk}/present/", h0)
        await teacher.connect(10)
        await teacher.receive_json_from(10)
        pupil = _socket(f"/ws/live/{live_session.code}/", h1)
        await pupil.connect(10)
        await pupil.receive_json_from(10)
        await teacher.send_json_to({"type": "end"})
        assert (await pupil.receive_json_from(10))["type"] == "ended"
        assert (await pupil.receive_output(10))["code"] == 4410

    async_to_sync(scenario)()
    assert LiveSession.objects.get(pk=live_session.pk).ended_at is not None
