"""Every step of the worked example can be asked, and every student can get their own numbers.

Reference values: Mazur's "A Step by Step Backpropagation Example" (net_h1 = 0.3775,
out_h1 = 0.593269992, E_total = 0.298371109, dE/dnet_o1 = 0.138498562, w5+ = 0.35891648).
"""

from __future__ import annotations

import numpy as np
import pytest

import backprop_widgets as bw
from backprop_widgets.exercises import variants


@pytest.fixture(scope="module")
def mazur():
    return bw.presets.mazur()


@pytest.mark.parametrize(
    ("make", "answer"),
    [
        (lambda n, x, t: bw.ForwardQuestion(n, "net_h1", x, t), "0.3775"),
        (lambda n, x, t: bw.ForwardQuestion(n, "net_h1", x, t), "w1*i1 + w2*i2 + b1"),
        (lambda n, x, t: bw.ForwardQuestion(n, "h1", x, t), "0.593269992"),
        (lambda n, x, t: bw.ForwardQuestion(n, "h1", x, t), "sigma(net_h1)"),
        (lambda n, x, t: bw.ForwardQuestion(n, "h1", x, t), "1/(1 + exp(-(w1*i1 + w2*i2 + b1)))"),
        (lambda n, x, t: bw.LossQuestion(n, x, t), "0.298371109"),
        (lambda n, x, t: bw.LossQuestion(n, x, t), "1/2 (t1 - o1)^2 + 1/2 (t2 - o2)^2"),
        (lambda n, x, t: bw.DeltaQuestion(n, "o1", x, t, convention="net"), "0.138498562"),
        (
            lambda n, x, t: bw.DeltaQuestion(n, "o1", x, t, convention="net"),
            "(o1 - t1) o1 (1 - o1)",
        ),
        (
            lambda n, x, t: bw.DeltaQuestion(n, "o1", x, t, convention="net"),
            "dL/do1 * o1 * (1 - o1)",
        ),
        (lambda n, x, t: bw.DeltaQuestion(n, "h1", x, t), "0.036350306"),
        (
            lambda n, x, t: bw.DeltaQuestion(n, "h1", x, t),
            "do1/dh1 * delta_o1 + do2/dh1 * delta_o2",
        ),
        (lambda n, x, t: bw.UpdateQuestion(n, "w5", x, t, lr=0.5), "0.35891648"),
        (lambda n, x, t: bw.UpdateQuestion(n, "w5", x, t, lr=0.5), "w5 - 0.5 * dL/dw5"),
        (lambda n, x, t: bw.ForwardQuestion(n, "net_h1", x, t), "net_h1 = 0.3775"),
        (lambda n, x, t: bw.LossQuestion(n, x, t), "E_total = 0.298371109"),
    ],
)
def test_mazurs_walkthrough_step_by_step(mazur, make, answer):
    fb = make(*mazur).check(answer)
    assert fb.correct, fb.message


@pytest.mark.parametrize(
    ("make", "answer", "code", "words"),
    [
        (lambda n, x, t: bw.ForwardQuestion(n, "net_h1", x, t), "0.593269992",
         "activation_applied", "activation"),
        (lambda n, x, t: bw.ForwardQuestion(n, "net_h1", x, t), "0.0275", "forgot_bias", "b1"),
        (lambda n, x, t: bw.ForwardQuestion(n, "h1", x, t), "0.3775", "forgot_activation",
         "net input"),
        (lambda n, x, t: bw.ForwardQuestion(n, "h1", x, t), "h1", "restates_the_question",
         "asked for"),
        (lambda n, x, t: bw.ForwardQuestion(n, "net_h1", x, t), "h1 - 0.2", "restates_the_question",
         "after net_h1"),
        (lambda n, x, t: bw.LossQuestion(n, x, t), "0.596742218", "loss_constant", "½"),
        (lambda n, x, t: bw.DeltaQuestion(n, "o1", x, t, convention="net"), "0.741365069",
         "other_convention", "dL/dnet_o1"),
        (lambda n, x, t: bw.DeltaQuestion(n, "h1", x, t), "delta_h1", "restates_the_question",
         "asked for"),
        (lambda n, x, t: bw.UpdateQuestion(n, "w5", x, t, lr=0.5), "0.082167041",
         "gradient_for_update", "gradient"),
        (lambda n, x, t: bw.UpdateQuestion(n, "w5", x, t, lr=0.5), "0.44108352",
         "step_wrong_sign", "uphill"),
        (lambda n, x, t: bw.UpdateQuestion(n, "w5", x, t, lr=0.5), "0.317832959",
         "step_without_lr", "learning rate"),
    ],
)  # fmt: skip
def test_each_step_names_its_own_slips(mazur, make, answer, code, words):
    fb = make(*mazur).check(answer)
    assert not fb.correct
    assert fb.problems[0] == code, fb.message
    assert words in fb.message


