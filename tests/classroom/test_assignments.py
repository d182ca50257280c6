"""Assigning modules: dates, duplicates, order and "opens when the one
before is done"."""

import datetime

from django.utils import timezone

from classroom.models import Assignment
from tests.classroom.conftest import assign, source_module

TODAY = timezone.localdate()


def form(module, opens=0, due=14, requires_previous=False):
    data = {
        "module": module.pk,
        "opens_on": (TODAY + datetime.timedelta(days=opens)).isoformat(),
        "due_on": (TODAY + datetime.timedelta(days=due)).isoformat(),
    }
    if requires_previous:
        data["requires_previous"] = "on"
    return data


def test_a_teacher_assigns_a_module_with_dates(client, cast, module):
    client.force_login(cast.teacher)
    response = client.post(f"/teach/classes/{cast.classroom.pk}/assignments/", form(module))
    assert response.status_code == 302
    assignment = Assignment.objects.get(classroom=cast.classroom)
    assert assignment.module == module and assignment.created_by == cast.teacher
    assert assignment.due_on - assignment.opens_on == datetime.timedelta(days=14)
    page = client.get(f"/teach/classes/{cast.classroom.pk}/assignments/").content.decode()
    assert module.title in page


def test_the_form_suggests_the_module_of_the_class_band(client, cast, module):
    client.force_login(cast.teacher)
    html = client.get(f"/teach/classes/{cast.classroom.pk}/assignments/").content.decode()
    assert f'<option value="{module.pk}" selected>' in html


def test_the_same_module_twice_gets_a_clear_message(client, cast, module):
    assign(cast.classroom, module)
    client.force_login(cast.teacher)
    response = client.post(f"/teach/classes/{cast.classroom.pk}/assignments/", form(module))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_module_error"' in html and "이미" in html
    assert Assignment.objects.filter(classroom=cast.classroom).count() == 1


def test_a_due_date_before_the_opening_date_gets_a_clear_message(client, cast, module):
    client.force_login(cast.teacher)
    response = client.post(f"/teach/classes/{cast.classroom.pk}/assignments/", form(module, opens=5, due=1))
    html = response.content.decode()
    assert 'id="id_due_on_error"' in html and "마감일" in html
    assert f'value="{(TODAY + datetime.timedelta(days=5)).isoformat()}"' in html  # kept what was typed
    assert not Assignment.objects.exists()


def test_a_module_for_parents_cannot_be_assigned(client, cast):
    client.force_login(cast.teacher)
    parents = source_module("parent-guide")
    response = client.post(f"/teach/classes/{cast.classroom.pk}/assignments/", form(parents))
    assert 'id="id_module_error"' in response.content.decode()
    assert not Assignment.objects.exists()


def test_assigning_to_another_teachers_class_is_a_404(client, cast, module):
    client.force_login(cast.teacher)
    response = client.post(f"/teach/classes/{cast.other_classroom.pk}/assignments/", form(module))
    assert response.status_code == 404
    assert not Assignment.objects.exists()


def test_changing_and_removing_an_assignment(client, cast, module):
    assignment = assign(cast.classroom, module)
    client.force_login(cast.teacher)
    url = f"/teach/classes/{cast.classroom.pk}/assignments/{assignment.pk}/"
    data = form(module, opens=1, due=3)
    data.pop("module")
    assert client.post(url, data).status_code == 302
    assignment.refresh_from_db()
    assert assignment.due_on == TODAY + datetime.timedelta(days=3)
    bad = client.post(url, {**data, "due_on": TODAY.isoformat()})
    assert 'id="id_due_on_error"' in bad.content.decode()
    assignment.refresh_from_db()
    assert assignment.due_on == TODAY + datetime.timedelta(days=3)
    client.post(url, {"action": "delete"})
    assert not Assignment.objects.filter(pk=assignment.pk).exists()


