"""nbgrader's settings for the workbook: `make assignments` runs nbgrader from this folder.

On a course's JupyterHub, copy this folder to the course directory and add the course's
own settings (course_id, exchange) there: docs/teaching.md.
"""

c = get_config()  # noqa: F821 (traitlets provides get_config in config files)

# One assignment per part of the lecture, one notebook each: source/<part>/<part>.ipynb.
# What replaces a solution in the student's copy: a comment, not nbgrader's default
# `raise NotImplementedError()`, so that a notebook with unanswered exercises still runs
# top to bottom (each check then says "not answered yet").
c.ClearSolutions.code_stub = {"python": "# Your code here"}
c.ClearSolutions.text_stub = "Your answer here."
# A cell may train a model (workbook 5 runs a small learning curve): nbgrader's default of
# 30 s per cell is short for a busy JupyterHub.
c.Execute.timeout = 300
