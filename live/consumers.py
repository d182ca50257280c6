"""The live class's sockets (docs/live.md). Authentication comes from the
Django session (AuthMiddlewareStack); the rules of every message are in
live.protocol, shared with the polling fallback."""

from __future__ import annotations

import secrets

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import protocol, state
from .models import LiveSession
from .permissions import can_run, participant_for
from .ratelimit import WRONG_CODES


def group(pk: int, audience: str) -> str:
    return f"live.{pk}.{audience}"


class _LiveConsumer(AsyncJsonWebsocketConsumer):
    audiences: tuple[str, ...] = ()
    session: LiveSession | None = None

    async def _join_groups(self):
        for audience in self.audiences:
            await self.channel_layer.group_add(group(self.session.pk, audience), self.channel_name)

    async def disconnect(self, code):
        if self.session is not None:
            for audience in self.audiences:
                await self.channel_layer.group_discard(group(self.session.pk, audience), self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            if not self.limiter.allow():
                raise protocol.BadMessage(4429, "too-fast")
            message = protocol.parse(text_data)
            outcome = await database_sync_to_async(self.handle)(message)
        except protocol.BadMessage as bad:
            await self.send_json({"type": "error", "reason": bad.reason})
            await self.close(code=bad.code, reason=bad.reason)
            return
        for audiences, event in outcome.broadcasts:
            for audience in audiences:
                await self.channel_layer.group_send(
                    group(self.session.pk, audience), {"type": "live.event", "message": event}
                )
        if outcome.reply is not None:
            await self.send_json(outcome.reply)

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
        await self._join_groups()
        await self.accept()
        await self.send_json(await database_sync_to_async(protocol.public_state)(self.session))
        if new_count is not None:
            await self.channel_layer.group_send(
                group(self.session.pk, protocol.SCREENS),
                {"type": "live.event", "message": {"type": "joined", "count": new_count}},
            )

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
        make = protocol.teacher_state if self.view == "present" else protocol.screen_state
        await self.send_json(await database_sync_to_async(make)(self.session))

    def handle(self, message):
        if self.view != "present":
            # The projector only listens; it may ask for the state again.
            if message["type"] != "sync":
                raise protocol.BadMessage(4400, "bad-message")
            protocol._fields(message)
            return protocol.Outcome(reply=protocol.screen_state(self.session))
        return protocol.teacher_message(self.session, message)
