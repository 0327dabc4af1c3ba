"""GradientExercise logic without a browser: state is set as the browser would set it
(``set_state`` for typing; the custom messages static/exercise.js sends for Enter, Check,
Hint and Show solution). What a student sees is read with ``shown()``: each formula as the
LaTeX it was typeset from."""

import html as html_module
import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import anywidget
import ipywidgets
import pytest

import backprop_widgets as bw
from backprop_widgets.core import numbers
from backprop_widgets.widgets.exercise import (
    ExerciseResult,
    GradientExercise,
    feedback_html,
    hints_html,
)
from backprop_widgets.widgets.exercise_html import typeset
from backprop_widgets.widgets.panels import panel_html
from tests.widgets.recording_comm import RecordingComm
from tests.widgets.shown import shown

HERE = Path(__file__).parent

SEED_WRONG = "dh1/dw1 * dw7/dh1 * do2/dw7 * dL/do2 + dh1/dw1 * dw5/dh1 * do1/dw5 * dL/do1"
SEED_RIGHT = "dh1/dw1 * do2/dh1 * dL/do2 + dh1/dw1 * do1/dh1 * dL/do1"


@pytest.fixture(autouse=True)
def answers_in_tmp(tmp_path, monkeypatch):
    """Every exercise saves to a file of its own test, never into the repository."""
    path = tmp_path / "backprop_answers.json"
    monkeypatch.setenv("BACKPROP_ANSWERS", str(path))
    monkeypatch.delenv("BACKPROP_GRADED", raising=False)
    monkeypatch.setattr(bw.exercises.answers, "_graded", None)
    return path


def mazur_exercise(param="w1", **options):
    net, x, t = bw.presets.mazur()
    return GradientExercise(bw.GradientQuestion(net, param, x, t), **options)


def type_text(ex, text):
    """What static/exercise.js does on each input event in the answer box."""
    ex.set_state({"answer": text})


def press_enter(ex, text):
    """What static/exercise.js sends on Enter in the answer box: the box's text with it."""
    ex._handle_custom_msg({"type": "check", "value": text}, [])


def press_check(ex):
    """The Check button: the same message, with the text the box holds."""
    press_enter(ex, ex.answer)


def press_hint(ex):
    ex._handle_custom_msg({"type": "hint"}, [])


def press_solution(ex):
    ex._handle_custom_msg({"type": "solution"}, [])


def verdict(ex):
    match = re.search(r'data-verdict="(\w+)"', ex.feedback)
    return match.group(1) if match else None


# ----------------------------------------------------------------------------- checking
def test_the_seed_answer_is_diagnosed_and_stays_in_the_box():
    ex = mazur_exercise()
    type_text(ex, SEED_WRONG)
    press_check(ex)
    html = ex.feedback
    assert verdict(ex) == "incorrect"
    assert 'class="bpw-verdict bpw-incorrect bpw-wrong"' in html
    assert "<code>dw7/dh1</code>" in html and "<code>dw5/dh1</code>" in html
    assert "independent variable" in html
    assert html.count("<li>") == 2  # two problems: listed one per item
    assert ex.answer == SEED_WRONG  # nothing the student typed is lost
    [attempt] = ex.attempts
    assert attempt.answer == SEED_WRONG and not attempt.correct
    assert attempt.problems == ("parameter_as_function", "parameter_as_function")
    assert attempt.time.tzinfo is not None


def test_the_corrected_answer_is_shown_in_green_and_counted():
    ex = mazur_exercise()
    type_text(ex, SEED_WRONG)
    press_check(ex)
    type_text(ex, SEED_RIGHT)
    press_check(ex)
    assert 'class="bpw-verdict bpw-correct"' in ex.feedback and "✓ Correct" in ex.feedback
    assert [a.correct for a in ex.attempts] == [False, True]
    assert ex.result() == ExerciseResult(
        question="dL/dw1",
        correct=True,
        attempts=2,
        hints_used=0,
        solution_shown=False,
        answer=SEED_RIGHT,
        exercise=ex.exercise_id,
    )
    assert ex.result().as_dict()["correct"] is True