def test_an_assignment_of_another_class_is_never_reached_through_mine(client, cast, module):
    theirs = assign(cast.other_classroom, module)
    client.force_login(cast.teacher)
    for url in (
        f"/teach/classes/{cast.classroom.pk}/assignments/{theirs.pk}/",
        f"/teach/classes/{cast.other_classroom.pk}/assignments/{theirs.pk}/",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "delete"}).status_code == 404
        assert client.post(url + "move/", {"direction": "up"}).status_code == 404
    assert Assignment.objects.filter(pk=theirs.pk).exists()


def test_order_can_be_changed_up_and_down(client, cast, module):
    first = assign(cast.classroom, module, position=1)
    second = assign(cast.classroom, source_module("high-consent-responsibility"), position=2)
    third = assign(cast.classroom, source_module("e56-deepfakes-and-my-rights"), position=3)
    client.force_login(cast.teacher)
    client.post(f"/teach/classes/{cast.classroom.pk}/assignments/{third.pk}/move/", {"direction": "up"})
    order = list(Assignment.objects.filter(classroom=cast.classroom).order_by("position").values_list("pk", flat=True))
    assert order == [first.pk, third.pk, second.pk]
    client.post(f"/teach/classes/{cast.classroom.pk}/assignments/{first.pk}/move/", {"direction": "down"})
    order = list(Assignment.objects.filter(classroom=cast.classroom).order_by("position").values_list("pk", flat=True))
    assert order == [third.pk, first.pk, second.pk]
    # Moving the top one up changes nothing.
    client.post(f"/teach/classes/{cast.classroom.pk}/assignments/{third.pk}/move/", {"direction": "up"})
    order = list(Assignment.objects.filter(classroom=cast.classroom).order_by("position").values_list("pk", flat=True))
    assert order == [third.pk, first.pk, second.pk]


def test_opens_when_the_one_before_is_done(client, cast, module):
    from tests.classroom.conftest import lessons_of, take_quiz

    high = source_module("high-consent-responsibility")
    assign(cast.classroom, module, position=1)
    assign(cast.classroom, high, position=2, requires_previous=True)
    client.force_login(cast.student)
    html = client.get("/my/").content.decode()
    assert html.count("module-card locked") == 1
    assert "잠겨 있어요" in html
    for lesson in lessons_of(module):
        take_quiz(cast.student, lesson, module)
    response = client.get("/my/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="card module-card') == 2
    assert "module-card locked" not in html


def test_a_module_for_older_students_is_refused_because_the_class_could_not_open_it(client, cast):
    client.force_login(cast.teacher)
    high = source_module("high-consent-responsibility")
    response = client.post(f"/teach/classes/{cast.classroom.pk}/assignments/", form(high))
    assert 'id="id_module_error"' in response.content.decode()
    assert not Assignment.objects.exists()
    # Younger bands are fine: a middle-school class may revisit them.
    younger = source_module("e56-deepfakes-and-my-rights")
    assert client.post(f"/teach/classes/{cast.classroom.pk}/assignments/", form(younger)).status_code == 302


def test_the_service_itself_enforces_the_class_rules_and_names_the_field(cast, module):
    """The rules live in classroom.services (the form only shows their errors):
    another caller (a command, a future API) cannot get around them."""
    import pytest

    from classroom import services

    def create(module, opens=0, due=14):
        return services.assignment_create(
            classroom=cast.classroom,
            module=module,
            opens_on=TODAY + datetime.timedelta(days=opens),
            due_on=TODAY + datetime.timedelta(days=due),
            requires_previous=False,
            created_by=cast.teacher,
        )

    with pytest.raises(services.ClassroomError) as older:
        create(source_module("high-consent-responsibility"))
    assert older.value.field == "module"
    with pytest.raises(services.ClassroomError) as backwards:
        create(module, opens=5, due=1)
    assert backwards.value.field == "due_on"
    assert not Assignment.objects.exists()
    create(module)
    with pytest.raises(services.ClassroomError) as twice:
        create(module)
    assert twice.value.field == "module" and "이미 이 학급에 배정" in str(twice.value)  # Korean by default
    assert Assignment.objects.filter(classroom=cast.classroom).count() == 1
