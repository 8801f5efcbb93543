"""Pages of a long list: one helper for every list view, so each page costs the same whatever the list's length.

``paginate(request, rows, per_page=50)`` reads ``?page=`` (and ``?size=`` where the view offers a choice of page
sizes) and returns a ``Listing``: the ``page`` (Django's ``Page``), the page size and the links of the pager, made
from the request's other parameters so that they keep the filters. A page number that is not a plain ASCII number
(``abc``, ``²``, ``-1``) is the first page; one past the end is the last page — never an error.
"""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

MAX_PAGE_DIGITS = 9


def page_number(value: str | None) -> int:
    """``value`` as a page number ≥ 1; anything but ASCII digits (empty, words, superscripts, signs) is 1."""
    value = (value or "").strip()
    if not value or not value.isascii() or not value.isdigit():
        return 1
    if len(value) > MAX_PAGE_DIGITS:  # past any last page (and int() of thousands of digits would raise)
        return 10 ** MAX_PAGE_DIGITS
    return max(int(value), 1)


@dataclass
class Listing:
    """One page of a list and what its pager shows: counts, links that keep the other parameters, page sizes."""

    page: Page
    size: int
    sizes: tuple[int, ...]
    prefix: str  # "?<other parameters>&page=": the pager appends the number
    size_prefix: str  # "?<other parameters without page and size>&size="

    @property
    def rows(self):
        return self.page.object_list

    @property
    def size_links(self) -> list[tuple[int, str, bool]]:
        return [(size, "{}{}".format(self.size_prefix, size), size == self.size) for size in self.sizes]

    def context(self) -> dict:
        """The names the pager include (``generic/_pager.html``) reads: ``page`` and ``pager``."""
        return {"page": self.page, "pager": self}


def _query(params) -> str:
    text = params.urlencode()
    return "?{}&".format(text) if text else "?"


def paginate(request, rows, per_page: int = 50, *, sizes: tuple[int, ...] = (), param: str = "page",
             count: int | None = None) -> Listing:
    """The page of ``rows`` that ``request`` asks for (``?<param>=``, and ``?size=`` if ``sizes`` is given);
    ``count``: the number of ``rows`` when the view has already counted them (no second count query)."""
    size = per_page
    if sizes:
        asked = page_number(request.GET.get("size"))
        size = asked if asked in sizes else per_page
    paginator = Paginator(rows, size)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached property: this is its value
    page = paginator.page(min(page_number(request.GET.get(param)), paginator.num_pages))
    params = request.GET.copy()
    params.pop(param, None)
    without_size = params.copy()
    without_size.pop("size", None)
    return Listing(page=page, size=size, sizes=tuple(sizes), prefix=_query(params) + param + "=",
                   size_prefix=_query(without_size) + "size=")
