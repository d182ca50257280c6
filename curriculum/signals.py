"""What the curriculum tells the apps above it. Lessons know no classes: a
class app that wants to count answers listens here."""

from django.dispatch import Signal

# A signed-in learner sent a lesson quiz for the first time in this session.
# Arguments: student (the user), page_id (the source-language lesson's id),
# answers ({question id: frozenset of choice ids}), correct ({question id:
# bool}). Sent whether or not the
# learner's own results may be stored; receivers must keep nothing that ties
# the answers to the learner.
first_quiz_answers = Signal()
