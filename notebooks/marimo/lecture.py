import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")


@app.cell
def _():
    import marimo as mo

    import backprop_widgets as bw

    return bw, mo


@app.cell
def _(mo):
    mo.md(
        r"""
        # backprop-widgets in marimo

        The same widgets as in the JupyterLab lectures: each is one anywidget, so marimo draws
        it with `mo.ui.anywidget`. Click a weight of the diagram: the formula beside it is
        ∂L/∂w as the chain rule's sum over paths, with every factor's number.
        """
    )
    return


@app.cell
def _(bw, mo):
    net, x, t = bw.presets.mazur()
    explorer = mo.ui.anywidget(bw.ChainRuleExplorer(net, x, t, selected="w2"))
    explorer
    return explorer, net, t, x


@app.cell
def _(bw, mo):
    circuit = bw.expression("q = x + y; f = q * z", x=-2, y=5, z=-4)
    graph_explorer = mo.ui.anywidget(bw.ChainRuleExplorer(circuit, selected="x"))
    graph_explorer
    return (graph_explorer,)


@app.cell
def _(bw, mo, net):
    diagram = mo.ui.anywidget(bw.NetworkDiagram(net, selected="w5"))
    diagram
    return (diagram,)


@app.cell
def _(bw, mo, net, t, x):
    question = bw.GradientQuestion(net, "w1", x, t)
    exercise = mo.ui.anywidget(bw.GradientExercise(question, answers=False))
    exercise
    return (exercise,)


@app.cell
def _(bw, mo):
    moons, X, T = bw.presets.moons()
    dashboard = mo.ui.anywidget(bw.TrainingDashboard(moons, X, T, lr=1.0, speed=50))
    dashboard
    return (dashboard,)


if __name__ == "__main__":
    app.run()
