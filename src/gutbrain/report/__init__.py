"""Client and practitioner reports (HTML and PDF) from profiles, assessments and plans.

Rendering only: :mod:`gutbrain.pipeline.report` reads and checks the documents; this package
builds the report model (:mod:`~gutbrain.report.build`), draws the charts as inline SVG
(:mod:`~gutbrain.report.charts`), numbers the citations (:mod:`~gutbrain.report.citations`)
and renders one Jinja2 template family to self-contained HTML, and to PDF with WeasyPrint
(:mod:`~gutbrain.report.render`). Wording and rounding live in :mod:`~gutbrain.report.texts`.

Typical use::

    from gutbrain.report import write_report
    write_report("report.html", profile=profile, assessments=[assessment], plan=plan,
                 audience="client", pdf_path="report.pdf")
"""

from gutbrain.pipeline.report import RenderedReport, ReportDocuments, ReportRequest
from gutbrain.report.api import render_documents, render_report, write_report, write_report_files
from gutbrain.report.build import AUDIENCES, SECTION_TITLES, build_report
from gutbrain.report.model import Report
from gutbrain.report.render import render_html, render_pdf

__all__ = [
    "AUDIENCES",
    "SECTION_TITLES",
    "RenderedReport",
    "Report",
    "ReportDocuments",
    "ReportRequest",
    "build_report",
    "render_documents",
    "render_html",
    "render_pdf",
    "render_report",
    "write_report",
    "write_report_files",
]
