"""Formatted text that users type (meeting minutes, bulletins): stored only after everything that could run is
removed, whatever path stores it (portal form, back office, import)."""

import nh3

SAFE_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "a",
             "table", "thead", "tbody", "tr", "th", "td", "span", "div"}


def clean_html(text: str) -> str:
    """The text with scripts, event handlers, styles and javascript: links removed (a fixed list of tags kept)."""
    return nh3.clean(text or "", tags=SAFE_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
