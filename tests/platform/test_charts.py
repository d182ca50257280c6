"""Server-drawn SVG charts: geometry from values, and the charts on the
office, teacher and parent pages (no script, nothing from elsewhere)."""

from django.template.loader import render_to_string

from edu_platform.charts import WIDTH, bar_chart
from tests.classroom.conftest import assign, lessons_of, source_module, take_quiz


def test_bars_are_as_long_as_their_values_and_a_missing_value_draws_nothing():
    chart = bar_chart([("가", 100), ("나", 50), ("다", None), ("라", 150)], guide=80, highlight_below=80)
    full, half, missing, over = chart.bars
    assert full.width == 2 * half.width > 0
    assert missing.width == 0 and missing.text == "–"
    assert over.width == full.width, "values above the maximum are drawn at the maximum"
    assert half.highlight and not full.highlight and not missing.highlight
    assert chart.label_width < chart.guide_x < WIDTH
    assert [b.y for b in chart.bars] == sorted({b.y for b in chart.bars})


def test_the_chart_template_is_plain_svg_with_a_table_for_screen_readers():
    html = render_to_string(
        "charts/bar_chart.html",
        {"chart": bar_chart([("아주 긴 이름의 학교가 여기에 있습니다", 42)]), "title": "T", "caption_id": "c"},
    )
    assert "<svg" in html and "<script" not in html and "http" not in html.replace("http://www.w3.org/2000/svg", "")
    assert 'aria-hidden="true"' in html and '<table class="visually-hidden">' in html
    assert "아주 긴 이름의 학교가 여기에 있습니다" in html, "the table keeps the whole label"
    assert "…" in html, "the picture shortens it"


def test_the_teacher_sees_the_class_answers_as_a_chart(client, cast):
    module = source_module()
    assign(cast.classroom, module)
    take_quiz(cast.student, lessons_of(module)[0], module, wrong=(0,))
    client.force_login(cast.teacher)
    response = client.get(f"/en/teach/classes/{cast.classroom.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Answered correctly, per question" in html and 'class="chart-bar chart-bar-low"' in html


def test_the_parent_sees_the_child_s_modules_as_a_chart(client, cast):
    module = source_module()
    assign(cast.classroom, module)
    take_quiz(cast.student, lessons_of(module)[0], module)
    client.force_login(cast.parent)
    response = client.get("/en/family/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lessons done per module" in html and "<svg" in html