def test_the_prompt_states_the_convention_and_the_learning_rate(mazur):
    assert "Mazur" in bw.DeltaQuestion(*mazur[:1], "h1", *mazur[1:], convention="net").note
    assert "this package" in bw.DeltaQuestion(mazur[0], "h1", *mazur[1:]).note
    assert "0.5" in bw.UpdateQuestion(mazur[0], "w5", *mazur[1:], lr=0.5).note
    assert bw.ForwardQuestion(mazur[0], "h1", *mazur[1:]).hints()[-1].startswith("Here")


def test_bad_arguments_name_what_is_accepted(mazur):
    net, x, t = mazur
    with pytest.raises(bw.BackpropInputError, match="node must be a net input or a neuron"):
        bw.ForwardQuestion(net, "w1", x, t)
    with pytest.raises(bw.BackpropInputError, match="convention must be one of node, net"):
        bw.DeltaQuestion(net, "h1", x, t, convention="mazur")
    with pytest.raises(bw.BackpropInputError, match="lr must be a positive"):
        bw.UpdateQuestion(net, "w5", x, t, lr=-1)
    with pytest.raises(bw.BackpropInputError, match="accept must be some of number, formula"):
        bw.LossQuestion(net, x, t, accept=("chain_rule",))


QUESTIONS = {
    "gradient": lambda n, x, t: bw.GradientQuestion(n, "w1", x, t),
    "bias": lambda n, x, t: bw.GradientQuestion(n, "b1", x, t),
    "forward": lambda n, x, t: bw.ForwardQuestion(n, "o2", x, t),
    "loss": lambda n, x, t: bw.LossQuestion(n, x, t),
    "delta": lambda n, x, t: bw.DeltaQuestion(n, "h2", x, t, convention="net"),
    "update": lambda n, x, t: bw.UpdateQuestion(n, "w6", x, t, lr=0.5),
}


@pytest.mark.parametrize("kind", QUESTIONS)
def test_a_variant_is_the_students_own_deterministic_and_by_hand(mazur, kind):
    base = QUESTIONS[kind](*mazur)
    alice = base.variant("alice@uni.example")
    again = QUESTIONS[kind](*mazur).variant("alice@uni.example")  # the autograder, later
    assert alice.net.parameters() == again.net.parameters()
    assert alice.x.tolist() == again.x.tolist() and alice.t.tolist() == again.t.tolist()
    assert alice.expected == again.expected
    bob = base.variant("bob")
    assert alice.net.parameters() != bob.net.parameters()
    numbers = [*alice.net.parameters().values(), *alice.x, *alice.t]
    assert all(abs(v * 100 - round(v * 100)) < 1e-9 for v in numbers)  # two decimals
    assert type(alice) is type(base) and alice.prompt == base.prompt
    # each student's answer is right for them and wrong for the others
    mine = repr(alice.expected)
    assert alice.check(mine).correct
    assert not bob.check(mine).correct


@pytest.mark.parametrize("kind", QUESTIONS)
def test_variants_are_never_degenerate(mazur, kind):
    base = QUESTIONS[kind](*mazur)
    for k in range(25):
        q = base.variant(f"student-{k}")
        assert not variants.degenerate(q)
        assert abs(q.expected) >= 1e-4
        for slip in q._slips:  # no wrong answer the hints know is accepted by coincidence
            value = slip.at(q._draws[0])
            if not np.isclose(value, q.expected, rtol=1e-9):
                assert not q.check(repr(value)).correct, (kind, k, slip.code)


def test_a_student_id_must_be_text(mazur):
    q = bw.GradientQuestion(*mazur[:1], "w1", *mazur[1:])
    with pytest.raises(bw.BackpropInputError, match="student must be a non-empty string"):
        q.variant("")


def test_mazurs_e_total_as_its_shares_is_told_to_write_each_share_once():
    """E_total = E_o1 + E_o2 is Mazur's own line: the message says what each share is and
    how to write it, once (not once per share)."""
    net, x, t = bw.presets.mazur()
    fb = bw.LossQuestion(net, x, t).check("E_o1 + E_o2")
    assert not fb.correct
    assert fb.message.count("shares of the loss") == 1 and "E_o1 = 1/2 (t1 - o1)^2" in fb.message
