"""Assessments: scored questionnaires (``gutbrain-assessment/1`` JSON)."""
