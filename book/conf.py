"""Sphinx's settings for the series as a static website (`make book`; scripts/build_book.py stages the pages).

The executed notebooks are read as they are committed (myst-nb, nothing re-run), laid out by the Book theme, and
everything a page loads is served from the build: the theme's CSS, fonts and icons, the search index, and MathJax
from the npm registry (copied in by scripts/build_book.py). No page asks another host for anything.
"""

project = "Self-Attention, Step by Step"
author = "the Self-Attention, Step by Step authors"
copyright = "the Self-Attention, Step by Step authors"
language = "en"

extensions = ["myst_nb", "sphinx.ext.mathjax"]
root_doc = "00_contents"  # the contents page is the home page (build_book.py adds an index.html that opens it)
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# myst-nb: show the committed outputs, run nothing
nb_execution_mode = "off"
nb_ipywidgets_js = {}  # the live widgets need a kernel: their saved picture, words and numbers are shown instead
nb_output_stderr = "remove"
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type"]

# MathJax 3 from the npm package, served beside the pages (the default would fetch it from a CDN)
mathjax_path = "mathjax/tex-chtml.js"
mathjax3_config = {"options": {"enableMenu": True}}

html_theme = "sphinx_book_theme"
html_title = "Self-Attention, Step by Step"
html_static_path = ["_static"]
templates_path = ["_templates"]  # one of the theme's parts, changed for accessibility (the file says why)
html_css_files = ["book.css"]
html_favicon = "_static/favicon.png"  # drawn by build_book.py
html_last_updated_fmt = None
html_copy_source = False  # the notebooks are in the repository; the site is pages only
html_show_sourcelink = False
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "use_source_button": False,
    "use_issues_button": False,
    "use_edit_page_button": False,
    "launch_buttons": {},
    "navigation_with_keys": True,
    "show_prev_next": True,
    "home_page_in_toc": True,
}
pygments_style = "a11y-high-contrast-light"
pygments_dark_style = "a11y-high-contrast-dark"
