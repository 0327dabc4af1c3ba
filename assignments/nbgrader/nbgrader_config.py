# nbgrader's course directory for the example assignment (see assignments/README.md).
c = get_config()  # noqa: F821 (nbgrader's config loader defines get_config)

c.CourseDirectory.root = "."
c.CourseDirectory.course_id = "backprop-example"
# The released answer cell keeps `answer_q1 = ""`: an untouched notebook runs without errors
# (nbgrader's default stub raises NotImplementedError), and still scores 0.
c.ClearSolutions.code_stub = {"python": "# (your answer between the quotes above, or in the box)"}
# A hostile answer is refused by the checker in well under a second; this is a backstop.
c.ExecutePreprocessor.timeout = 60
