"""Starting reply templates and tags for a school (seed_demo uses them; a
school's counselors change them as they like). Warm and plain, trauma-
informed: they thank, believe, never blame, never ask for the images, and
promise only what a school can do (listen, protect at school, help ask for
removal and reach the police or support centers; not that the images will
disappear or that someone will be punished)."""

from __future__ import annotations

from django.utils import timezone

from .models import CaseTag, ReplyTemplate

STARTING_TEMPLATES = [
    (
        "첫 답장: 알려 줘서 고마워요",
        "알려 줘서 정말 고마워요. 이런 일을 말하기까지 용기가 많이 필요했을 거예요.\n"
        "이 일은 당신의 잘못이 아니에요. 상담 선생님이 이 신고를 읽었고, 지금부터 함께 방법을 찾을게요.\n"
        "사진이나 영상은 보내지 않아도 돼요. 보내지 말아 주세요.\n"
        "편할 때 여기에 답장을 남겨 주세요. 지금 위험하다면 112에 바로 전화하세요.",
    ),
    (
        "삭제 요청을 함께 돕기",
        "그 게시물이 계속 퍼질까 봐 걱정되는 마음, 충분히 이해해요.\n"
        "학교가 직접 지울 수는 없지만, 디지털성범죄피해자지원센터(02-735-8994)와 함께 "
        "삭제 요청을 할 수 있도록 도울게요. "
        "센터는 무료로 도와주고, 당신의 동의 없이 진행하지 않아요.\n"
        "어느 앱이나 방에 올라왔는지 알고 있다면 여기에 적어 주세요. 캡처나 파일은 보내지 않아도 돼요.",
    ),
    (
        "다음 단계 안내",
        "지금까지 알려 준 내용을 잘 읽었어요. 다음에 할 수 있는 일을 알려 드릴게요.\n"
        "1) 학교에서 안전하게 지낼 수 있도록 필요한 도움을 함께 정해요.\n"
        "2) 원하면 경찰(112)이나 지원센터에 연결하는 것을 도울게요. 무엇을 할지는 함께 정해요.\n"
        "3) 이 대화는 영수증 번호로만 볼 수 있어요. 궁금한 것이 있으면 언제든 물어봐 주세요.",
    ),
    (
        "First reply: thank you for telling us",
        "Thank you for telling us. It takes courage to write about something like this.\n"
        "What happened is not your fault. A counselor has read your report, and we will work out the next steps "
        "with you.\n"
        "You do not need to send any pictures or videos. Please don't.\n"
        "Reply here whenever you are ready. If you are in danger now, call 112.",
    ),
    (
        "Help asking for removal",
        "It makes sense to worry that it will keep spreading.\n"
        "The school cannot delete it itself, but we can help you ask for its removal with the Digital Sexual Crime "
        "Victims Support Center (02-735-8994). Their help is free, and nothing happens without your agreement.\n"
        "If you know which app or room it was posted in, you can write it here. You don't need to send "
        "screenshots or files.",
    ),
]
STARTING_TAGS = ["단톡방", "재신고", "경찰 연계"]


def seed_case_tools(*, school, author=None) -> None:
    """Give the school the starting templates and tags it does not have yet."""
    now = timezone.now().replace(second=0, microsecond=0)
    for title, body in STARTING_TEMPLATES:
        ReplyTemplate.objects.get_or_create(
            school=school, title=title, defaults={"body": body, "updated_by": author, "updated_at": now}
        )
    for name in STARTING_TAGS:
        CaseTag.objects.get_or_create(school=school, name=name)
