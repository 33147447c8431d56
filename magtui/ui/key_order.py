"""Keys act in the order they were typed, however fast they come (type-ahead).

Textual (8.2.8) hands a key to the focused widget's queue and goes straight on to the next
key. A key the widget binds (y/n/D, arrows, Enter on a choice, ctrl+o) acts only once it has
climbed back to the app, so an app key typed after it (Tab, an F-key, ctrl+s: priority
bindings, acted on at once) overtook it: "y D F5" left every red flag unasked, and text
typed just before ctrl+s was missing from the note (Textual issues #1009 and #6605).

Here the app holds each new key until the one before it is done: back at the app and acted
on, or stopped on the way by the widget that used it (typed text). A `KeyTrail` posted
behind the key to the same widget climbs the same path and so arrives after the key, or in
its place when the key was stopped. A key is never dropped: if its trail is lost (the
widget went away meanwhile), the held keys go on after `HOLD_LIMIT_S`.
"""

from __future__ import annotations

import asyncio
from collections import deque
from contextlib import suppress
from functools import partial
from typing import Any

from textual import events
from textual.app import App, ReturnType
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget

SETTLE_PASSES = 3
"""Passes `_settle` makes up the key's path (a few milliseconds each)."""
HOLD_LIMIT_S = 1.0
"""Longest a key waits for the one before it: only reached if that key's trail is lost."""


class KeyTrail(Message):
    """Follows a key up the DOM from the widget it was forwarded to."""

    def __init__(self, key: events.Key) -> None:
        super().__init__()
        self.key = key


class Settled(Message):
    """What the last key set going has finished: the next held key may act."""


class KeysInOrderApp(App[ReturnType]):
    """An App whose keys act one after another, in the order typed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._key_in_flight: events.Key | None = None
        self._key_target: Widget | Screen[Any] | None = None
        self._settling: asyncio.Task[None] | None = None
        self._held_keys: deque[events.Key] = deque()
        self._hold_timer: Timer | None = None

    @property
    def keys_pending(self) -> int:
        """Keys typed and not yet done: held, in flight, or waiting for the last to settle."""
        busy = self._key_in_flight is not None or self._settling is not None
        return len(self._held_keys) + busy

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key):
            await super().on_event(event)
        elif not event.is_forwarded:  # a new key, from the terminal
            self._held_keys.append(event)
            if self._key_in_flight is None and self._settling is None:
                await self._dispatch_key(self._held_keys.popleft())
        else:  # a key back from the focused widget: its bindings act now
            await super().on_event(event)
            if event is self._key_in_flight:
                self._key_done()

    async def _dispatch_key(self, key: events.Key) -> None:
        target = self.focused or self.screen  # where Textual forwards a key
        self._key_in_flight, self._key_target = key, target
        await super().on_event(key)  # priority bindings act here; otherwise forwarded
        if not key.is_forwarded or not target.post_message(KeyTrail(key)):
            self._key_done()  # acted on by the app itself, or nowhere to go
            return
        self._hold_timer = self.set_timer(HOLD_LIMIT_S, partial(self._key_came_back, key),
                                          name="key-order")

    def _on_key_trail(self, trail: KeyTrail) -> None:
        self._key_came_back(trail.key)  # the key was used on the way (typed text)

    def _key_came_back(self, key: events.Key) -> None:
        if key is self._key_in_flight:  # not an older key's late trail or timer
            self._key_done()

    def _key_done(self) -> None:
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        self._key_in_flight = None
        if self._held_keys and self._key_target is not None:
            # Outside this handler: the app's own queue (where a widget's focus() lands)
            # must run while we wait.
            self._settling = asyncio.create_task(self._settle(self._key_target))

    async def _settle(self, target: Widget | Screen[Any]) -> None:
        """Let what the last key set going finish before the next key acts.

        A key's effects can still be travelling once it is done: a choice's Changed message
        on its way to the screen (a ctrl+s just behind it saved without it), a focus() that
        the app applies later (a Select taking focus back after a pick undid the Tab just
        behind it). They start where the key went and climb its ancestors to the app, so
        each pass waits for every node on that path, deepest first, to handle what it holds:
        a message climbing the path is followed to the top in one pass; a few passes catch
        what a node posts to itself on the way. Paid only by keys typed ahead.
        """
        try:
            path = [*reversed(list(target.walk_children())), *target.ancestors_with_self]
            for _ in range(SETTLE_PASSES):
                for node in path:
                    await _drained(node)
        finally:  # whatever happened (the app closing), the held keys go on
            self.post_message(Settled())

    async def _on_settled(self, _: Settled) -> None:
        self._settling = None
        if self._held_keys and self._key_in_flight is None:
            await self._dispatch_key(self._held_keys.popleft())


async def _drained(node: DOMNode) -> None:
    """Wait until `node` has handled every message it held when called."""
    done = asyncio.Event()
    if node.call_later(done.set):  # False: it is closing, nothing more runs there
        with suppress(TimeoutError):  # a node that never answers: go on, never hang
            await asyncio.wait_for(done.wait(), HOLD_LIMIT_S)
