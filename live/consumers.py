"""The live class's sockets (docs/live.md). Authentication comes from the
Django session (AuthMiddlewareStack); the rules of every message are in
live.protocol, shared with the polling fallback."""

from __future__ import annotations

import secrets

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import followers, protocol, state
from .models import LiveSession
from .permissions import can_run, participant_for
from .ratelimit import WRONG_CODES
from .slides import deck


def group(pk: int, audience: str) -> str:
    return f"live.{pk}.{audience}"


class _LiveConsumer(AsyncJsonWebsocketConsumer):
    audiences: tuple[str, ...] = ()
    session: LiveSession | None = None
    sent_version = 0  # the newest state version this socket was sent

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What this socket last told its device: the slide, the revealed
        # activities, whether the session ended.
        self.seen = {"slide": 0, "revealed": set(), "ended": False}

    async def dispatch(self, message):
        # Channels' own dispatch first closes stale database connections, in
        # the one thread that runs Django's synchronous code, for every
        # message: a slide change to a class of 35 queued 35 such hops behind
        # the teachers' writes (bench/live.py). Nothing here touches the
        # database outside database_sync_to_async, which closes them itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def _join_groups(self):
        for audience in self.audiences:
            await self.channel_layer.group_add(group(self.session.pk, audience), self.channel_name)

    async def disconnect(self, code):
        if self.session is not None:
            followers.unfollow(self)
            for audience in self.audiences:
                await self.channel_layer.group_discard(group(self.session.pk, audience), self.channel_name)

    async def send_json(self, content, close=False):
        self.sent_version = max(self.sent_version, content.get("v") or 0)
        kind = content.get("type")
        if kind in ("state", "slide"):
            self.seen["slide"] = content["slide"]
        if kind == "state":
            self.seen.update(revealed=set(content["revealed"]), ended=content["ended"])
        elif kind == "reveal":
            self.seen["revealed"].add(content["activity"])
        elif kind == "ended":
            self.seen["ended"] = True
        await super().send_json(content, close=close)

    def state_message(self) -> dict:
        raise NotImplementedError

    async def resync(self, made: dict) -> None:
        """Send this socket the session's current state (live.followers: a
        message it should have had went missing)."""
        key = (self.session.pk, type(self), getattr(self, "view", None))
        if key not in made:
            made[key] = await database_sync_to_async(self.state_message)()
        await self.send_json(made[key])

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            if not self.limiter.allow():
                raise protocol.BadMessage(4429, "too-fast")
            message = protocol.parse(text_data)
            outcome = await self.handle_here(message)
            if outcome is None:
                outcome = await database_sync_to_async(self.handle)(message)
        except protocol.BadMessage as bad:
            await self.send_json({"type": "error", "reason": bad.reason})
            await self.close(code=bad.code, reason=bad.reason)
            return
        try:
            for audiences, event in outcome.broadcasts:
                for audience in audiences:
                    await self.channel_layer.group_send(
                        group(self.session.pk, audience), {"type": "live.event", "message": event}
                    )
        finally:  # the row is saved even if Redis refused the broadcast
            if outcome.then is not None:
                await database_sync_to_async(outcome.finish)()
        if outcome.reply is not None:
            await self.send_json(outcome.reply)

    async def handle_here(self, message: dict) -> protocol.Outcome | None:
        """A message handled on the event loop, or None for handle()."""
        return None

    async def live_event(self, event):
        message = event["message"]
        await self.send_json(message)
        if message["type"] == "ended" and "teacher" not in self.audiences:
            await self.close(code=4410, reason="ended")

    def handle(self, message: dict) -> protocol.Outcome:
        raise NotImplementedError


class PupilConsumer(_LiveConsumer):
    """A pupil's device (or anyone with the code): follows the slides,
    answers, asks."""

    audiences = (protocol.PUPILS,)

    def _open(self, code: str):
        session = LiveSession.objects.select_related("lesson").filter(code=code, ended_at__isnull=True).first()
        address = (self.scope.get("client") or ("",))[0] or ""
        if session is None:
            WRONG_CODES.hit(address)
            return None, None, None
        user = self.scope.get("user")
        token = (self.scope.get("session") or {}).get("live_participant") or secrets.token_urlsafe(12)
        participant = participant_for(user, session, token)
        before = state.joined(session.pk)
        count = state.join(session.pk, participant.token)
        return session, participant, count if count != before else None

    async def connect(self):
        code = self.scope["url_route"]["kwargs"]["code"]
        address = (self.scope.get("client") or ("",))[0] or ""
        if await database_sync_to_async(WRONG_CODES.reached)(address):
            await self.close(code=4429)
            return
        self.session, self.participant, new_count = await database_sync_to_async(self._open)(code)
        if self.session is None:
            await self.close(code=4404)
            return
        self.limiter = protocol.RateLimiter()
        self.slides = await database_sync_to_async(deck)(self.session)
        await self._join_groups()
        await self.accept()
        await self.send_json(await database_sync_to_async(self.state_message)())
        followers.follow(self)
        if new_count is not None:
            await self.channel_layer.group_send(
                group(self.session.pk, protocol.SCREENS),
                {"type": "live.event", "message": {"type": "joined", "count": new_count}},
            )

    def state_message(self) -> dict:
        return protocol.public_state(self.session)

    async def handle_here(self, message):
        # A choice answer: checked against what this socket last sent its
        # pupil (the slide, the reveals, the end) and counted in one Redis
        # round trip, without leaving the event loop (bench/live.py: 1,400
        # answers in 5 s queued for seconds in Django's one thread for
        # synchronous code). Word answers and questions go to handle().
        if not protocol.cache_only(message):
            return None
        answer = protocol.check_answer(self.slides, self.seen, message)
        if answer is None:
            return protocol.refused("not-open")
        activity = answer.activity
        ok, found = await state.aanswer(self.session.pk, activity.id, self.participant.token, answer.chosen)
        if not ok:
            return protocol.refused("already-answered")
        if protocol.stores_answer(self.participant, answer):
            await database_sync_to_async(state.remember_pupil_answer)(
                self.session.pk, self.participant.user_id, activity.id, answer.chosen
            )
        return protocol.counted(self.session, answer, found)

    def handle(self, message):
        return protocol.pupil_message(self.session, self.participant, message)


class TeacherConsumer(_LiveConsumer):
    """The presenter view (``present``) or the projector (``screen``): only a
    teacher of the session's class."""

    def _open(self, pk: int):
        session = LiveSession.objects.select_related("lesson").filter(pk=pk).first()
        user = self.scope.get("user")
        if session is None or user is None or not can_run(user, session):
            return None
        return session

    async def connect(self):
        kwargs = self.scope["url_route"]["kwargs"]
        self.view = kwargs["view"]
        self.audiences = (protocol.SCREENS, protocol.TEACHER) if self.view == "present" else (protocol.SCREENS,)
        self.session = await database_sync_to_async(self._open)(int(kwargs["pk"]))
        if self.session is None:
            await self.close(code=4403)
            return
        self.limiter = protocol.RateLimiter()
        await self._join_groups()
        await self.accept()
        await self.send_json(await database_sync_to_async(self.state_message)())
        followers.follow(self)

    def state_message(self) -> dict:
        make = protocol.teacher_state if self.view == "present" else protocol.screen_state
        return make(self.session)

    def handle(self, message):
        if self.view != "present":
            # The projector only listens; it may ask for the state again.
            if message["type"] != "sync":
                raise protocol.BadMessage(4400, "bad-message")
            protocol._fields(message)
            return protocol.Outcome(reply=protocol.screen_state(self.session))
        return protocol.teacher_message(self.session, message)
