"""Whether an anonymous question may be telling of harm to the asker or a
friend: words of threat, spreading pictures, or wanting to die. A hint for
the teacher (who then sees the school's report door and the help lines), not
a verdict: a false alarm costs a glance, a miss costs much more."""

from __future__ import annotations

import re

WORDS = (
    # Korean
    "협박",
    "돈 보내",
    "돈을 보내",
    "유포",
    "퍼뜨",
    "뿌린다",
    "뿌릴",
    "합성",
    "딥페이크",
    "내 사진",
    "제 사진",
    "내 얼굴",
    "제 얼굴",
    "몰래",
    "찍혔",
    "보내라고",
    "신고",
    "죽고 싶",
    "죽을래",
    "자살",
    "무서워",
    "도와줘",
    "도와주세요",
    "당했",
    "성희롱",
    "성폭력",
    "텔레그램",
    "지인능욕",
    # English
    "threat",
    "blackmail",
    "sextort",
    "my photo",
    "my picture",
    "pictures of me",
    "photos of me",
    "nude",
    "leak",
    "spread",
    "deepfake of me",
    "kill myself",
    "suicide",
    "scared",
    "help me",
    "send money",
    "abuse",
)
_PATTERN = re.compile("|".join(re.escape(w) for w in WORDS), re.IGNORECASE)


def looks_like_disclosure(text: str) -> bool:
    return bool(_PATTERN.search(text or ""))