def test_enter_checks_the_text_it_carries_even_if_the_box_value_lags_behind():
    ex = mazur_exercise()
    type_text(ex, SEED_RIGHT[:-3])  # the last keystrokes' update is still held back
    press_enter(ex, SEED_RIGHT)
    assert verdict(ex) == "correct"
    assert ex.attempts[-1].answer == SEED_RIGHT
    type_text(ex, SEED_RIGHT)  # the held-back update arrives: nothing more happens
    assert len(ex.attempts) == 1 and not ex.stale and ex.answer == SEED_RIGHT


def test_check_press_judges_the_text_it_carries_and_the_box_follows():
    ex = mazur_exercise()
    type_text(ex, "0.00043")  # the box's last keystrokes are still on their way
    press_enter(ex, "0.000438568")  # Check sends the box's text, as Enter does
    assert ex.attempts[-1].answer == "0.000438568" and verdict(ex) == "correct"
    assert ex.answer == "0.000438568" and "4.38568" in shown(ex.preview)
    type_text(ex, "2")
    press_check(ex)
    assert ex.attempts[-1].answer == "2"


def test_check_from_python_puts_the_answer_in_the_box():
    ex = mazur_exercise("w5")
    fb = ex.check("0.082167041")
    assert fb.correct and ex.answer == "0.082167041"
    assert ex.check(0.082167041).correct  # a number, as from a script


def test_empty_and_repeated_checks_are_not_extra_attempts():
    ex = mazur_exercise()
    press_check(ex)
    assert ex.attempts == [] and "Nothing to check yet" in ex.feedback
    assert 'class="bpw-verdict bpw-incorrect bpw-unreadable"' in ex.feedback
    type_text(ex, "0.5")
    press_check(ex)
    press_enter(ex, "0.5")
    assert len(ex.attempts) == 1
    assert "attempt 1" in ex.feedback


def test_unreadable_answers_are_amber_with_the_position_marked():
    ex = mazur_exercise()
    type_text(ex, "dh1/dw1 * ) + 2")
    press_check(ex)
    html = ex.feedback
    assert 'class="bpw-verdict bpw-incorrect bpw-unreadable"' in html
    assert '<mark class="bpw-here">)</mark>' in html


def test_feedback_goes_stale_while_the_box_is_edited():
    ex = mazur_exercise()
    type_text(ex, "0.5")
    press_check(ex)
    type_text(ex, "0.5 +")
    assert ex.stale  # drawn faded: the verdict is about older text
    type_text(ex, "0.5")
    assert not ex.stale


# ----------------------------------------------------------------------------- preview
def test_preview_renders_how_the_answer_is_read_without_judging_it():
    ex = mazur_exercise()
    assert 'data-state="empty"' in ex.preview
    type_text(ex, SEED_RIGHT)
    preview = ex.preview
    assert 'data-state="read"' in preview
    # typeset as MathML, fractions at full size in the line
    assert r"\(\displaystyle \frac{\partial h_{1}}{\partial w_{1}}" in shown(preview)
    assert '<mstyle displaystyle="true"><mrow><mfrac>' in preview and "$" not in preview
    assert "Correct" not in preview and ex.attempts == [] and ex.feedback == ""


def test_a_keystroke_only_reads_the_answer_it_never_judges_it(monkeypatch):
    ex = mazur_exercise()
    judged = []
    monkeypatch.setattr(ex.question, "_judge", lambda node: judged.append(node))
    for k in range(1, len(SEED_RIGHT) + 1):
        type_text(ex, SEED_RIGHT[:k])
    assert judged == []  # every keystroke is one parse; judging waits for Enter or Check
    assert 'data-state="read"' in ex.preview


def test_preview_shows_an_unfinished_answer_gently():
    ex = mazur_exercise()
    type_text(ex, "dh1/dw1 * ")
    assert 'data-state="syntax"' in ex.preview and "not finished yet" in ex.preview
    type_text(ex, "dh1/dw1 * ) * dL/do1")
    assert 'data-position="10"' in ex.preview
    assert "reading stops at character 11" in ex.preview
    assert '<mark class="bpw-here">)</mark>' in ex.preview


