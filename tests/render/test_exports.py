from __future__ import annotations

import journeymap.render as render


def test_render_exports_exactly_its_api() -> None:
    assert set(render.__all__) == {
        "FORMATS",
        "INTERACTIVE_FORMATS",
        "AnalysisLike",
        "Format",
        "render",
        "render_analysis_html",
        "render_comparison_html",
        "render_comparison_pdf",
        "render_map_html",
        "render_map_png",
        "render_map_svg",
        "render_report_html",
        "render_report_pdf",
    }
    assert all(hasattr(render, name) for name in render.__all__)
    public = {n for n in vars(render) if not n.startswith("_") and n != "annotations"}
    modules = {n for n in public if type(getattr(render, n)).__name__ == "module"}
    helpers = {"Path", "Literal", "get_args", "UsageError", "JourneyMap", "write_file"}
    assert public - modules - helpers == set(render.__all__)
