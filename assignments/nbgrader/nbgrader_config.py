# nbgrader's course directory for the example assignment (see assignments/README.md).
import os

from backprop_widgets.exercises.nbgrader_hooks import use_in

c = get_config()  # noqa: F821 (nbgrader's config loader defines get_config)

# this folder, absolute (nbgrader warns on every run about a relative root such as ".")
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "backprop-example"
# The released cells keep `STUDENT_ID = ""` and `answer_q1 = ""` (nbgrader's default stub
# raises NotImplementedError): an untouched notebook stops only at the setup cell's message
# that STUDENT_ID is empty, and scores 0.
c.ClearSolutions.code_stub = {"python": "# (type between the quotes above)"}
# A hostile answer is refused by the checker in well under a second; this is a backstop.
c.ExecutePreprocessor.timeout = 60
# A deleted test cell is put back from the source and graded (nbgrader's
# OverwriteCells.add_missing_cells), with one warning naming the student and the cell; the
# checksum warning nbgrader logs for every hidden-test cell of every submission is dropped
# (a student's real edit of a locked cell is still a warning, with the student's name).
use_in(c)