def test_typed_markup_and_dollars_never_reach_the_page_as_markup_or_math():
    ex = mazur_exercise()
    type_text(ex, "$x$ <script>alert(1)</script>")
    press_check(ex)
    for html in (ex.preview, ex.feedback):
        assert "<script>" not in html
        # typed text is inside <code>, which is never typeset
        assert "$x$" not in re.sub(r"<code[^>]*>.*?</code>", "", html, flags=re.S)
        assert "<math" not in html
    assert "&lt;script&gt;" in ex.preview  # shown as typed, as text


# ----------------------------------------------------------------------------- hints
def test_hints_progress_paths_then_factors_then_value():
    ex = mazur_exercise()
    assert ex.hint_label == "Hint (3 left)" and ex.hints_used == 0
    press_hint(ex)
    first = shown(ex.hint_panel)
    assert "2 paths" in first and "w1 → h1 → o1 → L" in first and "w1 → h1 → o2 → L" in first
    assert r"\frac" not in first and "0.000438568" not in first  # no factors, no value yet
    press_hint(ex)
    second = shown(ex.hint_panel)
    assert r"\frac{\partial o_{1}}{\partial h_{1}}" in second and "0.000438568" not in second
    press_hint(ex)
    assert "0.000438568" in ex.hint_panel
    assert ex.hint_disabled and ex.hint_label == "No more hints"
    press_hint(ex)
    assert ex.hints_used == 3 and ex.hint() is None
    type_text(ex, "1")
    press_check(ex)
    assert ex.attempts[-1].hints_used == 3 and ex.result().hints_used == 3
    assert "Stuck?" not in ex.feedback  # no hints left to offer


def test_hint_for_a_shared_bias_says_each_use_starts_paths():
    net, x, t = bw.presets.tiny()
    text = hints_html(bw.GradientQuestion(net, "b", x, t), 1)
    assert "2 paths" in text and "used by 2 nodes (h, y&#x27;)" in text


def test_hints_for_too_many_paths_point_to_deltas():
    net = bw.Network([2, 25, 25, 25, 25, 1], seed=0)
    q = bw.GradientQuestion(net, "w1", [0.5, -0.5], [1.0], accept=("number",))
    assert not q.chain_rule.enumerated
    text = hints_html(q, 3)
    assert "15625 paths" in text and r"\delta_{h_{1}}" in text
    assert f"= {numbers.latex(q.expected, 6)}$" in text  # LaTeX: 3.7128 \times 10^{-5}
    ex = GradientExercise(q, show_diagram=False)
    ex.show_solution()
    assert "too many to write out" in ex.solution_panel


# ----------------------------------------------------------------------------- solution
def test_solution_shows_the_explorer_expansion_and_counts_as_giving_up():
    ex = mazur_exercise()
    press_solution(ex)
    # the explorer's own panel, typeset the same way
    assert typeset(panel_html(ex.question.chain_rule)) in ex.solution_panel
    assert "dL/dw1 = dh1/dw1 * do1/dh1 * dL/do1" in ex.solution_panel
    assert ex.solution_shown and ex.solution_label == "Hide solution"
    ex.check(SEED_RIGHT)
    result = ex.result()
    assert not result.correct and result.gave_up and result.attempts == 1
    assert ex.attempts[-1].after_solution
    press_solution(ex)
    assert ex.solution_panel == "" and ex.solution_shown
    assert ex.solution_label == "Show solution"


def test_a_correct_answer_before_the_solution_still_counts():
    ex = mazur_exercise()
    ex.check(SEED_RIGHT)
    ex.show_solution()
    assert ex.result().correct and not ex.result().gave_up


