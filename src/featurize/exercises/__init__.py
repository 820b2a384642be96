"""Checks for the students' workbook (notebooks/exercises/, nbgrader sources in course/).

One module per workbook notebook; each check takes the student's answer, compares it with
the engines (RDKit, ASE, DScribe, SciPy, scikit-learn) and returns a Feedback that says in
a sentence what is right or wrong. A check never raises: an answer left as None is "not
answered yet". nbgrader's hidden tests call Feedback.require(), which does raise.
"""

from ._feedback import PASSED, UNANSWERED, WRONG, Feedback

__all__ = ["PASSED", "UNANSWERED", "WRONG", "Feedback"]
