"""Typed gradient answers, read and judged: numbers, formulas and chain-rule sums.

Pure Python on top of :mod:`backprop_widgets.core`; no widget, IPython or plotting import,
so the same check runs in a notebook, a plain script or an autograder. Answers are read by
a small tokenizer and recursive-descent parser (:mod:`.tokens`, :mod:`.parser`) and never
run as code.

>>> import backprop_widgets as bw
>>> net, x, t = bw.presets.mazur()
>>> q = GradientQuestion(net, "w1", x, t)
>>> fb = q.check("∂h1/∂w1 ∂o1/∂h1 ∂L/∂o1 + ∂h1/∂w1 ∂o2/∂h1 ∂L/∂o2")
>>> fb.correct, fb.kind
(True, 'chain_rule')
>>> q.check("dh1/dw1 * dw7/dh1 * do2/dw7 * dL/do2").problems
('parameter_as_function',)

Answer forms, told apart automatically:

- a number: ``0.000438568``, ``4.38568e-4``, ``4.38568 × 10⁻⁴`` (within ``rtol``);
- a chain-rule sum in Leibniz notation, ASCII (``dh1/dw1 * do1/dh1 * dL/do1 + ...``),
  Unicode (``∂h1/∂w1 ∂o1/∂h1 ...``) or LaTeX (``\\frac{\\partial h_1}{\\partial w_1} ...``),
  at the neuron or the pre-activation level (``net_h1``), factored or not; judged by its
  set of paths (:mod:`.leibniz` lists the diagnosis codes);
- a formula in the network's quantities (:mod:`.formula` lists the vocabulary), judged by
  its values at the question's parameters and at several random draws.

Other problem codes: ``empty``, ``syntax_error`` (``Feedback.position`` says where),
``too_long``, ``not_text``, ``unknown_name`` (the message lists the known names and the
closest one), ``ambiguous_name`` (a name that could mean two things, such as E as the
loss or as Euler's number, y as the target or the output on a network without a y: the
message asks which), ``generic_activation`` (f'(…) that is not
at the net input of a unit with a slope of its own, :mod:`.notation`), ``index_range`` (Σ_k whose
index runs over no layer, or over two layers of different sizes), ``layer_index`` (a layer-numbered
name, Nielsen's a^l_j or 3Blue1Brown's a^(L), whose layer or unit does not exist or is a letter,
:mod:`.layers`, :mod:`.layer_reader`), ``whole_matrix`` (CS231n's dW, a whole weight matrix's
gradient, where one weight's is asked), ``kind_not_accepted``, ``not_finite``, ``division_by_zero``,
``domain_error``, ``matches_only_here`` (a formula right at these weights only), the
numeric guesses of :mod:`.hints`, ``too_many_paths``, ``no_student_id`` (:func:`grade` of a
variant without a student id), ``internal_error`` (a bug; never expected).

Every step of the worked example can be asked (:mod:`.steps`): ``ForwardQuestion`` (net_h1,
h1), ``LossQuestion``, ``DeltaQuestion`` (in either convention, stated in the prompt) and
``UpdateQuestion`` (w5+ after one SGD step); ``q.variant(student_id)`` gives any question
with that student's own numbers (:mod:`.variants`).

Autograding (nbgrader, otter-grader)
------------------------------------
The student writes the answer as a string in a cell::

    answer_w1 = "dh1/dw1 * (do1/dh1 * dL/do1 + do2/dh1 * dL/do2)"

A hidden nbgrader test cell, or an otter test case, checks it; the assertion message is the
student's feedback::

    import backprop_widgets as bw
    net, x, t = bw.presets.mazur()
    fb = bw.check_answer(net, "w1", x, t, answer_w1, accept=("chain_rule",))
    assert fb.correct, fb.message

or, keeping the question object: ``q = bw.GradientQuestion(net, "w1", x, t)`` then
``q.assert_correct(answer_w1)``, which raises AssertionError with the feedback.

With each student's own numbers, the notebook sets ``STUDENT_ID = "jdoe42"`` and builds
``q1 = bw.GradientQuestion(net, "w1", x, t).variant(STUDENT_ID)``; the test rebuilds the
same variant from the submitted id: ``bw.exercises.grade(question, "q1", answer_q1,
student=STUDENT_ID)`` (assignments/build.py is a worked example).
"""

from . import answers
from .answers import answer_for, grade, graded_mode
from .gradient import GradientQuestion, check_answer
from .question import Feedback, Question
from .report import report, report_chart, report_summary, reteach  # shadows the module
from .steps import DeltaQuestion, ForwardQuestion, LossQuestion, UpdateQuestion

__all__ = [
    "DeltaQuestion",
    "Feedback",
    "ForwardQuestion",
    "GradientQuestion",
    "LossQuestion",
    "Question",
    "UpdateQuestion",
    "answer_for",
    "answers",
    "check_answer",
    "grade",
    "graded_mode",
    "report",
    "report_chart",
    "report_summary",
    "reteach",
]