# ----------------------------------------------------------------------------- building
def test_diagram_shows_the_questions_copy_with_the_parameter_selected():
    net, x, t = bw.presets.mazur()
    q = bw.GradientQuestion(net, "w7", x, t)
    ex = GradientExercise(q, show_values=True)
    # the diagram is drawn by the exercise itself, from its own traits
    assert ex.net is q.net and ex.net is not net
    assert ex.selected == "w7" and ex.show_values and ex.show_diagram
    assert {n["id"] for n in ex.structure["nodes"]} >= {"i1", "h1", "o2", "L"}
    assert ex.node_values["L"] == pytest.approx(net.loss(x, t))
    assert "bpw-exercise" in ex._dom_classes
    assert ex.answer_label == "your answer: dL/dw7" and "dL/dw7" in ex.placeholder
    assert ex.hint_label == "Hint (3 left)" and ex.solution_label == "Show solution"
    assert ex.feedback == "" and ex.status == ""  # shown from the first check on
    ex._handle_custom_msg({"type": "edit", "param": "w7", "text": "9"}, [])
    assert q.net["w7"] != 9  # the exercise's weights are not the student's to change
    ex._handle_custom_msg({"type": "select", "name": "w2"}, [])  # a click on the diagram
    assert ex.selected == "w2" and ex.highlight["edges"] == ["w2"]  # its own edge only
    ex.set_state({"show_values": False})  # the checkbox
    assert not ex.show_values


def test_the_exercise_is_one_anywidget_with_one_module():
    ex = mazur_exercise()
    assert isinstance(ex, anywidget.AnyWidget) and not isinstance(ex, ipywidgets.Box)
    # no child widgets: every trait is plain state (strings, numbers, lists, dicts)
    assert not any(isinstance(v, ipywidgets.Widget) for v in ex.get_state().values())
    assert ex._esm.count("export default") == 1 and "renderDiagram({ model" in ex._esm
    assert "MathJax" not in ex.prompt and "<math" in ex.prompt and "$" not in ex.prompt


class SizedComm(RecordingComm):
    """Records each update's keys and its size as JSON (not the echo of what the browser
    sent: ipywidgets older than the trait's echo_update=False echo every keystroke)."""

    def __init__(self):
        super().__init__()
        self.sizes = []

    def send(self, data=None, buffers=None):
        if data.get("method") == "echo_update":
            return
        super().send(data, buffers)
        self.sizes.append(len(json.dumps(data["state"])))


def test_a_check_sends_one_small_message():
    ex = mazur_exercise(answers=False)
    ex.comm = comm = SizedComm()
    press_enter(ex, SEED_WRONG)
    assert len(comm.updates) == 1 and {"feedback", "answer"} <= set(comm.updates[0])
    assert comm.sizes[0] < 5000, comm.sizes
    comm.updates.clear()
    type_text(ex, SEED_RIGHT)  # a keystroke: the preview (and the verdict going stale)
    assert comm.updates == [["preview", "stale"]]


def test_display_options():
    ex = mazur_exercise(show_diagram=False, allow_hints=False, allow_solution=False)
    assert not ex.show_diagram and ex.structure == {} and ex.node_values == {}
    assert ex.hint_label == "" and ex.solution_label == ""  # no buttons: no help row
    assert ex.hint() is None and ex.hints_used == 0
    ex.show_solution()
    assert not ex.solution_shown


def test_bad_arguments_raise_errors_that_say_what_is_needed():
    net, x, t = bw.presets.mazur()
    with pytest.raises(bw.BackpropInputError, match=r"needs a question.*got Network"):
        GradientExercise(net)
    with pytest.raises(bw.BackpropInputError, match="got str"):
        GradientExercise("dL/dw1")
    q = bw.GradientQuestion(net, "w1", x, t)
    with pytest.raises(TypeError, match=r"'show_diagrams'.*accepted: id, answers, show_diagram"):
        GradientExercise(q, show_diagrams=False)
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) 'accept'"):
        GradientExercise(q, accept=("number",))  # the question carries its options
    with pytest.raises(bw.BackpropInputError, match="show_values must be True or False"):
        GradientExercise(q, show_values="yes")


def test_gradient_exercise_is_exported_lazily():
    assert bw.GradientExercise is GradientExercise


# ----------------------------------------------------------------------------- never raises
JUNK_PIECES = [
    "d", "/", "*", "+", "-", "(", ")", "[", "{", "}", "^", "'", "∂", "$", "\\frac", "\\partial",
    "h1", "w1", "o2", "L", "net_h1", "sigma", "e", "1e999", "0", "/0", "log(-1)", "×10⁻⁴",
    " ", "\n", "\t", "<b>", "&amp;", "\x00", "\u202e", "🙂", "σ'", "==", "=", ",", ";", "dL/dw1",
]  # fmt: skip


