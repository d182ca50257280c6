"""StreamField JSON from the content files, for one language at a time.

The loader (curriculum.loader) builds the Korean page with one ``Builder``
and the English text with another; both give every block the same id, so
wagtail-localize pairs the two languages segment by segment. Pictures come
from content/illustrations.yaml and are placed after the body block the
manifest names.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict

from .markup import to_html

ID_NAMESPACE = uuid.UUID("5b0c6f0e-2f4e-4d0b-9c1e-6a9f3d1e7a21")
# content/illustrations.yaml names files under static/img/.
STATIC_IMAGE_DIR = "img/"


def block_id(*parts) -> str:
    """Stable block ids: the same file always gives the same ids, so stored
    quiz answers keep pointing at the same questions."""
    return str(uuid.uuid5(ID_NAMESPACE, "/".join(str(p) for p in parts)))


def content_hash(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def _items(values: list, make, *scope) -> list[dict]:
    """A ListBlock's JSON: each item with a stable id."""
    return [{"type": "item", "id": block_id(*scope, j), "value": make(v)} for j, v in enumerate(values)]


class Builder:
    """Turns file data into StreamField JSON for one language."""

    def __init__(self, lang: str, facts: dict[str, int], resources: dict[str, int]):
        self.lang = lang
        self.facts = facts
        self.resources = resources

    def t(self, text: dict) -> str:
        return text[self.lang].strip()

    def body(self, blocks: list[dict], *scope, pictures: list[dict] = ()) -> list[dict]:
        after = defaultdict(list)
        for picture in pictures:
            after[picture["after_block"]].append(picture)
        out = []
        for i, block in enumerate(blocks):
            kind, value = block["type"], self.block(block, i, scope)
            if kind == "key_point" and block.get("icon"):
                # A key point about a recurring idea is shown with its icon.
                kind, value = "idea", {"icon": block["icon"], "text": value}
            out.append({"type": kind, "id": block_id(*scope, "body", i), "value": value})
            out += [self.illustration(picture, scope) for picture in after[i]]
        return out

    def illustration(self, picture: dict, scope) -> dict:
        return {
            "type": "illustration",
            "id": block_id(*scope, "picture", picture["file"]),
            "value": {"image": STATIC_IMAGE_DIR + picture["file"], "alt": self.t(picture["alt"])},
        }

    def block(self, block: dict, i: int, scope):
        kind = block["type"]
        if kind in ("text", "key_point", "content_warning", "teacher_note"):
            return to_html(block[self.lang])
        if kind == "reflection":
            return block[self.lang].strip()
        if kind == "scenario":
            return {
                "title": self.t(block["title"]),
                "messages": _items(
                    block["messages"],
                    lambda m: {"speaker": self.t(m["speaker"]), "me": bool(m.get("me")), "text": self.t(m)},
                    *scope,
                    "body",
                    i,
                    "m",
                ),
            }
        if kind == "vocabulary":
            return {
                "items": _items(
                    block["items"],
                    lambda item: {"term": self.t(item["term"]), "definition": self.t(item["definition"])},
                    *scope,
                    "body",
                    i,
                    "v",
                )
            }
        if kind == "dilemma":
            return {
                "title": self.t(block["title"]),
                "situation": self.t(block["situation"]),
                "question": self.t(block["question"]),
                "choices": _items(
                    block["choices"],
                    lambda c: {
                        "choice": self.t(c["choice"]),
                        "outcome": self.t(c["outcome"]),
                        "reflection": self.t(c["reflection"]),
                    },
                    *scope,
                    "body",
                    i,
                    "d",
                ),
            }
        if kind == "legal_fact":
            return {"fact": self.facts[block["fact"]]}
        if kind == "help_resource":
            return {"resource": self.resources[block["resource"]]}
        raise ValueError(kind)  # pragma: no cover - the schema check refuses other types

    def questions(self, questions: list[dict] | None, *scope) -> list[dict]:
        """Questions with their second form (``alt``, empty when the file
        gives none). The second form's choices have ids of their own, so an
        answer always says which form it was given to."""
        out = []
        for i, q in enumerate(questions or []):
            alt = q.get("alt")
            out.append(
                {
                    "type": "question",
                    "id": block_id(*scope, "q", i),
                    "value": {
                        "kind": q["kind"],
                        **self._form(q, *scope, "q", i),
                        **{
                            f"alt_{key}": value
                            for key, value in (
                                self._form({"explanation": q["explanation"], **alt}, *scope, "q", i, "alt")
                                if alt
                                else {"prompt": "", "explanation": "", "choices": []}
                            ).items()
                        },
                    },
                }
            )
        return out

    def _form(self, q: dict, *scope) -> dict:
        return {
            "prompt": self.t(q["prompt"]),
            "explanation": self.t(q["explanation"]),
            "choices": _items(
                q["choices"],
                lambda c: {
                    "text": self.t(c["text"]),
                    "correct": bool(c.get("correct")),
                    "feedback": self.t(c["feedback"]),
                },
                *scope,
                "c",
            ),
        }

    def texts(self, texts: list[dict] | None, kind: str, *scope) -> list[dict]:
        """A stream of plain text blocks (objectives, conversation starters)."""
        return [{"type": kind, "id": block_id(*scope, i), "value": self.t(t)} for i, t in enumerate(texts or [])]
