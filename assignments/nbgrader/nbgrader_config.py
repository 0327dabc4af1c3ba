# nbgrader's course directory for the example assignment (see assignments/README.md).
c = get_config()  # noqa: F821 (nbgrader's config loader defines get_config)

c.CourseDirectory.root = "."
c.CourseDirectory.course_id = "backprop-example"
# The released cells keep `STUDENT_ID = ""` and `answer_q1 = ""` (nbgrader's default stub
# raises NotImplementedError): an untouched notebook stops only at the setup cell's message
# that STUDENT_ID is empty, and scores 0.
c.ClearSolutions.code_stub = {"python": "# (type between the quotes above)"}
# A hostile answer is refused by the checker in well under a second; this is a backstop.
c.ExecutePreprocessor.timeout = 60