@pytest.mark.parametrize("seed", range(50))
def test_random_junk_never_raises(seed):
    rng = random.Random(seed)
    text = "".join(rng.choice(JUNK_PIECES) for _ in range(rng.randint(1, 40)))
    if seed == 49:
        text = "(" * 5000 + "h1" + ")" * 5000  # deep nesting
    ex = mazur_exercise(show_diagram=False)
    type_text(ex, text)
    press_check(ex)
    press_enter(ex, text + "*")
    ex._handle_custom_msg({"type": "check", "value": None}, [])  # malformed
    ex._handle_custom_msg(["not", "a", "dict"], [])
    ex._handle_custom_msg({"type": ["check"]}, [])
    press_hint(ex)
    assert ex._internal_errors == []
    assert verdict(ex) in ("correct", "incorrect")
    assert "internal_error" not in ex.feedback
    assert "<script" not in ex.feedback


def test_feedback_html_lists_one_message_as_a_paragraph():
    q = bw.GradientQuestion(*bw.presets.mazur()[:1], "w1", *bw.presets.mazur()[1:])
    html = feedback_html(q.check("0.5"), "0.5", attempt=3, hints_left=2)
    assert "<ul>" not in html and "<p>Not quite: 0.5 is not dL/dw1.</p>" in html
    assert "attempt 3" in html and "(2 left)" in html


# ----------------------------------------------------------------------------- the ES module
@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_js_helpers_enter_and_the_box_text():
    result = subprocess.run(
        ["node", "--test", str(HERE / "exercise.test.mjs")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# pass 2" in result.stdout


def test_diagram_marks_the_asked_weight_and_keeps_its_paths_for_hint_1():
    net, x, t = bw.presets.mazur()
    ex = GradientExercise(bw.GradientQuestion(net, "w1", x, t))
    assert ex.highlight["edges"] == ["w1"]  # the paths are the student's to find
    ex.hint()
    assert set(ex.highlight["edges"]) == {"w1", "w5", "w7", "o1>L", "o2>L"}


def test_node_names_are_escaped_wherever_they_reach_html():
    net = bw.Network(
        [2, 2, 1],
        node_names=[["x<1", "a&b"], ["<i>h", "k"], ["o"]],
        seed=0,
    )
    q = bw.GradientQuestion(net, "w1", [0.3, 0.6], [0.2])
    ex = GradientExercise(q, show_diagram=False)
    ex.check("0.1")
    for _ in range(3):
        ex.hint()
    ex.show_solution()
    pages = [ex.prompt, ex.feedback, ex.hint_panel, ex.solution_panel]
    for page in pages:
        assert "<i>" not in page and "x<1" not in page and "a&b" not in page, page
    assert "&lt;i&gt;" in ex.hint_panel or "&lt;i&gt;" in ex.solution_panel
    assert "x&lt;_{1}" in ex.prompt and r"a\&amp;b" in ex.prompt


# ----------------------------------------------------------------------------- the answers file
def test_attempts_are_saved_and_restored_after_a_restart(answers_in_tmp):
    ex = mazur_exercise(id="q1")
    ex.check(SEED_WRONG)
    ex.hint()
    ex.check(SEED_RIGHT)
    saved = bw.exercises.answers.load(answers_in_tmp).record("q1")
    assert [a.answer for a in saved.attempts] == [SEED_WRONG, SEED_RIGHT]
    assert saved.attempts[0].problems == ("parameter_as_function", "parameter_as_function")
    assert saved.attempts[1].correct and saved.attempts[1].hints_used == 1
    assert saved.hints_used == 1 and saved.question == "dL/dw1"
    assert "saved in backprop_answers.json" in ex.status

    again = mazur_exercise(id="q1")  # a new kernel builds the exercise again
    assert [a.answer for a in again.attempts] == [SEED_WRONG, SEED_RIGHT]
    assert again.result().correct and again.result().attempts == 2 and again.hints_used == 1
    assert again.answer == SEED_RIGHT and verdict(again) == "correct"
    assert "2 earlier attempts restored" in again.status
    again.check("0.5")
    assert len(bw.exercises.answers.load(answers_in_tmp).record("q1").attempts) == 3


def test_exercises_share_the_file_and_other_numbers_start_afresh(answers_in_tmp):
    mazur_exercise(id="q1").check(SEED_WRONG)
    mazur_exercise("w5", id="q2").check("0.082167041")
    net, x, t = bw.presets.mazur()
    net["w5"] = 0.1  # another variant of q1: its attempts are not this question's
    other = GradientExercise(bw.GradientQuestion(net, "w1", x, t), id="q1")
    assert other.attempts == []
    other.check(SEED_RIGHT)
    loaded = bw.exercises.answers.load(answers_in_tmp)
    assert set(loaded.exercises) == {"q1", "q2"}
    assert [a.answer for a in loaded.record("q1").attempts] == [SEED_WRONG, SEED_RIGHT]


def test_the_default_id_is_derived_from_the_question(answers_in_tmp):
    ex = mazur_exercise()
    assert ex.exercise_id.startswith("dL/dw1@") and ex.result().exercise == ex.exercise_id
    ex.check(SEED_RIGHT)
    assert ex.exercise_id in bw.exercises.answers.load(answers_in_tmp).exercises


def test_a_corrupt_file_is_kept_aside_and_the_student_told(answers_in_tmp):
    answers_in_tmp.write_text("{ half a file")
    ex = mazur_exercise(id="q1")  # built again when grading, too: the file must stay as it is
    assert 'data-status="warning"' in ex.status and "will be kept aside" in ex.status
    assert answers_in_tmp.read_text() == "{ half a file"
    assert ex.check(SEED_RIGHT).correct  # the first save keeps it aside, and says so
    [kept] = answers_in_tmp.parent.glob("*corrupt*")
    assert kept.read_text() == "{ half a file"
    assert f"kept as {kept.name}" in ex.status
    assert bw.exercises.answers.load(answers_in_tmp).record("q1").last_answer == SEED_RIGHT


def test_an_unwritable_folder_is_told_and_the_session_keeps_the_attempts(tmp_path):
    path = tmp_path / "no-such-folder" / "answers.json"
    ex = mazur_exercise(id="q1", answers=path)
    assert ex.check(SEED_RIGHT).correct and len(ex.attempts) == 1
    assert 'data-status="error"' in ex.status and "could not be saved" in ex.status
    assert ex._internal_errors == []
    path.parent.mkdir()  # the folder is back: the next check saves everything, and says so
    ex.check("0.5")
    assert 'data-status="saved"' in ex.status
    assert len(bw.exercises.answers.load(path).record("q1").attempts) == 2


def test_answers_false_saves_nothing(answers_in_tmp):
    ex = mazur_exercise(answers=False)
    ex.check(SEED_RIGHT)
    assert not answers_in_tmp.exists() and ex.status == ""
    with pytest.raises(bw.BackpropInputError, match="answers must be"):
        mazur_exercise(answers=3)
    with pytest.raises(bw.BackpropInputError, match="id must be"):
        mazur_exercise(id="")


def test_an_untouched_exercise_writes_nothing_and_its_result_says_so(answers_in_tmp):
    ex = mazur_exercise(id="q1")
    assert not answers_in_tmp.exists()
    result = ex.result()
    assert result.status == "no attempts yet" and str(result) == "q1 (dL/dw1): no attempts yet"
    assert "0.000438" not in str(result)
    ex.check(SEED_WRONG)
    assert str(ex.result()) == "q1 (dL/dw1): not yet correct after 1 attempt, 0 hint(s) used"


# ----------------------------------------------------------------------------- graded mode
def test_graded_mode_offers_no_hints_and_no_solution(monkeypatch):
    bw.exercises.graded_mode(True)
    ex = mazur_exercise()
    assert ex.graded and not ex.allow_hints and not ex.allow_solution
    assert ex.hint() is None
    ex.show_solution()
    assert ex.solution_panel == "" and not ex.solution_shown
    assert ex.hint_label == "" and ex.solution_label == ""  # no buttons: no help row
    fb = ex.check(SEED_WRONG)
    assert "Stuck?" not in ex.feedback and not fb.correct
    # an author may offer hints in one exercise; the solution stays off
    ex = mazur_exercise(allow_hints=True, allow_solution=True)
    assert ex.allow_hints and not ex.allow_solution
    bw.exercises.graded_mode(False)
    assert mazur_exercise().allow_solution


def test_graded_mode_from_the_environment(monkeypatch):
    monkeypatch.setenv("BACKPROP_GRADED", "1")
    assert not mazur_exercise().allow_solution


# ----------------------------------------------------------------------------- other questions
class StepQuestion:
    """A question with only the public surface (as the forward, loss, delta and update
    questions have), to show the widget asks nothing more of it."""

    prompt = "w5+"
    prompt_latex = "w_5^+"
    tolerance_text = "A number counts when it is within 0.1 %."
    accept = ("number",)
    expected = 0.35891648
    note = "after one SGD step with learning rate 0.5"

    def __init__(self):
        self.net, self.x, self.t = bw.presets.mazur()
        self.param = "w5"

    def check(self, answer):
        right = str(answer).strip() == "0.35891648"
        problems = () if right else ("gradient_for_update",)
        return bw.Feedback(
            right,
            "Correct" if right else "That is dL/dw5, not w5+.",
            kind="number",
            problems=problems,
            expected=self.expected,
        )

    def solution(self):
        return "w5+ = w5 - 0.5 * dL/dw5 = 0.35891648"

    def hints(self):
        return ["Start from w5 = 0.4.", "Subtract lr * dL/dw5, with $lr$ = 0.5."]


def test_any_question_with_the_public_surface_can_be_an_exercise(answers_in_tmp):
    ex = GradientExercise(StepQuestion(), id="step")
    assert "w_5^+" in ex.prompt and "learning rate 0.5" in ex.prompt
    assert ex.selected == "w5" and ex.node_values == {}
    type_text(ex, "0.08")  # no read(): no preview, no error
    assert ex._internal_errors == []
    assert ex.hint_label == "Hint (2 left)"
    ex.hint()
    ex.hint()
    assert "Start from w5 = 0.4." in ex.hint_panel
    assert '<code class="bpw-prose">Subtract lr * dL/dw5, with $lr$ = 0.5.</code>' in ex.hint_panel
    assert ex.hint() is None and ex.hint_disabled
    assert not ex.check("0.08").correct and ex.attempts[-1].problems == ("gradient_for_update",)
    ex.show_solution()
    assert "w5+ = w5 - 0.5 * dL/dw5" in ex.solution_panel
    assert ex.check("0.35891648").correct
    assert bw.exercises.answers.load(answers_in_tmp).record("step").question == "w5+"


def test_the_lead_engineers_question_types_work_in_the_widget():
    net, x, t = bw.presets.mazur()
    questions = (
        bw.ForwardQuestion(net, "net_h1", x, t),
        bw.LossQuestion(net, x, t),
        bw.DeltaQuestion(net, "h1", x, t, convention="net"),
        bw.UpdateQuestion(net, "w5", x, t, lr=0.5),
    )
    for q in questions:
        ex = GradientExercise(q, answers=False)
        assert ex.node_values == {}  # a neuron's value may be what is asked
        assert html_module.escape(q.note) in ex.prompt
        ex.hint()
        assert ex._internal_errors == [] and ex.hint_panel
        assert ex.check(f"{q.expected:.9g}").correct


def test_a_question_without_the_surface_is_refused():
    class Half:
        prompt = "h1"

    with pytest.raises(bw.BackpropInputError, match="which has no check, prompt_latex"):
        GradientExercise(Half())


def test_graded_mode_after_a_restart_keeps_what_was_seen_in_the_file(answers_in_tmp):
    ex = mazur_exercise(id="q1")
    ex.show_solution()
    ex.check(SEED_RIGHT)
    bw.exercises.graded_mode(True)
    again = mazur_exercise(id="q1")
    assert not again.solution_shown and again.solution_panel == ""
    again.check("0.5")
    record = bw.exercises.answers.load(answers_in_tmp).record("q1")
    assert record.solution_shown and len(record.attempts) == 2
    assert record.attempts[0].after_solution


def test_two_versions_under_one_id_keep_each_others_attempts(answers_in_tmp):
    net, x, t = bw.presets.mazur()
    other = net.copy()
    other["w5"] = 0.1
    first = GradientExercise(bw.GradientQuestion(net, "w1", x, t), id="q1")
    second = GradientExercise(bw.GradientQuestion(other, "w1", x, t), id="q1")
    first.check(SEED_WRONG)
    second.check("0.5")
    first.check(SEED_RIGHT)
    texts = [a.answer for a in bw.exercises.answers.load(answers_in_tmp).record("q1").attempts]
    assert sorted(texts) == sorted([SEED_WRONG, "0.5", SEED_RIGHT])


def test_each_students_variant_keeps_the_exercise_id_and_its_own_attempts(answers_in_tmp):
    net, x, t = bw.presets.mazur()
    q = bw.GradientQuestion(net, "w1", x, t)
    alice, bob = q.variant("alice"), q.variant("bob")
    assert bw.exercises.answers.default_id(alice) == bw.exercises.answers.default_id(q)
    ex = GradientExercise(alice, id="q1")
    ex.check(f"{alice.expected:.9g}")
    assert GradientExercise(alice, id="q1").result().correct  # restored: same variant
    assert GradientExercise(bob, id="q1").attempts == []  # another student's numbers


def test_a_variant_prompt_shows_the_students_own_numbers():
    net, x, t = bw.presets.mazur()
    q = bw.GradientQuestion(net, "w1", x, t).variant("alice")
    prompt = GradientExercise(q, show_diagram=False).prompt
    for name, value in q.net.parameters().items():
        assert f"{name[0]}_{{{name[1:]}}} = {value:g}" in prompt, name
    assert f"i_{{1}} = {q.x[0]:g}" in prompt and "(-" not in prompt


def test_a_correct_verdict_never_capitalises_a_name():
    net, x, t = bw.presets.mazur()
    ex = GradientExercise(bw.GradientQuestion(net, "w1", x, t), show_diagram=False)
    ex.check("dh1/dw1 * (do1/dh1 * dL/do1 + do2/dh1 * dL/do2)")
    assert "DL/dw1" not in ex.feedback and "dL/dw1 adds one product" in ex.feedback
    ex.check("i1 * sigma'(net_h1) * dL/dh1")
    assert "Your formula equals" in ex.feedback


def test_an_exercise_on_any_computation_graph(tmp_path):
    """bw.GradientExercise takes a question on a graph: the graph drawn node by node, its
    leaves' values in the prompt, the seed's mistake named in the graph's own words, and the
    attempts saved and restored like a network's."""
    graph = bw.expression("q = x + y; f = q * z", x=-2, y=5, z=-4)
    q = bw.GradientQuestion(graph, "x")
    answers = tmp_path / "answers.json"
    ex = bw.GradientExercise(q, answers=answers)
    assert ex.structure["level"] == "expression" and ex.selected == "x"
    assert "x = -2" in shown(ex.prompt) and "q = x + y" in shown(ex.prompt)
    wrong = ex.check("dz/dq * df/dz")
    assert not wrong.correct and "z is an input: nothing flows into it" in wrong.message
    assert ex.check("dq/dx * df/dq").correct
    ex.hint()
    assert "from x to f" in ex.hint_panel
    again = bw.GradientExercise(bw.GradientQuestion(graph, "x"), answers=answers)
    assert [a.answer for a in again.attempts] == ["dz/dq * df/dz", "dq/dx * df/dq"]


def test_a_very_long_answer_is_previewed_in_words_not_typeset():
    """10,000 typed factors: the preview says it is too long to show (a few hundred bytes per
    keystroke, not the 720 kB of MathML it would be), and Enter still judges it."""
    net, x, t = bw.presets.mazur()
    ex = bw.GradientExercise(bw.GradientQuestion(net, "w1", x, t), answers=False)
    ex.answer = "δ" * 10_000
    assert len(ex.preview) < 1_000 and "too long to show" in ex.preview
    ex.answer = "dh1/dw1 * dL/dh1"
    assert "<math" in ex.preview  # a normal answer is typeset as it is typed
    assert not ex.check("δ" * 10_000).correct
